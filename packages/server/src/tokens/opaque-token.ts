import { createHash, randomBytes } from 'node:crypto';

/**
 * Opaque bearer secrets that only this server understands: refresh tokens and the link tokens of
 * account mails (docs/architecture.md, "Refresh tokens and sessions", "Account lifecycle").
 * 256 random bits, base64url; only their SHA-256 is stored, so a database leak yields no usable
 * token. A secret of 256 random bits needs no salt or slow hash: there is nothing to guess.
 *
 * @example
 * const token = generateOpaqueToken(); // 43 characters
 * await db.query('INSERT INTO … (token_hash) VALUES ($1)', [hashOpaqueToken(token)]);
 */
export function generateOpaqueToken(): string {
  return randomBytes(32).toString('base64url');
}

/** The stored form of an opaque token: SHA-256, hex. */
export function hashOpaqueToken(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}

/** Shape check before any database work: 43 base64url characters. */
export function looksLikeOpaqueToken(value: string): boolean {
  return /^[A-Za-z0-9_-]{43}$/.test(value);
}
