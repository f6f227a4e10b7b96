/**
 * The remote key set: fetched (through the issuer's discovery document when no `jwksUri` was
 * given), imported once, kept for the server's `Cache-Control: max-age`, refreshed in the
 * background when stale, and refetched on an unknown `kid` at most once per cooldown with one
 * fetch in flight. When the endpoint is down, slow or answers garbage, the last good set stays.
 */
import type { Algorithm } from './algorithms.ts';
import { fetchText, type FetchedText, type FetchTextError } from './fetch-text.ts';
import { importKeySet, removedKeys, selectKey, type KeySet } from './key-set.ts';
import type { KeySource } from './key-source.ts';
import type { JwksOptions, SigilLogger } from './options.ts';

export interface JwksCacheOptions extends Readonly<Required<JwksOptions>> {
  /** Fixed key set URL, or undefined to read `jwks_uri` from `discoveryUri`. */
  readonly jwksUri: string | undefined;
  readonly discoveryUri: string | undefined;
  /** Expected `issuer` of the discovery document. */
  readonly issuer: string;
  readonly logger: SigilLogger;
  /** Told the fingerprints of keys that left the set (to drop tokens they verified). */
  readonly onKeysRemoved?: (fingerprints: ReadonlySet<string>) => void;
}

/**
 * A cached remote key set: `lookup` never fetches (a stale set is refreshed behind the request),
 * `reload` refetches for an unknown `kid` (joining the fetch in flight, or not at all within the
 * cooldown), `refreshIfStale` is one comparison while the set is fresh.
 */
export type JwksCache = KeySource;

const MAX_BODY = 1024 * 1024;

class FetchFailure extends Error {
  readonly event: 'jwks_fetch_failed' | 'jwks_invalid' | 'discovery_failed';
  constructor(event: FetchFailure['event'], message: string, cause?: unknown) {
    super(message, { cause });
    this.event = event;
  }
}

/**
 * Creates the key set cache `requireAuth` uses (one per middleware; internal to the package).
 *
 * @example
 * const jwks = createJwksCache({ jwksUri, discoveryUri: undefined, issuer, logger, cooldown: 10_000, timeout: 5_000, cacheMaxAge: 600_000, maxCacheMaxAge: 86_400_000 });
 * const key = jwks.lookup(kid, 'RS256') ?? (await jwks.reload(kid), jwks.lookup(kid, 'RS256'));
 */
export function createJwksCache(options: JwksCacheOptions): JwksCache {
  const { logger, cooldown } = options;
  let keys: KeySet | undefined;
  let freshUntil = 0;
  // Two clocks: background refreshes (bounded by max-age) must not eat the unknown-kid budget, or a
  // key set with a short max-age could leave no refetch for a newly rotated key.
  let lastAttempt = -Infinity;
  let lastKidAttempt = -Infinity;
  let inflight: Promise<void> | undefined;
  let inflightReason: 'unknown_kid' | 'stale' = 'stale';
  let jwksUri = options.jwksUri;

  function start(kid: string | undefined, reason: 'unknown_kid' | 'stale'): Promise<void> {
    lastAttempt = Date.now();
    inflightReason = reason;
    inflight = refresh()
      .then(
        () => {
          if (reason === 'unknown_kid' && kid !== undefined && !keys?.byKid.has(kid)) {
            logger.warn({ event: 'jwks_unknown_kid', kid: printable(kid) }, 'sigil: token kid not in the freshly fetched key set');
          }
        },
        (error: unknown) => {
          const failure = error instanceof FetchFailure ? error : new FetchFailure('jwks_fetch_failed', String(error));
          logger.warn(
            {
              event: failure.event,
              uri: jwksUri ?? options.discoveryUri,
              error: failure.message,
              cause: describe(failure.cause),
              keptKeys: keys?.all.length ?? 0,
            },
            failure.event === 'jwks_invalid'
              ? 'sigil: key set response unusable, keeping the last good keys'
              : 'sigil: key set fetch failed, keeping the last good keys',
          );
        },
      )
      .finally(() => {
        inflight = undefined;
      });
    return inflight;
  }

  async function refresh(): Promise<void> {
    jwksUri ??= await discover();
    const response = await get(jwksUri);
    const next = importKeySet(parseJson(response.text, 'jwks_invalid'), keys);
    if (next === undefined) throw new FetchFailure('jwks_invalid', 'response is not a JWKS');
    if (next.all.length === 0 && keys !== undefined) throw new FetchFailure('jwks_invalid', 'key set has no usable key');
    for (const reason of next.skipped) logger.debug?.({ event: 'jwks_key_skipped', reason }, 'sigil: key set entry ignored');
    const previous = keys;
    keys = next;
    freshUntil = Date.now() + maxAge(response.cacheControl);
    logger.debug?.({ event: 'jwks_refreshed', uri: jwksUri, keys: next.all.length }, 'sigil: key set loaded');
    if (previous && options.onKeysRemoved) {
      const removed = removedKeys(previous, next);
      if (removed.size > 0) options.onKeysRemoved(removed);
    }
  }

  async function discover(): Promise<string> {
    const uri = options.discoveryUri as string;
    let doc: unknown;
    try {
      doc = parseJson((await get(uri)).text, 'discovery_failed');
    } catch (error) {
      throw error instanceof FetchFailure ? new FetchFailure('discovery_failed', error.message, error.cause) : error;
    }
    const { issuer, jwks_uri: found } = (doc ?? {}) as { issuer?: unknown; jwks_uri?: unknown };
    // OpenID Discovery 4.3: the document must name the issuer we asked about, or it is not theirs.
    if (issuer !== options.issuer) throw new FetchFailure('discovery_failed', 'discovery document issuer does not match');
    if (typeof found !== 'string' || !/^https?:\/\//.test(found))
      throw new FetchFailure('discovery_failed', 'discovery document has no http(s) jwks_uri');
    return found;
  }

  async function get(uri: string): Promise<FetchedText> {
    try {
      return await fetchText(uri, options.timeout, MAX_BODY);
    } catch (error) {
      const failure = error as FetchTextError;
      throw new FetchFailure(failure.kind === 'too_large' ? 'jwks_invalid' : 'jwks_fetch_failed', failure.message, failure.cause);
    }
  }

  function maxAge(cacheControl: string | null): number {
    if (cacheControl === null) return options.cacheMaxAge;
    if (/(?:^|[\s,])(?:no-store|no-cache)(?:$|[\s,=])/i.test(cacheControl)) return 0;
    const match = /(?:^|[\s,])max-age\s*=\s*"?(\d+)"?/i.exec(cacheControl);
    if (!match) return options.cacheMaxAge;
    return Math.min(Number(match[1]) * 1000, options.maxCacheMaxAge);
  }

  function reload(kid: string | undefined): Promise<void> {
    if (inflight) {
      // A background refresh may have left before the new key was published: if it does not
      // bring this kid, fall through to a kid refetch (still bound by the cooldown).
      if (inflightReason === 'unknown_kid') return inflight;
      return inflight.then(() => (kid !== undefined && keys?.byKid.has(kid) ? undefined : reload(kid)));
    }
    const now = Date.now();
    if (now - lastKidAttempt < cooldown) {
      logger.debug?.(
        { event: 'jwks_unknown_kid', kid: kid === undefined ? null : printable(kid), cooldown: true },
        'sigil: unknown kid within the refetch cooldown',
      );
      return Promise.resolve();
    }
    lastKidAttempt = now;
    return start(kid, 'unknown_kid');
  }

  // Called on every verified-token cache hit too: otherwise an API that only sees cached tokens
  // would never refetch, and a revoked key's tokens would stay accepted until they expire. Stale
  // keys still verify (the server published them recently), so the refresh runs behind the request.
  function refreshIfStale(now: number): void {
    if (now < freshUntil || keys === undefined || inflight !== undefined || now - lastAttempt < cooldown) return;
    void start(undefined, 'stale');
  }

  return {
    lookup(kid: string | undefined, alg: Algorithm) {
      if (keys === undefined) return undefined;
      refreshIfStale(Date.now());
      return selectKey(keys, kid, alg);
    },
    refreshIfStale,
    reload,
    get loaded() {
      return keys !== undefined;
    },
  };
}

function parseJson(text: string, event: FetchFailure['event']): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new FetchFailure(event === 'jwks_fetch_failed' ? 'jwks_invalid' : event, 'response is not JSON', error);
  }
}

function describe(cause: unknown): string | undefined {
  if (cause === undefined) return undefined;
  if (cause instanceof Error) {
    // node:http errors carry their code (ECONNREFUSED, ENOTFOUND, ...) themselves.
    const code = 'code' in cause ? String((cause as { code: unknown }).code) : undefined;
    return code ? `${cause.name}: ${code}` : `${cause.name}: ${cause.message}`;
  }
  return String(cause);
}

// kid comes from an untrusted header: bound its length and strip control characters before logging.
function printable(kid: string): string {
  return kid.slice(0, 64).replace(/[^\x20-\x7e]/g, '?');
}
