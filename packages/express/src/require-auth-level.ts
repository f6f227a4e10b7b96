/**
 * `requireAuthLevel`: per-route step-up (RFC 9470). After `requireAuth`, it checks how and when
 * the user signed in, from the verified token's `amr`, `auth_time` and `acr`, and answers a token
 * that is valid but too weak or too old with 401 `insufficient_user_authentication` and a challenge
 * that names the route's `max_age` and `acr_values`: the client signs in again (with its second
 * factor) and retries.
 */
import type { SigilClaims } from './claims.ts';
import { guard, type AuthorizeOptions } from './authorize.ts';
import { InsufficientUserAuthenticationError, type AuthLevelReason } from './errors.ts';
import { checker } from './options.ts';
import type { SigilMiddleware } from './require-auth.ts';

/** What a route demands of the sign-in behind a token. Give at least one. */
export interface AuthLevel {
  /**
   * RFC 8176 methods the sign-in must ALL have used, from the token's `amr`: `['mfa']` for any
   * second factor, `['otp']` for a one-time code, `['hwk']` for a hardware key.
   */
  amr?: readonly string[];
  /** The most seconds allowed since the user last actively signed in (`auth_time`); a token without `auth_time` fails. */
  maxAge?: number;
  /** Authentication context classes accepted (OIDC `acr`), in order of preference: the token's `acr` must be one of them. */
  acrValues?: readonly string[];
}

/** Options of {@link requireAuthLevel}: the level, and those of `requireScope`/`requireRole`. */
export interface AuthLevelOptions extends AuthLevel, AuthorizeOptions {
  /** Seconds of clock skew accepted on `maxAge`, as `requireAuth` accepts on `exp`. @default 5 */
  clockTolerance?: number;
  /** The current time in epoch ms. @default Date.now */
  clock?: () => number;
}

/** A level checked once, with what the middleware needs to answer. */
export interface AuthLevelSettings {
  realm: string;
  onError: 'respond' | 'next';
  clock: () => number;
  clockToleranceMs: number;
}

/**
 * Requires a sign-in strong and recent enough for the route: every method of `amr` in the token's
 * `amr`, `auth_time` at most `maxAge` seconds ago, `acr` one of `acrValues`. Goes after
 * `requireAuth` (without `req.auth` it answers 401 like a request without a token). Options are
 * checked now: a bad one throws `TypeError`.
 *
 * @example
 * // Deleting needs a second factor used within the last 5 minutes.
 * app.delete('/api/lessons/:id', requireAuth(opts), requireAuthLevel({ amr: ['mfa'], maxAge: 300 }), deleteLesson);
 */
export function requireAuthLevel(options: AuthLevelOptions): SigilMiddleware {
  const check = checker('requireAuthLevel');
  if (typeof options !== 'object' || options === null) throw check.error('options must be an object');
  const onError = options.onError ?? 'respond';
  if (onError !== 'respond' && onError !== 'next') throw check.error("onError must be 'respond' or 'next'");
  const clock = options.clock ?? Date.now;
  if (typeof clock !== 'function') throw check.error('clock must be a function returning epoch milliseconds');
  return authLevelMiddleware(options, {
    realm: check.realm(options.realm ?? 'sigil'),
    onError,
    clock,
    clockToleranceMs: check.nonNegative(options.clockTolerance ?? 5, 'clockTolerance') * 1000,
  });
}

/** The step-up middleware for settled answer settings (shared by `createSigil`); checks `level` now. */
export function authLevelMiddleware(level: AuthLevel, settings: AuthLevelSettings, caller = 'requireAuthLevel'): SigilMiddleware {
  const check = checker(caller);
  if (typeof level !== 'object' || level === null) throw check.error('give the level as an object');
  const amr = level.amr === undefined ? undefined : names(level.amr, 'amr', check);
  const acrValues = level.acrValues === undefined ? undefined : names(level.acrValues, 'acrValues', check);
  const maxAge = level.maxAge;
  if (maxAge !== undefined && !(typeof maxAge === 'number' && Number.isInteger(maxAge) && maxAge >= 0))
    throw check.error('maxAge must be a whole number of seconds (0 or more)');
  if (amr === undefined && maxAge === undefined && acrValues === undefined) throw check.error('give amr, maxAge or acrValues');
  const requirements = { maxAge, acrValues };
  const { clock, clockToleranceMs } = settings;

  /** The first requirement the sign-in behind `claims` fails, in the order the options list them. */
  function unmet(claims: SigilClaims): AuthLevelReason | undefined {
    if (amr && !amr.every((method) => claims.amr?.includes(method))) return 'amr';
    if (maxAge !== undefined) {
      // A token that does not say when the user signed in cannot prove it was recently.
      if (claims.auth_time === undefined || clock() > (claims.auth_time + maxAge) * 1000 + clockToleranceMs) return 'max_age';
    }
    if (acrValues && !(claims.acr !== undefined && acrValues.includes(claims.acr))) return 'acr';
    return undefined;
  }

  return guard((claims) => {
    const reason = unmet(claims);
    return reason && new InsufficientUserAuthenticationError(reason, requirements);
  }, settings);
}

/** A non-empty list of names fit for a challenge: no spaces, quotes or backslashes. Frozen. */
function names(value: unknown, name: string, check: ReturnType<typeof checker>): readonly string[] {
  if (!Array.isArray(value) || value.length === 0 || !value.every((item) => typeof item === 'string' && /^[^\s"\\]+$/.test(item)))
    throw check.error(`${name} must be a non-empty array of strings without spaces or quotes`);
  return Object.freeze([...(value as string[])]);
}
