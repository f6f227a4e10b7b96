/**
 * `requireAuth`: the Express middleware that accepts a request only with a valid access token and
 * puts its claims on `req.auth`. The hot path (token seen before, still in its window) is a Map
 * lookup and a few comparisons, synchronous; a new token's signature is checked on the thread pool
 * (or inline: `offloadSignatures`), and an unknown key makes the key set be fetched. Every failure
 * becomes an {@link InvalidTokenError}: no bad token can produce a 5xx or an unhandled rejection.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { availableParallelism } from 'node:os';
import type { SigilClaims } from './claims.ts';
import { sendAuthError } from './challenge.ts';
import { InvalidTokenError, type SigilAuthError } from './errors.ts';
import { bearerToken, cookieToken } from './extract-token.ts';
import { resolveOptions, type RequireAuthOptions } from './options.ts';
import { createTokenCheck, isPending, type Pending } from './token-check.ts';

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
  const config = resolveOptions(options, { offloadSignatures: availableParallelism() > 1 });
  const tokens = createTokenCheck(config);

  function fail(error: unknown, res: ServerResponse, next: (error?: unknown) => void): void {
    const authError: SigilAuthError = tokens.toAuthError(error);
    if (config.onError === 'next') next(authError);
    else sendAuthError(res, authError, config.realm);
  }

  /**
   * The full check, for a request the hot path did not answer. Claims to set, `undefined` to go on
   * without (optional auth), or a {@link Pending} check. Throws for a bad token.
   */
  function check(req: IncomingMessage, header: string | undefined): SigilClaims | Pending | undefined {
    if (header !== undefined) {
      const token = bearerToken(header);
      if (token === null) throw new InvalidTokenError('token_malformed');
      // The full check caches a valid token under the whole header value, for the hot path's
      // lookup next time.
      if (token !== undefined) return tokens.checkSync(token, header);
    }
    // No Bearer credential in the header (none, or another scheme): the cookie, when configured.
    const token = config.cookie === undefined ? undefined : cookieToken(req.headers.cookie, config.cookie);
    if (token === undefined) {
      if (config.credentialsRequired) throw new InvalidTokenError('token_missing');
      return undefined;
    }
    return tokens.cached(token) ?? tokens.checkSync(token);
  }

  function checkInFull(req: IncomingMessage, res: ServerResponse, next: (error?: unknown) => void, header: string | undefined): void {
    let result: SigilClaims | Pending | undefined;
    try {
      result = check(req, header);
    } catch (error) {
      return fail(error, res, next);
    }
    // next() runs outside the try: an error thrown further down the chain is not a token error.
    if (result === undefined) return next();
    if (!isPending(result)) {
      (req as { auth?: SigilClaims }).auth = result;
      return next();
    }
    tokens.finish(result).then(
      (claims) => {
        (req as { auth?: SigilClaims }).auth = claims;
        next();
      },
      (error: unknown) => fail(error, res, next),
    );
  }

  // The hot path stays this small on purpose, with everything else behind a call: Turbofan inlines
  // what a function calls within a cumulative bytecode budget, and when the hot path was larger,
  // Express's route dispatch (`next` -> `handleRequest`) no longer fit into this function as it does
  // into an empty middleware (--trace-turbo-inlining). See also TokenCache.hit and refreshIfStale.
  return function sigilRequireAuth(req, res, next) {
    const header = req.headers.authorization;
    // Hot path: this very header value was accepted before. Only "Bearer <token>" headers (a space
    // at index 6) and bare tokens (no space at all) are ever cached, so a header with a space there
    // can only match a Bearer header that was checked in full.
    if (header !== undefined && header.charCodeAt(6) === 0x20) {
      const claims = tokens.cached(header);
      if (claims !== undefined) {
        (req as { auth?: SigilClaims }).auth = claims;
        return next();
      }
    }
    checkInFull(req, res, next, header);
  };
}
