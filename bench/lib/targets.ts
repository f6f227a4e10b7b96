/** The protected-route targets (servers/api.ts), their configuration, and the seeded users. */
import type { Alg } from './keys.ts';
import type { LoadRequest } from './load.ts';

export const TARGETS = ['bare', 'sigil', 'sigil-nocache', 'fast-jwt', 'jose', 'express-jwt'] as const;
export type Target = (typeof TARGETS)[number];

export interface ApiTargetConfig {
  target: Target;
  alg: Alg;
  jwksUri: string;
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

/** The body of every protected route, behind whichever check. */
export const LESSONS = Object.freeze({
  lessons: [
    { id: 1, title: 'Tokens' },
    { id: 2, title: 'Keys' },
    { id: 3, title: 'Caches' },
  ],
});

/** Seeded users of the auth server children (servers/auth.ts, servers/better-auth.ts). */
export const BENCH_PASSWORD = 'bench-password-4f7c1e9a';
export const benchEmail = (i: number): string => `bench-${i}@example.com`;

/** One email and password sign-in per seeded user, for a load to cycle through. */
export function signInRequests(path: string, users: number, headers: Record<string, string> = {}): LoadRequest[] {
  return Array.from({ length: users }, (_, i) => ({
    method: 'POST',
    path,
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify({ email: benchEmail(i), password: BENCH_PASSWORD }),
  }));
}

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
