/**
 * Errors raised by @sigil/express. Three public classes share one base: a token that cannot be
 * accepted (401 `invalid_token`), a valid token without the right permissions (403
 * `insufficient_scope`) and a valid token whose sign-in is too weak or too old for the route (401
 * `insufficient_user_authentication`, RFC 9470). The finer `reason` says why, for logs and tests; clients only ever see
 * the `code` and the fixed, token-free sentence of that reason. All are @sigil/core's
 * `SigilError`s, so the auth server and the middleware render them the same way.
 */
import { SigilError, type ErrorCode, type SigilErrorOptions } from '@sigil/core';

/** Why a token was refused. Stable strings: assert on these, never on messages. */
export const INVALID_TOKEN_REASONS = {
  token_missing: 'No access token was sent',
  token_malformed: 'The access token is not a well-formed compact JWS',
  token_too_large: 'The access token is too large',
  alg_not_allowed: 'The token algorithm is not allowed',
  typ_invalid: 'The token type is not accepted',
  header_invalid: 'The token header is invalid',
  key_not_found: 'No signing key matches the token',
  key_mismatch: 'The signing key does not match the token algorithm',
  signature_invalid: 'The token signature is invalid',
  claims_invalid: 'The token claims are invalid',
  issuer_invalid: 'The token issuer is not accepted',
  audience_invalid: 'The token audience is not accepted',
  token_expired: 'The access token expired',
  token_not_yet_valid: 'The access token is not yet valid',
  jwks_unavailable: 'The signing keys are temporarily unavailable',
} as const satisfies Record<string, string>;

/** Stable reason of an {@link InvalidTokenError}. */
export type InvalidTokenReason = keyof typeof INVALID_TOKEN_REASONS;

/** The codes of @sigil/core's table this package produces. */
export type SigilAuthErrorCode = Extract<ErrorCode, 'invalid_token' | 'insufficient_scope' | 'insufficient_user_authentication'>;

/**
 * Base of every error @sigil/express raises for a request. `message` is safe to send to a client:
 * it never contains the token. `cause` keeps the underlying error for logs only.
 *
 * @example
 * if (err instanceof SigilAuthError) res.status(err.status).json({ code: err.code });
 */
export class SigilAuthError extends SigilError {
  declare readonly code: SigilAuthErrorCode;

  constructor(code: SigilAuthErrorCode, message: string, options?: SigilErrorOptions) {
    super(code, message, options);
  }
}

/**
 * The request carries no acceptable access token: 401 `invalid_token`.
 *
 * @example
 * if (err instanceof InvalidTokenError && err.reason === 'token_expired') metrics.expired++;
 */
export class InvalidTokenError extends SigilAuthError {
  readonly reason: InvalidTokenReason;

  constructor(reason: InvalidTokenReason, options?: { cause?: unknown }) {
    super('invalid_token', INVALID_TOKEN_REASONS[reason], options);
    this.reason = reason;
  }
}

/**
 * The token is valid but lacks a required scope or role: 403 `insufficient_scope`.
 * `required` lists what the route asked for (scopes or roles), never what the token holds.
 *
 * @example
 * app.post('/lessons', requireAuth(opts), requireRole('admin'), createLesson);
 */
export class InsufficientScopeError extends SigilAuthError {
  readonly required: readonly string[];
  readonly kind: 'scope' | 'role';

  constructor(kind: 'scope' | 'role', required: readonly string[]) {
    super('insufficient_scope', kind === 'scope' ? 'The access token lacks a required scope' : 'The access token lacks a required role');
    this.kind = kind;
    this.required = required;
  }
}

/** Which requirement of `requireAuthLevel` a token failed. Stable strings: assert on these. */
export const AUTH_LEVEL_REASONS = {
  amr: 'A stronger authentication method is required',
  max_age: 'A more recent authentication is required',
  acr: 'A different authentication level is required',
} as const satisfies Record<string, string>;

/** Stable reason of an {@link InsufficientUserAuthenticationError}. */
export type AuthLevelReason = keyof typeof AUTH_LEVEL_REASONS;

/**
 * The token is valid but the sign-in behind it does not meet the route's `requireAuthLevel`: a
 * required method is missing from `amr` (`reason` `amr`), `auth_time` is older than `maxAge` or
 * absent (`max_age`), or `acr` is not one of `acrValues` (`acr`). 401
 * `insufficient_user_authentication` (RFC 9470): the client signs in again, with the second
 * factor, and retries. `maxAge` and `acrValues` are the route's requirements, sent in the challenge.
 *
 * @example
 * if (err instanceof InsufficientUserAuthenticationError) metrics.stepUps.inc({ reason: err.reason });
 */
export class InsufficientUserAuthenticationError extends SigilAuthError {
  readonly reason: AuthLevelReason;
  readonly maxAge: number | undefined;
  readonly acrValues: readonly string[] | undefined;

  constructor(reason: AuthLevelReason, requirements: { maxAge?: number | undefined; acrValues?: readonly string[] | undefined } = {}) {
    super('insufficient_user_authentication', AUTH_LEVEL_REASONS[reason]);
    this.reason = reason;
    this.maxAge = requirements.maxAge;
    this.acrValues = requirements.acrValues;
  }
}
