/**
 * The JWS algorithms @sigil/express verifies, and what each demands of its key. One table, so
 * "algorithm in the allow-list AND matching the key" is checked the same way everywhere.
 */

/** JWS `alg` values @sigil/express can verify. */
export type Algorithm =
  | 'RS256'
  | 'RS384'
  | 'RS512'
  | 'PS256'
  | 'PS384'
  | 'PS512'
  | 'ES256'
  | 'ES384'
  | 'ES512'
  | 'EdDSA'
  | 'Ed25519'
  | 'HS256'
  | 'HS384'
  | 'HS512';

export interface AlgorithmSpec {
  /** JWK `kty` the key must have (`oct` only for the configured shared secret). */
  readonly kty: 'RSA' | 'EC' | 'OKP' | 'oct';
  /** JWK `crv` the key must have, for EC and OKP. */
  readonly crv: string | undefined;
  /** Digest for node:crypto; `null` for EdDSA, which hashes internally. */
  readonly hash: 'sha256' | 'sha384' | 'sha512' | null;
  readonly pss: boolean;
  /** Exact signature length in bytes when fixed (ECDSA raw r||s, Ed25519), else 0. */
  readonly signatureLength: number;
}

const spec = (kty: AlgorithmSpec['kty'], hash: AlgorithmSpec['hash'], crv?: string, signatureLength = 0, pss = false): AlgorithmSpec =>
  Object.freeze({ kty, crv, hash, pss, signatureLength });

export const ALGORITHMS: Readonly<Record<Algorithm, AlgorithmSpec>> = Object.freeze({
  RS256: spec('RSA', 'sha256'),
  RS384: spec('RSA', 'sha384'),
  RS512: spec('RSA', 'sha512'),
  PS256: spec('RSA', 'sha256', undefined, 0, true),
  PS384: spec('RSA', 'sha384', undefined, 0, true),
  PS512: spec('RSA', 'sha512', undefined, 0, true),
  ES256: spec('EC', 'sha256', 'P-256', 64),
  ES384: spec('EC', 'sha384', 'P-384', 96),
  ES512: spec('EC', 'sha512', 'P-521', 132),
  EdDSA: spec('OKP', null, 'Ed25519', 64),
  Ed25519: spec('OKP', null, 'Ed25519', 64),
  HS256: spec('oct', 'sha256'),
  HS384: spec('oct', 'sha384'),
  HS512: spec('oct', 'sha512'),
});

/** True when `alg` is one of the algorithms this package implements (own keys only). */
export function isAlgorithm(alg: unknown): alg is Algorithm {
  return typeof alg === 'string' && Object.hasOwn(ALGORITHMS, alg);
}

/** True for the HMAC algorithms, which only the shared-secret mode may use. */
export function isSymmetric(alg: Algorithm): boolean {
  return ALGORITHMS[alg].kty === 'oct';
}
