/**
 * Registered-claim checks on a payload whose signature already verified: iss, aud, exp, nbf, iat
 * with clock tolerance, plus the shape of the claims Sigil's helpers read (`scope`, `roles`).
 */
import type { SigilClaims } from './claims.ts';
import { InvalidTokenError } from './errors.ts';

/** Claims after validation, with the window (epoch ms, tolerance included) in which they hold. */
export interface ValidatedClaims {
  claims: SigilClaims;
  validFrom: number;
  validUntil: number;
}

export interface ClaimRules {
  readonly issuer: string;
  readonly audiences: readonly string[];
  readonly clockToleranceMs: number;
}

/**
 * Validates `payload` at time `now` (epoch ms). Throws {@link InvalidTokenError}. `freeze` (deep)
 * is for claims shared through the token cache; without the cache each request owns its copy.
 */
export function validateClaims(payload: Record<string, unknown>, rules: ClaimRules, now: number, freeze = true): ValidatedClaims {
  const { exp, nbf, iat, iss, aud } = payload;
  if (!isNumericDate(exp)) throw new InvalidTokenError('claims_invalid');
  if (nbf !== undefined && !isNumericDate(nbf)) throw new InvalidTokenError('claims_invalid');
  if (iat !== undefined && !isNumericDate(iat)) throw new InvalidTokenError('claims_invalid');
  for (const name of ['sub', 'jti', 'scope', 'sid'] as const) {
    if (payload[name] !== undefined && typeof payload[name] !== 'string') throw new InvalidTokenError('claims_invalid');
  }
  // Profile claims may be null (Sigil sends `name: null` for a user without a name).
  for (const name of ['email', 'name'] as const) {
    if (payload[name] !== undefined && payload[name] !== null && typeof payload[name] !== 'string')
      throw new InvalidTokenError('claims_invalid');
  }
  const roles = payload.roles;
  if (roles !== undefined && !(Array.isArray(roles) && roles.every((r) => typeof r === 'string'))) {
    throw new InvalidTokenError('claims_invalid');
  }

  if (iss !== rules.issuer) throw new InvalidTokenError('issuer_invalid');
  if (!audienceMatches(aud, rules.audiences)) throw new InvalidTokenError('audience_invalid');

  const tolerance = rules.clockToleranceMs;
  const validUntil = exp * 1000 + tolerance;
  if (now >= validUntil) throw new InvalidTokenError('token_expired');
  let validFrom = -Infinity;
  if (nbf !== undefined) validFrom = nbf * 1000 - tolerance;
  // A token "issued" in the future comes from a broken clock or a forger: not valid before its iat.
  if (iat !== undefined) validFrom = Math.max(validFrom, iat * 1000 - tolerance);
  if (now < validFrom) throw new InvalidTokenError('token_not_yet_valid');

  return { claims: (freeze ? deepFreeze(payload) : payload) as SigilClaims, validFrom, validUntil };
}

function isNumericDate(value: unknown): value is number {
  return typeof value === 'number' && Number.isFinite(value);
}

function audienceMatches(aud: unknown, accepted: readonly string[]): boolean {
  if (typeof aud === 'string') return accepted.includes(aud);
  return Array.isArray(aud) && aud.some((a) => typeof a === 'string' && accepted.includes(a));
}

// Cached claims are shared by every request carrying the token: freeze them so no handler can
// change what the next request sees.
function deepFreeze(value: unknown): unknown {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    for (const child of Object.values(value)) deepFreeze(child);
    Object.freeze(value);
  }
  return value;
}
