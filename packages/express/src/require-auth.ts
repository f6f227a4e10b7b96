/**
 * `requireAuth`: the Express middleware that accepts a request only with a valid access token and
 * puts its claims on `req.auth`. The hot path (token seen before, still in its window) is a Map
 * lookup and two comparisons; a new token with a known key is verified synchronously; only a key
 * set fetch makes it asynchronous. Every failure becomes an {@link InvalidTokenError}: no bad token
 * can produce a 5xx or an unhandled rejection.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { SigilClaims } from './claims.ts';
import { sendAuthError } from './challenge.ts';
import { InvalidTokenError, SigilAuthError } from './errors.ts';
import { extractToken } from './extract-token.ts';
import { createJwksCache, type JwksCache } from './jwks-cache.ts';
import { decodePayload, parseJws, verifySignature, type ParsedJws } from './jws.ts';
import type { VerificationKey } from './key-set.ts';
import { resolveOptions, type RequireAuthOptions } from './options.ts';
import { createTokenCache, type CachedToken, type TokenCache } from './token-cache.ts';
import { validateClaims } from './validate-claims.ts';

/**
 * A connect-style middleware. Typed on Node's own request/response so it fits Express 4 and
 * Express 5 apps alike (both `Request` types extend `IncomingMessage`).
 */
export type SigilMiddleware = (req: IncomingMessage, res: ServerResponse, next: (error?: unknown) => void) => void;

const SECRET_FINGERPRINT = 'secret';

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
  const config = resolveOptions(options);
  const cache = config.tokenCacheMaxEntries > 0 ? createTokenCache(config.tokenCacheMaxEntries) : undefined;
  const jwks = config.secret
    ? undefined
    : createJwksCache({
        ...config.jwks,
        jwksUri: config.jwksUri,
        discoveryUri: config.discoveryUri,
        issuer: config.issuer,
        logger: config.logger,
        onKeysRemoved: cache ? (removed) => cache.evictKeys(removed) : undefined,
      });

  function fail(error: unknown, res: ServerResponse, next: (error?: unknown) => void): void {
    // Anything unexpected while checking a token is still answered as a bad token, never a 500,
    // but logged (by name only: a message could quote token bytes) since it hints at a bug.
    let authError: SigilAuthError;
    if (error instanceof SigilAuthError) authError = error;
    else {
      config.logger.warn({ event: 'unexpected_error', error: error instanceof Error ? error.name : typeof error }, 'sigil: unexpected error while checking a token');
      authError = new InvalidTokenError('token_malformed', { cause: error });
    }
    if (config.onError === 'next') next(authError);
    else sendAuthError(res, authError, config.realm);
  }

  /**
   * Checks the request's token. Returns undefined when the request may go on (`req.auth` set, or
   * optional auth without a token), or the parsed token when its key must be fetched first.
   * Throws for a token that cannot be accepted.
   */
  function check(req: IncomingMessage): (ParsedJws & { token: string }) | undefined {
    const token = extractToken(req, config.cookie);
    if (token === undefined) {
      if (config.credentialsRequired) throw new InvalidTokenError('token_missing');
      return undefined;
    }
    if (token === null) throw new InvalidTokenError('token_malformed');
    if (cache) {
      const hit = cache.get(token);
      if (hit !== undefined) {
        const now = Date.now();
        if (now >= hit.validFrom && now < hit.validUntil) {
          (req as { auth?: SigilClaims }).auth = hit.claims;
          return undefined;
        }
        // Out of its window: forget it and let a full check produce the precise error.
        cache.delete(token);
      }
    }
    const parsed = parseJws(token, config.maxTokenLength, config.algorithms, config.typ);
    const key = config.secret ?? findKey(jwks as JwksCache, parsed);
    if (key === undefined) return { ...parsed, token };
    accept(req, token, parsed, key);
    return undefined;
  }

  return function sigilRequireAuth(req, res, next) {
    let waiting: (ParsedJws & { token: string }) | undefined;
    try {
      waiting = check(req);
    } catch (error) {
      return fail(error, res, next);
    }
    // next() runs outside the try: an error thrown further down the chain is not a token error.
    if (waiting === undefined) return next();
    const parsed = waiting;

    const keySet = jwks as JwksCache;
    keySet.reload(parsed.header.kid).then(() => {
      try {
        const found = findKey(keySet, parsed);
        if (found === undefined) throw new InvalidTokenError(keySet.loaded ? 'key_not_found' : 'jwks_unavailable');
        accept(req, parsed.token, parsed, found);
      } catch (error) {
        return fail(error, res, next);
      }
      next();
    }, (error: unknown) => fail(error, res, next));
  };

  function accept(req: IncomingMessage, token: string, parsed: ParsedJws, key: VerificationKey | Buffer): void {
    const isSecret = Buffer.isBuffer(key);
    if (!verifySignature(parsed.header.alg, isSecret ? key : key.key, parsed.signingInput, parsed.signature)) {
      throw new InvalidTokenError('signature_invalid');
    }
    const { claims, validFrom, validUntil } = validateClaims(decodePayload(parsed.payloadSegment), config, Date.now());
    if (cache) {
      const entry: CachedToken = { claims, validFrom, validUntil, keyFingerprint: isSecret ? SECRET_FINGERPRINT : key.fingerprint };
      cache.set(token, entry);
    }
    (req as { auth?: SigilClaims }).auth = claims;
  }
}

/** The verification key for a parsed token, `undefined` when the key set must be (re)loaded. */
function findKey(jwks: JwksCache, parsed: ParsedJws): VerificationKey | undefined {
  const key = jwks.lookup(parsed.header.kid, parsed.header.alg);
  if (key === 'mismatch') throw new InvalidTokenError('key_mismatch');
  return key;
}
