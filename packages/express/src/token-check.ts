/**
 * The token logic shared by `requireAuth` and `createVerifier`, free of HTTP: verified-token cache
 * first, then parse, key lookup, signature and claims. Synchronous whenever the key is at hand;
 * only a key set fetch makes a check asynchronous (the caller gets a `Pending` to finish).
 */
import { createSecretKey, type KeyObject } from 'node:crypto';
import type { SigilClaims } from './claims.ts';
import { InvalidTokenError, SigilAuthError } from './errors.ts';
import { createJwksCache, type JwksCache } from './jwks-cache.ts';
import { decodePayload, parseJws, verifySignature, type ParsedJws } from './jws.ts';
import type { VerificationKey } from './key-set.ts';
import type { ResolvedOptions } from './options.ts';
import { createTokenCache } from './token-cache.ts';
import { validateClaims } from './validate-claims.ts';

const PENDING: unique symbol = Symbol('sigil.pending');

/** A structurally valid token whose key must be fetched before it can be checked. */
export interface Pending {
  readonly [PENDING]: true;
  readonly parsed: ParsedJws;
  readonly token: string;
}

/** Checks tokens against one resolved configuration. */
export interface TokenCheck {
  /** Claims of a valid token, a {@link Pending} when the key set must be fetched; throws {@link InvalidTokenError}. */
  checkSync(token: string): SigilClaims | Pending;
  /** Fetches the key set as needed and finishes the check; rejects with {@link InvalidTokenError} only. */
  finish(pending: Pending): Promise<SigilClaims>;
  /** Turns anything thrown while checking into a {@link SigilAuthError} (unexpected errors are logged by name). */
  toAuthError(error: unknown): SigilAuthError;
}

const SECRET_FINGERPRINT = 'secret';

/** Builds the checker for `config`: one token cache and one key set cache. */
export function createTokenCheck(config: ResolvedOptions): TokenCheck {
  // Imported once: createHmac() re-imports a Buffer key on every call (most of an HS256 check).
  const secretKey = config.secret ? createSecretKey(config.secret) : undefined;
  const cache = config.tokenCacheMaxEntries > 0 ? createTokenCache(config.tokenCacheMaxEntries) : undefined;
  const jwks: JwksCache | undefined = config.secret
    ? undefined
    : createJwksCache({
        ...config.jwks,
        jwksUri: config.jwksUri,
        discoveryUri: config.discoveryUri,
        issuer: config.issuer,
        logger: config.logger,
        onKeysRemoved: cache ? (removed) => cache.evictKeys(removed) : undefined,
      });

  function accept(token: string, parsed: ParsedJws, key: VerificationKey | KeyObject): SigilClaims {
    const isSecret = key === secretKey;
    if (!verifySignature(parsed.header.alg, isSecret ? (key as KeyObject) : (key as VerificationKey).key, parsed.signingInput, parsed.signature)) {
      throw new InvalidTokenError('signature_invalid');
    }
    const { claims, validFrom, validUntil } = validateClaims(decodePayload(parsed.payloadSegment), config, Date.now(), cache !== undefined);
    cache?.set(token, { claims, validFrom, validUntil, keyFingerprint: isSecret ? SECRET_FINGERPRINT : (key as VerificationKey).fingerprint });
    return claims;
  }

  function findKey(keySet: JwksCache, parsed: ParsedJws): VerificationKey | undefined {
    const key = keySet.lookup(parsed.header.kid, parsed.header.alg);
    if (key === 'mismatch') throw new InvalidTokenError('key_mismatch');
    return key;
  }

  return {
    checkSync(token) {
      if (cache) {
        const hit = cache.get(token);
        if (hit !== undefined) {
          const now = Date.now();
          jwks?.refreshIfStale(now);
          if (now >= hit.validFrom && now < hit.validUntil) return hit.claims;
          // Out of its window: forget it and let a full check produce the precise error.
          cache.delete(token);
        }
      }
      const parsed = parseJws(token, config.maxTokenLength, config.algorithms, config.typ);
      const key = secretKey ?? findKey(jwks as JwksCache, parsed);
      return key === undefined ? { [PENDING]: true, parsed, token } : accept(token, parsed, key);
    },

    async finish({ parsed, token }) {
      const keySet = jwks as JwksCache;
      await keySet.reload(parsed.header.kid);
      const key = findKey(keySet, parsed);
      if (key === undefined) throw new InvalidTokenError(keySet.loaded ? 'key_not_found' : 'jwks_unavailable');
      return accept(token, parsed, key);
    },

    toAuthError(error) {
      if (error instanceof SigilAuthError) return error;
      // Still answered as a bad token, never a 500, but logged (by name only: a message could
      // quote token bytes) since it hints at a bug.
      config.logger.warn({ event: 'unexpected_error', error: error instanceof Error ? error.name : typeof error }, 'sigil: unexpected error while checking a token');
      return new InvalidTokenError('token_malformed', { cause: error });
    },
  };
}

/** True when `checkSync` needs the asynchronous {@link TokenCheck.finish}. */
export function isPending(result: SigilClaims | Pending): result is Pending {
  // A symbol key: no claim set parsed from JSON can carry it.
  return PENDING in result;
}
