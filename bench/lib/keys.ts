/**
 * Signing keys, a JWKS and access tokens shaped like Sigil's (RFC 9068 `at+jwt`, the same claims),
 * for the four algorithms Sigil issues. Tokens are signed with `jose`, the library the auth server
 * itself signs with.
 */
import { randomUUID } from 'node:crypto';
import { exportJWK, generateKeyPair, SignJWT, type CryptoKey, type JWK } from 'jose';

export const ALGS = ['RS256', 'ES256', 'EdDSA', 'HS256'] as const;
export type Alg = (typeof ALGS)[number];
export type AsymmetricAlg = Exclude<Alg, 'HS256'>;

export const ISSUER = 'http://127.0.0.1:4000';
export const AUDIENCE = 'sigil';
/** 48 random-looking bytes: Sigil refuses short or repetitive secrets. */
export const HS256_SECRET = 'bench-3f9c2a71d8e4b6051c7a9e2d4f6b8a0c1e3d5f7a9b2c4d6e';

export interface KeyMaterial {
  alg: Alg;
  kid: string;
  /** Private key (or the HMAC secret bytes) for signing. */
  signKey: CryptoKey | Uint8Array;
  /** Public JWK with kid/alg/use (undefined for HS256). */
  publicJwk: JWK | undefined;
}

export type KeyRing = Record<Alg, KeyMaterial>;

/** One fresh key per algorithm (RSA 2048, P-256, Ed25519) and the shared HS256 secret. */
export async function createKeyRing(): Promise<KeyRing> {
  const ring = {} as KeyRing;
  for (const alg of ALGS) {
    const kid = `bench-${alg.toLowerCase()}`;
    if (alg === 'HS256') {
      ring[alg] = { alg, kid, signKey: new TextEncoder().encode(HS256_SECRET), publicJwk: undefined };
      continue;
    }
    const { privateKey, publicKey } = await generateKeyPair(alg, { extractable: true, ...(alg === 'EdDSA' ? { crv: 'Ed25519' } : {}) });
    ring[alg] = { alg, kid, signKey: privateKey, publicJwk: { ...(await exportJWK(publicKey)), kid, alg, use: 'sig' } };
  }
  return ring;
}

/** The public JWKS of a key ring (RS256, ES256 and EdDSA keys). */
export function jwksOf(ring: KeyRing): { keys: JWK[] } {
  return { keys: ALGS.flatMap((alg) => (ring[alg].publicJwk ? [ring[alg].publicJwk] : [])) };
}

/** A Sigil-shaped access token valid for `ttlSeconds`; each call gives a distinct token (jti). */
export async function signToken(material: KeyMaterial, ttlSeconds = 3600): Promise<string> {
  const iat = Math.floor(Date.now() / 1000);
  return new SignJWT({ email: 'ada@example.com', name: 'Ada Lovelace', roles: ['user'], scope: 'openid profile email', sid: randomUUID() })
    .setProtectedHeader({ alg: material.alg, kid: material.kid, typ: 'at+jwt' })
    .setIssuer(ISSUER)
    .setSubject(randomUUID())
    .setAudience(AUDIENCE)
    .setIssuedAt(iat)
    .setExpirationTime(iat + ttlSeconds)
    .setJti(randomUUID())
    .sign(material.signKey);
}

/** `count` distinct tokens. */
export async function signTokens(material: KeyMaterial, count: number): Promise<string[]> {
  const tokens: string[] = [];
  for (let i = 0; i < count; i++) tokens.push(await signToken(material));
  return tokens;
}
