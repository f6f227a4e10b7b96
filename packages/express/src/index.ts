/**
 * @sigil/express: resource-server middleware that accepts Sigil access tokens (or any issuer's
 * JWKS-published JWTs) in Express 4 and 5 apps.
 *
 * @example
 * import { requireAuth, requireRole } from '@sigil/express';
 * const auth = requireAuth({ issuer: 'http://localhost:4000', audience: 'sigil' });
 * app.get('/api/lessons', auth, (req, res) => res.json({ user: req.auth?.sub }));
 * app.post('/api/lessons', auth, requireRole('admin'), createLesson);
 */
export { requireAuth, type SigilMiddleware } from './require-auth.ts';
export { createVerifier, type AccessTokenVerifier, type VerifierOptions } from './verifier.ts';
export { requireScope, requireRole, type AuthorizeOptions } from './authorize.ts';
export { sigilErrorHandler, type SigilErrorHandler } from './error-handler.ts';
export {
  SigilAuthError,
  InvalidTokenError,
  InsufficientScopeError,
  INVALID_TOKEN_REASONS,
  type InvalidTokenReason,
  type SigilAuthErrorCode,
} from './errors.ts';
export { toProblem, challenge, type AuthProblem } from './challenge.ts';
export type { SigilClaims } from './claims.ts';
export type { RequireAuthOptions, JwksOptions, TokenCacheOptions, SigilLogger } from './options.ts';
export type { Algorithm } from './algorithms.ts';
