import { randomBytes } from 'node:crypto';
import type { Request, Response } from 'express';
import type { Config } from '../config.ts';
import { isSecureContext, readCookie, wantsCookieDelivery } from './cookies.ts';

/** The hosted login page's second-step cookie (docs/architecture.md, "Second factors"). */
export const MFA_COOKIE = 'sigil_mfa';

/**
 * The binding of an API client's login: its User-Agent and how it takes its refresh token. A
 * JSON client has no cookie of ours to prove it is the same client, so this is not a secret; it
 * keeps an mfa token that leaked from one client (a log, a proxy) from being finished by another
 * kind of client, and a body-delivery login from being finished in cookie delivery or back.
 */
export function apiBinding(req: Request, config: Config): string {
  const delivery = wantsCookieDelivery(req, config) ? 'cookie' : 'body';
  return `api:${delivery}:${req.headers['user-agent'] ?? ''}`;
}

/**
 * The binding of a hosted-page login: a random HttpOnly, SameSite=Strict cookie scoped to
 * `/login`, set when the password step asks for a second factor. The mfa token travels in the
 * page's hidden field; without this browser's cookie it is worth nothing.
 */
export function hostedBinding(value: string): string {
  return `hosted:${value}`;
}

/** A new second-step cookie value: 256 random bits. */
export function newMfaCookieValue(): string {
  return randomBytes(32).toString('base64url');
}

/** Sets the second-step cookie to `value` (from {@link newMfaCookieValue}). */
export function startMfaCookie(res: Response, issuer: string, maxAgeSeconds: number, value: string): void {
  res.cookie(MFA_COOKIE, value, {
    httpOnly: true,
    secure: isSecureContext(issuer),
    sameSite: 'strict',
    path: '/login',
    maxAge: maxAgeSeconds * 1000,
  });
}

/** The second-step cookie this browser sent, if any. */
export function mfaCookie(req: Request): string | undefined {
  const value = readCookie(req, MFA_COOKIE);
  return value && /^[A-Za-z0-9_-]{43}$/.test(value) ? value : undefined;
}

export function clearMfaCookie(res: Response, issuer: string): void {
  res.clearCookie(MFA_COOKIE, { httpOnly: true, secure: isSecureContext(issuer), sameSite: 'strict', path: '/login' });
}
