/**
 * The token logic shared by `requireAuth` and `createVerifier`, free of HTTP: verified-token cache
 * first, then parse, key lookup, signature and claims. Synchronous whenever the key is at hand and
 * signatures are checked on the event loop; a key set fetch, or a signature check sent to the
 * thread pool (`offloadSignatures`), makes it asynchronous (the caller gets a `Pending` to finish).
 */
import { createSecretKey, type KeyObject } from 'node:crypto';
import type { SigilClaims } from './claims.ts';
import { InvalidTokenError, SigilAuthError } from './errors.ts';
import { createJwksCache, type JwksCache } from './jwks-cache.ts';
import { createHeaderMemo, decodePayload, parseJws, verifySignature, verifySignatureOffThread, type ParsedJws } from './jws.ts';
import type { VerificationKey } from './key-set.ts';
import type { ResolvedOptions } from './options.ts';
import { createTokenCache, type TokenCache } from './token-cache.ts';
import { validateClaims } from './validate-claims.ts';

const PENDING: unique symbol = Symbol('sigil.pending');

/** A structurally valid token whose key must be fetched before it can be checked. */
export interface Pending {
  readonly [PENDING]: true;
  readonly parsed: ParsedJws;
  /** What the token is cached under: itself, or the header it came in. */
  readonly credential: string;
  /** The key, when it is at hand and only the signature check is left, to run off the event loop. */
  readonly key?: VerificationKey;
}

/** Checks tokens against one resolved configuration. */
export interface TokenCheck {
  /**
   * The claims of a credential verified before and still inside its window, else `undefined`: the
   * hot path, with nothing parsed. `credential` is what {@link checkSync} was given as such.
   */
  cached(credential: string): SigilClaims | undefined;
  /**
   * The full check of a token that {@link cached} did not answer: claims of a valid token, a
   * {@link Pending} when the key set must be fetched; throws {@link InvalidTokenError}. A valid token
   * is cached under `credential`: the token itself, or the whole header value it was extracted from
   * (a later request carrying the same header then skips extraction).
   */
  checkSync(token: string, credential?: string): SigilClaims | Pending;
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
  const offThread = config.offloadSignatures;
  const headers = createHeaderMemo();
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

  function accept(credential: string, parsed: ParsedJws, key: VerificationKey | KeyObject, verified = false): SigilClaims {
    const isSecret = key === secretKey;
    if (
      !verified &&
      !verifySignature(
        parsed.header.alg,
        isSecret ? (key as KeyObject) : (key as VerificationKey).key,
        parsed.signingInput,
        parsed.signature,
      )
    ) {
      throw new InvalidTokenError('signature_invalid');
    }
    const { claims, validFrom, validUntil } = validateClaims(decodePayload(parsed.payloadSegment), config, Date.now(), cache !== undefined);
    cache?.set(credential, {
      claims,
      validFrom,
      validUntil,
      keyFingerprint: isSecret ? SECRET_FINGERPRINT : (key as VerificationKey).fingerprint,
    });
    return claims;
  }

  function findKey(keySet: JwksCache, parsed: ParsedJws): VerificationKey | undefined {
    const key = keySet.lookup(parsed.header.kid, parsed.header.alg);
    if (key === 'mismatch') throw new InvalidTokenError('key_mismatch');
    return key;
  }

  return {
    cached(credential) {
      if (cache === undefined) return undefined;
      const now = Date.now();
      jwks?.refreshIfStale(now);
      return cache.hit(credential, now) ?? cachedElsewhere(cache, credential, now);
    },

    checkSync(token, credential = token) {
      const parsed = parseJws(token, config.maxTokenLength, config.algorithms, config.typ, headers);
      if (secretKey) return accept(credential, parsed, secretKey);
      const key = findKey(jwks as JwksCache, parsed);
      if (key !== undefined && !offThread) return accept(credential, parsed, key);
      return { [PENDING]: true, parsed, credential, ...(key ? { key } : {}) };
    },

    async finish({ parsed, credential, key: known }) {
      const keySet = jwks as JwksCache;
      let key = known;
      if (key === undefined) {
        await keySet.reload(parsed.header.kid);
        key = findKey(keySet, parsed);
        if (key === undefined) throw new InvalidTokenError(keySet.loaded ? 'key_not_found' : 'jwks_unavailable');
      }
      if (!offThread) return accept(credential, parsed, key);
      if (!(await verifySignatureOffThread(parsed.header.alg, key.key, parsed.signingInput, parsed.signature))) {
        throw new InvalidTokenError('signature_invalid');
      }
      // The key may have left the set (revoked) while the thread worked: its cache entries were
      // evicted then, so this token must neither be cached nor accepted.
      if (findKey(keySet, parsed)?.fingerprint !== key.fingerprint) throw new InvalidTokenError('key_not_found');
      return accept(credential, parsed, key, true);
    },

    toAuthError(error) {
      if (error instanceof SigilAuthError) return error;
      // Still answered as a bad token, never a 500, but logged (by name only: a message could
      // quote token bytes) since it hints at a bug.
      config.logger.warn(
        { event: 'unexpected_error', error: error instanceof Error ? error.name : typeof error },
        'sigil: unexpected error while checking a token',
      );
      return new InvalidTokenError('token_malformed', { cause: error });
    },
  };
}

/**
 * A credential the hot lookup did not answer: promoted from the cache's old generation if it is
 * there and inside its window; forgotten if it is out of its window, so that the full check that
 * follows gives the precise error.
 */
function cachedElsewhere(cache: TokenCache, credential: string, now: number): SigilClaims | undefined {
  const entry = cache.get(credential);
  if (entry === undefined) return undefined;
  if (now >= entry.validFrom && now < entry.validUntil) return entry.claims;
  cache.delete(credential);
  return undefined;
}

/** True when `checkSync` needs the asynchronous {@link TokenCheck.finish}. */
export function isPending(result: SigilClaims | Pending): result is Pending {
  // A symbol key: no claim set parsed from JSON can carry it.
  return PENDING in result;
}
