import { createHmac } from 'node:crypto';
import { generateOpaqueToken, hashOpaqueToken, looksLikeOpaqueToken } from './opaque-token.ts';

/** A fresh opaque refresh token: 256 random bits, base64url (43 characters). */
export const generateRefreshToken = generateOpaqueToken;

/** Refresh tokens are stored only as SHA-256 hashes: a database leak yields no usable token. */
export const hashRefreshToken = hashOpaqueToken;

/**
 * The successor of a refresh token is derived, not drawn at random: HMAC(pepper, token). Within the
 * grace window a repeated refresh with the old token must return the successor already issued, and
 * deriving it means we never store a usable token, only hashes. The pepper is a server-side random
 * secret; without it the successor cannot be predicted from the old token.
 */
export function deriveSuccessorToken(pepper: string, token: string): string {
  return createHmac('sha256', pepper).update(`sigil-refresh-successor:${token}`).digest('base64url');
}

/** Shape check before any database work: 43 base64url characters. */
export const looksLikeRefreshToken = looksLikeOpaqueToken;
