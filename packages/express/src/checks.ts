/**
 * The checks a token must pass, one function each. Every check throws an {@link InvalidTokenError}
 * naming its reason. The verifier (token-verifier.ts) runs them in order and stops at the first
 * failure; `explainToken` (explain.ts) runs each of them and reports all: one set of rules for
 * both, so an explanation never disagrees with the verdict.
 */
import { isAlgorithm, type Algorithm } from './algorithms.ts';
import type { SigilClaims } from './claims.ts';
import { InvalidTokenError } from './errors.ts';

/** The header fields a verifier reads. `jku`, `x5u`, `jwk` and `x5c` are never read. */
export interface CheckedHeader {
  readonly alg: Algorithm;
  readonly kid: string | undefined;
}

/** The allow-list decides; the header only says which allowed algorithm applies. */
export function checkAlgorithm(header: Record<string, unknown>, allowed: ReadonlySet<Algorithm>): Algorithm {
  const alg = header.alg;
  if (!isAlgorithm(alg) || !allowed.has(alg)) throw new InvalidTokenError('alg_not_allowed');
  return alg;
}

/** RFC 7515 4.1.11: no extension is understood, so any `crit` makes the token unusable; `kid` is a string. */
export function checkHeaderFields(header: Record<string, unknown>): { kid: string | undefined } {
  if (header.crit !== undefined) throw new InvalidTokenError('header_invalid');
  const kid = header.kid;
  if (kid !== undefined && typeof kid !== 'string') throw new InvalidTokenError('header_invalid');
  return { kid };
}

/** `typ` compared case-insensitively, `application/` prefix optional (RFC 7515 4.1.9); `expected` is normalised. */
export function checkTyp(header: Record<string, unknown>, expected: string | false): void {
  if (expected === false) return;
  const typ = typeof header.typ === 'string' ? header.typ.toLowerCase() : undefined;
  if ((typ?.startsWith('application/') ? typ.slice(12) : typ) !== expected) throw new InvalidTokenError('typ_invalid');
}

/**
 * The shape of the registered claims and of those Sigil's helpers read (`scope`, `roles`,
 * `email_verified`, and `amr`, `auth_time`, `acr` for `requireAuthLevel`): a payload that passes is a
 * {@link SigilClaims}. A malformed `amr` or `auth_time` is refused here, so a step-up check never
 * has to guess what an odd value means.
 */
export function checkClaimTypes(payload: Record<string, unknown>): asserts payload is SigilClaims {
  if (!isNumericDate(payload.exp)) throw new InvalidTokenError('claims_invalid');
  for (const name of ['nbf', 'iat', 'auth_time'] as const) {
    if (payload[name] !== undefined && !isNumericDate(payload[name])) throw new InvalidTokenError('claims_invalid');
  }
  for (const name of ['sub', 'jti', 'scope', 'sid', 'acr'] as const) {
    if (payload[name] !== undefined && typeof payload[name] !== 'string') throw new InvalidTokenError('claims_invalid');
  }
  // Profile claims may be null (Sigil sends `name: null` for a user without a name).
  for (const name of ['email', 'name'] as const) {
    if (payload[name] !== undefined && payload[name] !== null && typeof payload[name] !== 'string')
      throw new InvalidTokenError('claims_invalid');
  }
  if (payload.email_verified !== undefined && typeof payload.email_verified !== 'boolean') throw new InvalidTokenError('claims_invalid');
  for (const name of ['roles', 'amr'] as const) {
    const list = payload[name];
    if (list !== undefined && !(Array.isArray(list) && list.every((item) => typeof item === 'string')))
      throw new InvalidTokenError('claims_invalid');
  }
}

export function checkIssuer(claims: SigilClaims, issuer: string): void {
  if (claims.iss !== issuer) throw new InvalidTokenError('issuer_invalid');
}

/** The token must carry at least one accepted audience (`aud` is a string or an array). */
export function checkAudience(claims: SigilClaims, accepted: readonly string[]): void {
  const aud: unknown = claims.aud;
  const matches =
    typeof aud === 'string' ? accepted.includes(aud) : Array.isArray(aud) && aud.some((a) => typeof a === 'string' && accepted.includes(a));
  if (!matches) throw new InvalidTokenError('audience_invalid');
}

/**
 * When a token with valid claim types holds, in epoch ms, clock tolerance included: from its `nbf`
 * or `iat`, whichever is later (a token "issued" in the future comes from a broken clock or a
 * forger), up to but not at its `exp`. The verified-token cache serves a token inside this window only.
 */
export interface ValidityWindow {
  readonly from: number;
  readonly until: number;
}

export function validityWindow(claims: SigilClaims, toleranceMs: number): ValidityWindow {
  const starts = [claims.nbf, claims.iat].filter((value): value is number => value !== undefined);
  return { from: starts.length ? Math.max(...starts) * 1000 - toleranceMs : -Infinity, until: claims.exp * 1000 + toleranceMs };
}

export function checkExpiry(claims: SigilClaims, toleranceMs: number, now: number): void {
  if (now >= claims.exp * 1000 + toleranceMs) throw new InvalidTokenError('token_expired');
}

/** `nbf` or `iat` (whichever `name` says) not after `now`, within the tolerance. */
export function checkNotBefore(claims: SigilClaims, name: 'nbf' | 'iat', toleranceMs: number, now: number): void {
  const start = claims[name];
  if (start !== undefined && now < start * 1000 - toleranceMs) throw new InvalidTokenError('token_not_yet_valid');
}

/** Every claim check on a payload whose signature verified, in the verifier's order. */
export function checkClaims(
  payload: Record<string, unknown>,
  rules: { issuer: string; audiences: readonly string[]; clockToleranceMs: number },
  now: number,
): SigilClaims {
  checkClaimTypes(payload);
  checkIssuer(payload, rules.issuer);
  checkAudience(payload, rules.audiences);
  checkExpiry(payload, rules.clockToleranceMs, now);
  checkNotBefore(payload, 'nbf', rules.clockToleranceMs, now);
  checkNotBefore(payload, 'iat', rules.clockToleranceMs, now);
  return payload;
}

function isNumericDate(value: unknown): value is number {
  return typeof value === 'number' && Number.isFinite(value);
}
