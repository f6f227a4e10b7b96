import { calculateJwkThumbprint, exportJWK, generateKeyPair, importJWK, type CryptoKey, type JWK } from 'jose';
import type { SigningAlgorithm } from '../../config.ts';
import type { PublicJwk } from '../types.ts';

export type AsymmetricAlgorithm = Exclude<SigningAlgorithm, 'HS256'>;

/** A freshly generated key pair, exported for storage. */
export interface GeneratedKey {
  kid: string;
  alg: AsymmetricAlgorithm;
  publicJwk: PublicJwk;
  /** Private JWK (contains `d`): encrypt before storing when a key secret is configured. */
  privateJwk: JWK;
}

/** Members a public JWK may carry; everything else (`d`, `p`, `q`, `k`, ...) is dropped. */
const PUBLIC_MEMBERS: Record<string, readonly string[]> = {
  RSA: ['kty', 'n', 'e'],
  EC: ['kty', 'crv', 'x', 'y'],
  OKP: ['kty', 'crv', 'x'],
};

/** Whether `alg` is one Sigil generates key pairs for. */
export function isAsymmetric(alg: string): alg is AsymmetricAlgorithm {
  return alg === 'RS256' || alg === 'ES256' || alg === 'EdDSA';
}

/**
 * Copies only the public members of `jwk` and labels it for the JWKS. Used on every published
 * key, so a private member stored by mistake can never reach the JWKS.
 */
export function toPublicJwk(jwk: JWK, kid: string, alg: SigningAlgorithm): PublicJwk {
  const members = PUBLIC_MEMBERS[jwk.kty ?? ''];
  if (!members) throw new TypeError(`unsupported key type ${String(jwk.kty)}`);
  const out: Record<string, unknown> = {};
  for (const name of members) if (jwk[name as keyof JWK] !== undefined) out[name] = jwk[name as keyof JWK];
  return { ...out, kid, alg, use: 'sig' } as PublicJwk;
}

/**
 * Generates a signing key pair with jose: RSA 2048 for RS256, P-256 for ES256, Ed25519 for EdDSA.
 * The kid is the RFC 7638 SHA-256 thumbprint of the public key.
 */
export async function generateSigningKey(alg: AsymmetricAlgorithm): Promise<GeneratedKey> {
  const { publicKey, privateKey } = await generateKeyPair(alg, {
    extractable: true,
    ...(alg === 'RS256' ? { modulusLength: 2048 } : alg === 'EdDSA' ? { crv: 'Ed25519' } : {}),
  });
  const publicRaw = await exportJWK(publicKey);
  const kid = await calculateJwkThumbprint(publicRaw, 'sha256');
  const privateJwk = await exportJWK(privateKey);
  return { kid, alg, publicJwk: toPublicJwk(publicRaw, kid, alg), privateJwk };
}

/** Imports a published key for verification (non-extractable). */
export async function importPublicKey(jwk: JWK, alg: AsymmetricAlgorithm): Promise<CryptoKey> {
  const { kid: _kid, alg: _alg, use: _use, ...members } = jwk;
  return (await importJWK({ ...members, ext: false }, alg)) as CryptoKey;
}

/**
 * Imports a stored private key for signing (non-extractable). Checks that it belongs to `kid`,
 * so a row whose private key was swapped or corrupted fails loudly instead of signing tokens
 * no published key verifies.
 */
export async function importPrivateKey(jwk: JWK, kid: string, alg: AsymmetricAlgorithm): Promise<CryptoKey> {
  if (typeof jwk.d !== 'string') throw new Error(`stored key ${kid} is not a private key`);
  const thumbprint = await calculateJwkThumbprint(jwk, 'sha256');
  if (thumbprint !== kid) throw new Error(`stored private key does not match kid ${kid}`);
  const { kid: _kid, alg: _alg, use: _use, key_ops: _ops, ...members } = jwk;
  return (await importJWK({ ...members, ext: false }, alg)) as CryptoKey;
}
