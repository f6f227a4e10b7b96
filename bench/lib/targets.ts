/** The protected-route targets (servers/api.ts) and their configuration. */
import type { Alg } from './keys.ts';

export const TARGETS = ['bare', 'sigil', 'sigil-nocache', 'fast-jwt', 'jose', 'express-jwt'] as const;
export type Target = (typeof TARGETS)[number];

export interface ApiTargetConfig {
  target: Target;
  alg: Alg;
  jwksUri: string;
  workers?: number;
  /** Sigil token cache size (memory benchmark). */
  tokenCacheEntries?: number;
}

export const TARGET_LABELS: Record<Target, string> = {
  bare: 'bare Express (no auth)',
  sigil: 'Sigil, hot token',
  'sigil-nocache': 'Sigil, token cache off',
  'fast-jwt': 'fast-jwt, cache on',
  jose: 'jose (remote JWKS + jwtVerify)',
  'express-jwt': 'express-jwt + jwks-rsa',
};

export function supported(target: Target, alg: Alg): boolean {
  return !(target === 'express-jwt' && alg === 'EdDSA');
}

/** Seeded users of the auth server child (servers/auth.ts). */
export const BENCH_PASSWORD = 'bench-password-4f7c1e9a';
export const benchEmail = (i: number): string => `bench-${i}@example.com`;

/** Event-loop delay percentiles (ms) reported by a child. */
export interface LoopDelay {
  count: number;
  min: number;
  mean: number;
  p50: number;
  p90: number;
  p99: number;
  max: number;
}
