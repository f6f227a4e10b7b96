import { createHash } from 'node:crypto';
import { SignJWT } from 'jose';
import type { KeyManager } from '../keys/index.ts';

/** Who the ID token is about and how they signed in (OpenID Connect Core 2). */
export interface IdTokenSubject {
  userId: string;
  clientId: string;
  sessionId: string;
  amr: readonly string[];
  authTime: Date;
  nonce?: string | null;
  /** The access token issued beside it, for `at_hash`. */
  accessToken: string;
  /** Claims the granted scopes release (`email`, `email_verified`, `name`). */
  claims: Record<string, unknown>;
}

/** ID tokens live as long as the access token beside them. */
export interface IdTokenSettings {
  issuer: string;
  ttlSeconds: number;
}

/**
 * `at_hash` (OIDC Core 3.1.3.6): the left half of the access token's hash, with the hash of the
 * signing algorithm: SHA-256 for RS256 and ES256, SHA-512 for EdDSA (Ed25519).
 */
export function accessTokenHash(accessToken: string, alg: string): string {
  const digest = createHash(alg === 'EdDSA' ? 'sha512' : 'sha256')
    .update(accessToken, 'ascii')
    .digest();
  return digest.subarray(0, digest.length / 2).toString('base64url');
}

/**
 * Signs an ID token with the key that signs access tokens (one key set, one JWKS), `typ: JWT`
 * so it is never mistaken for an access token (`at+jwt`, RFC 9068) by a verifier that checks typ.
 */
export async function signIdToken(keys: KeyManager, subject: IdTokenSubject, settings: IdTokenSettings, now: Date): Promise<string> {
  const { kid, alg, key } = await keys.signingKey();
  const iat = Math.floor(now.getTime() / 1000);
  return new SignJWT({
    ...subject.claims,
    auth_time: Math.floor(subject.authTime.getTime() / 1000),
    amr: [...subject.amr],
    sid: subject.sessionId,
    at_hash: accessTokenHash(subject.accessToken, alg),
    ...(subject.nonce ? { nonce: subject.nonce } : {}),
  })
    .setProtectedHeader({ alg, kid, typ: 'JWT' })
    .setIssuer(settings.issuer)
    .setSubject(subject.userId)
    .setAudience(subject.clientId)
    .setIssuedAt(iat)
    .setExpirationTime(iat + settings.ttlSeconds)
    .sign(key);
}
