/**
 * The HTTP face of the middleware's errors: the RFC 6750 `WWW-Authenticate` challenge (with RFC
 * 9470's `max_age` and `acr_values` for a step-up) and the RFC 9457 problem+json body, both built
 * by @sigil/core.
 */
import { bearerChallenge, sendProblem, toProblem, type ProblemDetails, type ProblemResponse } from '@sigil/core';
import { InsufficientScopeError, InsufficientUserAuthenticationError, InvalidTokenError, type SigilAuthError } from './errors.ts';

/** RFC 9457 body sent for a {@link SigilAuthError}. */
export type AuthProblem = ProblemDetails;

export { toProblem };

/**
 * The `WWW-Authenticate` value for `error`. A request that sent no token gets a bare `realm`
 * challenge (RFC 6750 3.1: no `error` when credentials are simply missing).
 *
 * @example
 * res.set('WWW-Authenticate', challenge(err, 'sigil')); // Bearer realm="sigil", error="invalid_token", ...
 */
export function challenge(error: SigilAuthError, realm: string): string {
  const missing = error instanceof InvalidTokenError && error.reason === 'token_missing';
  const scope = error instanceof InsufficientScopeError && error.kind === 'scope' ? error.required : undefined;
  const level = error instanceof InsufficientUserAuthenticationError ? error : undefined;
  return bearerChallenge({
    realm,
    ...(missing ? {} : { error }),
    ...(scope ? { scope } : {}),
    ...(level?.maxAge === undefined ? {} : { maxAge: level.maxAge }),
    ...(level?.acrValues ? { acrValues: level.acrValues } : {}),
  });
}

/** Writes the full error response (status, challenge, no-store, problem+json) unless one was sent. */
export function sendAuthError(res: ProblemResponse, error: SigilAuthError, realm: string): void {
  sendProblem(res, error, { 'WWW-Authenticate': challenge(error, realm) });
}
