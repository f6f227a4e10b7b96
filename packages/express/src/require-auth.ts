/**
 * `requireAuth`: the Express middleware that accepts a request only with a valid access token and
 * puts its claims on `req.auth`. It reads the token (Authorization header, else the configured
 * cookie), hands it to the verification core (token-verifier.ts) and answers every failure with a
 * 401 challenge: no bad token can produce a 5xx or an unhandled rejection.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { availableParallelism } from 'node:os';
import { sendAuthError } from './challenge.ts';
import type { SigilClaims } from './claims.ts';
import { InvalidTokenError, type SigilAuthError } from './errors.ts';
import { bearerToken, cookieToken } from './extract-token.ts';
import { resolveOptions, type RequireAuthOptions, type ResolvedOptions } from './options.ts';
import { createTokenVerifier, type TokenVerifier } from './token-verifier.ts';

/**
 * A connect-style middleware. Typed on Node's own request/response so it fits Express 4 and
 * Express 5 apps alike (both `Request` types extend `IncomingMessage`).
 */
export type SigilMiddleware = (req: IncomingMessage, res: ServerResponse, next: (error?: unknown) => void) => void;

/**
 * Accepts requests bearing a valid access token from `issuer` for `audience`; sets `req.auth` to
 * its claims. Without a token: 401 with a bare `WWW-Authenticate: Bearer realm=...` challenge
 * (or, with `credentialsRequired: false`, the request goes on without `req.auth`). With a bad
 * token: 401 `invalid_token`. Options are checked now: a bad one throws `TypeError`.
 *
 * @example
 * app.get('/api/me', requireAuth({ issuer: 'http://localhost:4000', audience: 'sigil' }), (req, res) => {
 *   res.json(req.auth);
 * });
 */
export function requireAuth(options: RequireAuthOptions): SigilMiddleware {
  // A server checks many tokens at once: spread uncached signature checks over the cores.
  const config = resolveOptions(options, { caller: 'requireAuth', offloadSignatures: availableParallelism() > 1 });
  return authMiddleware(config, createTokenVerifier(config));
}

/** The middleware for an already resolved configuration and its verifier (shared by `createSigil`). */
export function authMiddleware(config: ResolvedOptions, verifier: TokenVerifier): SigilMiddleware {
  function fail(error: SigilAuthError, res: ServerResponse, next: (error?: unknown) => void): void {
    if (config.onError === 'next') next(error);
    else sendAuthError(res, error, config.realm);
  }

  return function sigilRequireAuth(req, res, next) {
    let result: SigilClaims | Promise<SigilClaims> | undefined;
    try {
      const token = credential(req, config);
      result = token === undefined ? undefined : verifier.check(token);
    } catch (error) {
      return fail(error as SigilAuthError, res, next);
    }
    // next() runs outside the try: an error thrown further down the chain is not a token error.
    if (result === undefined) return next();
    if (!(result instanceof Promise)) {
      setAuth(req, result);
      return next();
    }
    result.then(
      (claims) => {
        setAuth(req, claims);
        next();
      },
      (error: SigilAuthError) => fail(error, res, next),
    );
  };
}

/**
 * The request's token: the Bearer credential of the Authorization header, else the configured
 * cookie. `undefined` when there is none and none is required; throws when it is required, or
 * when the header says Bearer but carries nothing.
 */
function credential(req: IncomingMessage, config: ResolvedOptions): string | undefined {
  const header = req.headers.authorization;
  if (header !== undefined) {
    const token = bearerToken(header);
    if (token === null) throw new InvalidTokenError('token_malformed');
    if (token !== undefined) return token;
  }
  // No Bearer credential in the header (none, or another scheme): the cookie, when configured.
  const cookie = config.cookie === undefined ? undefined : cookieToken(req.headers.cookie, config.cookie);
  if (cookie !== undefined) return cookie;
  if (config.credentialsRequired) throw new InvalidTokenError('token_missing');
  return undefined;
}

function setAuth(req: IncomingMessage, claims: SigilClaims): void {
  (req as IncomingMessage & { auth?: SigilClaims }).auth = claims;
}
