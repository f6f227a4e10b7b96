/**
 * @sigil/express: resource-server middleware that accepts Sigil access tokens (or any issuer's
 * JWKS-published JWTs) in Express 4 and 5 apps.
 *
 * @example
 * import { createSigil } from '@sigil/express';
 * const sigil = createSigil({ issuer: 'http://localhost:4000', audience: 'sigil' });
 * app.get('/api/lessons', sigil.requireAuth(), (req, res) => res.json({ user: req.auth?.sub }));
 * app.post('/api/lessons', sigil.requireAuth(), sigil.requireRole('admin'), createLesson);
 * app.delete('/api/lessons/:id', sigil.requireAuth(), sigil.requireAuthLevel({ amr: ['mfa'], maxAge: 300 }), deleteLesson);
 */
export { createSigil, type Sigil, type SigilOptions } from './create-sigil.ts';
export { requireAuth, type SigilMiddleware } from './require-auth.ts';
export { createVerifier, type AccessTokenVerifier, type VerifierOptions } from './verifier.ts';
export { requireScope, requireRole, type AuthorizeOptions } from './authorize.ts';
export { requireAuthLevel, type AuthLevel, type AuthLevelOptions } from './require-auth-level.ts';
export { sigilErrorHandler, problemErrorHandler, type SigilErrorHandler, type ProblemErrorHandlerOptions } from './error-handler.ts';
export {
  explainToken,
  EXPLAINED_CHECKS,
  type ExplainOptions,
  type ExplainedCheck,
  type ExplainedCheckName,
  type TokenExplanation,
} from './explain.ts';
export { bearerToken } from './extract-token.ts';
export {
  SigilAuthError,
  InvalidTokenError,
  InsufficientScopeError,
  InsufficientUserAuthenticationError,
  INVALID_TOKEN_REASONS,
  AUTH_LEVEL_REASONS,
  type InvalidTokenReason,
  type AuthLevelReason,
  type SigilAuthErrorCode,
} from './errors.ts';
export { toProblem, challenge, type AuthProblem } from './challenge.ts';
export { SigilError, type FieldError } from '@sigil/core';
export type { SigilClaims } from './claims.ts';
export type { RequireAuthOptions, JwksOptions, JsonWebKeySet, LocalKeySet, TokenCacheOptions, SigilLogger } from './options.ts';
export type { Algorithm } from './algorithms.ts';
