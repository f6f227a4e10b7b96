/** The protected-route targets (servers/api.ts) and their configuration. */
import type { Alg } from './keys.ts';

export const TARGETS = ['bare', 'sigil', 'sigil-nocache', 'fast-jwt', 'jose', 'express-jwt'] as const;
/**
 * Reference targets, measured head to head only: `noop` is Express with one middleware that only
 * sets `req.auth` and calls next(), the least any auth middleware can cost in Express.
 */
export const REFERENCE_TARGETS = ['noop'] as const;
export type Target = (typeof TARGETS)[number] | (typeof REFERENCE_TARGETS)[number];

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
  noop: 'Express + an empty middleware',
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
