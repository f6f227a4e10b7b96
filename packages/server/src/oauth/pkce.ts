import { createHash, timingSafeEqual } from 'node:crypto';

/** RFC 7636 4.1: 43 to 128 unreserved characters; a challenge is the base64url SHA-256 of one (43 characters). */
const VERIFIER = /^[A-Za-z0-9._~-]{43,128}$/;
const S256_CHALLENGE = /^[A-Za-z0-9_-]{43}$/;

export function isCodeVerifier(value: unknown): value is string {
  return typeof value === 'string' && VERIFIER.test(value);
}

export function isS256Challenge(value: unknown): value is string {
  return typeof value === 'string' && S256_CHALLENGE.test(value);
}

/** Whether `verifier` is the one behind an S256 `challenge` (the only method Sigil accepts: `plain` would let an intercepted request redeem the code). */
export function verifiesChallenge(verifier: string, challenge: string): boolean {
  const computed = Buffer.from(createHash('sha256').update(verifier, 'ascii').digest('base64url'));
  const expected = Buffer.from(challenge);
  return computed.length === expected.length && timingSafeEqual(computed, expected);
}
