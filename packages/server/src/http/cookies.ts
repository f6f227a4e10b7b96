import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { Request, Response } from 'express';
import type { Config } from '../config.ts';
import { SigilError } from '../errors.ts';

export const REFRESH_COOKIE = 'sigil_refresh';
export const CSRF_COOKIE = 'sigil_csrf';
export const CSRF_HEADER = 'x-csrf-token';
export const DELIVERY_HEADER = 'x-sigil-token-delivery';

/** Reads one cookie from the Cookie header (no dependency needed for two known names). */
export function readCookie(req: Request, name: string): string | undefined {
  const header = req.headers.cookie;
  if (!header) return undefined;
  for (const part of header.split(';')) {
    const index = part.indexOf('=');
    if (index === -1) continue;
    if (part.slice(0, index).trim() !== name) continue;
    const value = part.slice(index + 1).trim();
    try {
      return decodeURIComponent(value);
    } catch {
      return undefined;
    }
  }
  return undefined;
}

/**
 * `Secure` everywhere except a plain-http localhost issuer (local development), where browsers
 * would otherwise drop the cookie.
 */
export function isSecureContext(issuer: string): boolean {
  const url = new URL(issuer);
  return !(url.protocol === 'http:' && ['localhost', '127.0.0.1', '[::1]'].includes(url.hostname));
}

export function wantsCookieDelivery(req: Request, config: Config): boolean {
  if (config.cookieMode === 'off') return false;
  if (config.cookieMode === 'only') return true;
  return String(req.headers[DELIVERY_HEADER] ?? '').toLowerCase() === 'cookie';
}

export function setRefreshCookie(res: Response, token: string, config: Config, issuer: string): void {
  res.cookie(REFRESH_COOKIE, token, {
    httpOnly: true,
    secure: isSecureContext(issuer),
    sameSite: 'strict',
    path: '/auth',
    maxAge: config.refreshTtl * 1000,
  });
}

export function clearRefreshCookie(res: Response, issuer: string): void {
  res.clearCookie(REFRESH_COOKIE, { httpOnly: true, secure: isSecureContext(issuer), sameSite: 'strict', path: '/auth' });
}

/** Returns the CSRF token of this browser, creating and setting the cookie when absent. */
export function ensureCsrfCookie(req: Request, res: Response, issuer: string): string {
  const existing = readCookie(req, CSRF_COOKIE);
  if (existing && /^[A-Za-z0-9_-]{32,64}$/.test(existing)) return existing;
  const token = randomBytes(32).toString('base64url');
  // Readable by the page (double-submit), but SameSite=Strict so no other site ever sends it.
  res.cookie(CSRF_COOKIE, token, { httpOnly: false, secure: isSecureContext(issuer), sameSite: 'strict', path: '/' });
  return token;
}

function safeEqual(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
}

/**
 * CSRF defence for endpoints authenticated by the refresh cookie: the request must come from an
 * allowed origin (or the issuer itself) AND echo the CSRF cookie in the X-CSRF-Token header
 * (double submit). Either alone has known bypasses; together they close them.
 */
export function assertCsrf(req: Request, config: Config, issuer: string): void {
  const origin = req.headers.origin;
  const issuerOrigin = new URL(issuer).origin;
  if (!origin || (origin !== issuerOrigin && !config.allowedOrigins.includes(origin))) {
    throw new SigilError('invalid_request', 'Cross-site request refused (Origin not allowed)', { status: 403 });
  }
  const cookie = readCookie(req, CSRF_COOKIE);
  const header = req.headers[CSRF_HEADER];
  if (!cookie || typeof header !== 'string' || !safeEqual(cookie, header)) {
    throw new SigilError('invalid_request', 'Missing or invalid CSRF token', { status: 403 });
  }
}
