/**
 * The verification core, free of HTTP: what `requireAuth`, `createVerifier`, `createSigil` and the
 * auth server's own Bearer endpoints run for every token. Cached token first (inside its window),
 * else parse, header checks, key lookup, signature, claims (checks.ts), and the valid token is
 * cached until its window closes. The result is the claims when everything was at hand, or a
 * promise of them when a key set must be fetched or the signature is checked on the thread pool.
 */
import { createSecretKey, type KeyObject } from 'node:crypto';
import { checkAlgorithm, checkClaims, checkHeaderFields, checkTyp, validityWindow, type CheckedHeader } from './checks.ts';
import type { SigilClaims } from './claims.ts';
import { InvalidTokenError, SigilAuthError } from './errors.ts';
import { createJwksCache } from './jwks-cache.ts';
import { decodePayload, parseJws, verifySignature, verifySignatureOffThread, type ParsedJws } from './jws.ts';
import { createLocalKeySource, type KeySource } from './key-source.ts';
import type { VerificationKey } from './key-set.ts';
import type { ResolvedOptions } from './options.ts';
import { createTokenCache, type TokenCache } from './token-cache.ts';

export interface TokenVerifier {
  /**
   * The frozen claims of a valid token, or a promise of them. Throws (or rejects with) an
   * {@link InvalidTokenError} for every bad token, and for nothing else.
   */
  check(token: string): SigilClaims | Promise<SigilClaims>;
}

/** What verifies a signature: a published key, or the shared secret. */
interface Signer {
  readonly key: KeyObject;
  /** Identity of the key, to drop the tokens it verified when it leaves the set. */
  readonly fingerprint: string;
}

const SECRET: Pick<Signer, 'fingerprint'> = { fingerprint: 'secret' };

/** Builds the verifier for `config`: one token cache and one key source. */
export function createTokenVerifier(config: ResolvedOptions): TokenVerifier {
  const cache: TokenCache | undefined = config.tokenCacheMaxEntries > 0 ? createTokenCache(config.tokenCacheMaxEntries) : undefined;
  const secret: Signer | undefined =
    config.keySource.kind === 'secret' ? { key: createSecretKey(config.keySource.secret), ...SECRET } : undefined;
  const keys: KeySource | undefined = secret ? undefined : createKeySource(config, cache);

  function check(token: string): SigilClaims | Promise<SigilClaims> {
    const now = config.clock();
    if (cache !== undefined) {
      keys?.refreshIfStale(now);
      const cached = cache.get(token, now);
      if (cached !== undefined) return cached;
    }
    const parsed = parseJws(token, config.maxTokenLength);
    const header = checkHeader(parsed);
    if (secret) return accept(token, parsed, header, secret);
    const key = findKey(keys!, header);
    if (key === undefined) return keyAfterReload(keys!, header).then((found) => checkSignature(token, parsed, header, found));
    return checkSignature(token, parsed, header, key);
  }

  function checkHeader(parsed: ParsedJws): CheckedHeader {
    const { kid } = checkHeaderFields(parsed.header);
    const alg = checkAlgorithm(parsed.header, config.algorithms);
    checkTyp(parsed.header, config.typ);
    return { alg, kid };
  }

  function checkSignature(
    token: string,
    parsed: ParsedJws,
    header: CheckedHeader,
    key: VerificationKey,
  ): SigilClaims | Promise<SigilClaims> {
    if (!config.offloadSignatures) return accept(token, parsed, header, key);
    return verifySignatureOffThread(header.alg, key.key, parsed.signingInput, parsed.signature).then((valid) => {
      if (!valid) throw new InvalidTokenError('signature_invalid');
      // The key may have left the set (revoked) while the thread worked: its cached tokens were
      // dropped then, so this token must be neither cached nor accepted.
      if (findKey(keys!, header)?.fingerprint !== key.fingerprint) throw new InvalidTokenError('key_not_found');
      return acceptVerified(token, parsed, key);
    });
  }

  function accept(token: string, parsed: ParsedJws, header: CheckedHeader, signer: Signer): SigilClaims {
    if (!verifySignature(header.alg, signer.key, parsed.signingInput, parsed.signature)) throw new InvalidTokenError('signature_invalid');
    return acceptVerified(token, parsed, signer);
  }

  function acceptVerified(token: string, parsed: ParsedJws, signer: Pick<Signer, 'fingerprint'>): SigilClaims {
    const now = config.clock();
    const claims = checkClaims(decodePayload(parsed.payloadSegment), config, now);
    if (cache === undefined) return claims;
    // Cached claims are shared by every request carrying the token: frozen, so no handler can
    // change what the next request sees.
    cache.set(token, {
      claims: deepFreeze(claims),
      window: validityWindow(claims, config.clockToleranceMs),
      keyFingerprint: signer.fingerprint,
    });
    return claims;
  }

  return {
    check(token) {
      try {
        const result = check(token);
        return result instanceof Promise ? result.catch((error: unknown) => Promise.reject(toAuthError(error, config))) : result;
      } catch (error) {
        throw toAuthError(error, config);
      }
    },
  };
}

export function createKeySource(config: ResolvedOptions, cache: TokenCache | undefined): KeySource {
  const onKeysRemoved = cache ? (removed: ReadonlySet<string>) => cache.evictKeys(removed) : undefined;
  const source = config.keySource;
  if (source.kind === 'local')
    return createLocalKeySource(source.keys, { cooldown: config.jwks.cooldown, logger: config.logger, onKeysRemoved });
  if (source.kind === 'secret') throw new TypeError('a shared secret is not a key set');
  return createJwksCache({
    ...config.jwks,
    jwksUri: source.jwksUri,
    discoveryUri: source.discoveryUri,
    issuer: config.issuer,
    logger: config.logger,
    onKeysRemoved,
  });
}

function findKey(keys: KeySource, header: CheckedHeader): VerificationKey | undefined {
  const key = keys.lookup(header.kid, header.alg);
  if (key === 'mismatch') throw new InvalidTokenError('key_mismatch');
  return key;
}

/** An unknown `kid`: the key source looks again (fetch or reload, bounded by its cooldown). */
async function keyAfterReload(keys: KeySource, header: CheckedHeader): Promise<VerificationKey> {
  await keys.reload(header.kid);
  const key = findKey(keys, header);
  if (key === undefined) throw new InvalidTokenError(keys.loaded ? 'key_not_found' : 'jwks_unavailable');
  return key;
}

/**
 * Anything thrown while checking becomes an auth error: still answered as a bad token, never a
 * 500, but logged (by name only: a message could quote token bytes) since it hints at a bug.
 */
function toAuthError(error: unknown, config: ResolvedOptions): SigilAuthError {
  if (error instanceof SigilAuthError) return error;
  config.logger.warn(
    { event: 'unexpected_error', error: error instanceof Error ? error.name : typeof error },
    'sigil: unexpected error while checking a token',
  );
  return new InvalidTokenError('token_malformed', { cause: error });
}

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    for (const child of Object.values(value)) deepFreeze(child);
    Object.freeze(value);
  }
  return value;
}
