/**
 * `createSigil`: the middleware set for one issuer, configured once. `requireAuth`,
 * `requireScope`, `requireRole`, `requireAuthLevel` and the error handler share one verifier (one
 * token cache, one key set) and one `realm` / `onError` (and `requireAuthLevel` the verifier's
 * clock and clock tolerance).
 */
import { availableParallelism } from 'node:os';
import { authorizer, hasAnyRole, hasScopes } from './authorize.ts';
import { problemErrorHandler, sigilErrorHandler, type ProblemErrorHandlerOptions, type SigilErrorHandler } from './error-handler.ts';
import { resolveOptions, type RequireAuthOptions } from './options.ts';
import { authMiddleware, type SigilMiddleware } from './require-auth.ts';
import { authLevelMiddleware, type AuthLevel } from './require-auth-level.ts';
import { createTokenVerifier } from './token-verifier.ts';
import { promising, type AccessTokenVerifier } from './verifier.ts';

/** Options of {@link createSigil}: those of `requireAuth`, for every middleware it makes. */
export type SigilOptions = RequireAuthOptions;

export interface Sigil {
  /**
   * The authentication middleware. `{ credentialsRequired: false }` makes one that lets requests
   * without a token through (a bad token is still refused).
   */
  requireAuth(options?: { credentialsRequired?: boolean }): SigilMiddleware;
  /** Requires ALL the listed scopes (after `requireAuth`). */
  requireScope(...scopes: string[]): SigilMiddleware;
  /** Requires ANY of the listed roles (after `requireAuth`). */
  requireRole(...roles: string[]): SigilMiddleware;
  /**
   * Requires a sign-in strong and recent enough (after `requireAuth`): 401
   * `insufficient_user_authentication` otherwise (RFC 9470 step-up).
   *
   * @example
   * app.delete('/api/lessons/:id', sigil.requireAuth(), sigil.requireAuthLevel({ amr: ['mfa'], maxAge: 300 }), deleteLesson);
   */
  requireAuthLevel(level: AuthLevel): SigilMiddleware;
  /** `sigilErrorHandler` with this set's realm: renders Sigil's errors, passes the others on. */
  errorHandler(): SigilErrorHandler;
  /** `problemErrorHandler` with this set's realm: renders every error as problem+json. */
  problemHandler(options?: Omit<ProblemErrorHandlerOptions, 'realm'>): SigilErrorHandler;
  /** The same checks outside Express (WebSocket upgrades, queues): claims, or an `InvalidTokenError`. */
  verify: AccessTokenVerifier;
}

/**
 * Sets Sigil up for one issuer; bad options throw `TypeError` now.
 *
 * @example
 * const sigil = createSigil({ issuer: 'https://auth.example.com', audience: 'lessons-api', realm: 'lessons' });
 * app.get('/api/lessons', sigil.requireAuth(), listLessons);
 * app.post('/api/lessons', sigil.requireAuth(), sigil.requireRole('admin'), createLesson);
 */
export function createSigil(options: SigilOptions): Sigil {
  const config = resolveOptions(options, { caller: 'createSigil', offloadSignatures: availableParallelism() > 1 });
  const verifier = createTokenVerifier(config);
  const required = authMiddleware(config, verifier);
  const optional = authMiddleware(Object.freeze({ ...config, credentialsRequired: false }), verifier);
  const settings = { realm: config.realm, onError: config.onError };
  return Object.freeze({
    requireAuth: ({ credentialsRequired = config.credentialsRequired } = {}) => (credentialsRequired ? required : optional),
    requireScope: (...scopes: string[]) => authorizer('scope', scopes, hasScopes, settings),
    requireRole: (...roles: string[]) => authorizer('role', roles, hasAnyRole, settings),
    requireAuthLevel: (level: AuthLevel) =>
      authLevelMiddleware(
        level,
        { ...settings, clock: config.clock, clockToleranceMs: config.clockToleranceMs },
        'createSigil.requireAuthLevel',
      ),
    errorHandler: () => sigilErrorHandler({ realm: config.realm }),
    problemHandler: (handlerOptions = {}) => problemErrorHandler({ ...handlerOptions, realm: config.realm }),
    verify: promising(verifier),
  });
}
