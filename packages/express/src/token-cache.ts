/**
 * The verified-token cache: a hot token costs one Map lookup and two time comparisons instead of
 * a signature check. Keyed by the token string itself (a hash would cost more than the lookup it
 * saves; the string is only ever compared, never logged). Bounded, approximately LRU with two
 * generations (as quick-lru): hits in the current generation touch nothing; when it fills up it
 * becomes the old one and the previous old one is dropped; an old hit is promoted.
 */
import type { SigilClaims } from './claims.ts';

/** A verified token's claims, the window in which they hold, and the key that verified them. */
export interface CachedToken {
  readonly claims: SigilClaims;
  /** Epoch ms, clock tolerance included. */
  readonly validFrom: number;
  readonly validUntil: number;
  /** Fingerprint of the verifying key, to evict its tokens when it leaves the key set. */
  readonly keyFingerprint: string;
}

/** Bounded verified-token cache. Create with {@link createTokenCache}. */
export interface TokenCache {
  /** The entry for `token`, whether or not it is still inside its window (the caller checks). */
  get(token: string): CachedToken | undefined;
  set(token: string, entry: CachedToken): void;
  delete(token: string): void;
  /** Drops every token verified by one of these keys. */
  evictKeys(fingerprints: ReadonlySet<string>): void;
  readonly size: number;
}

/**
 * Creates a cache holding about `maxEntries` tokens: two generations of `maxEntries / 2` each
 * (rounded up).
 *
 * @example
 * const cache = createTokenCache(1000);
 */
export function createTokenCache(maxEntries: number): TokenCache {
  const generationSize = Math.max(1, Math.ceil(maxEntries / 2));
  let current = new Map<string, CachedToken>();
  let old = new Map<string, CachedToken>();

  function add(token: string, entry: CachedToken): void {
    if (current.size >= generationSize) {
      old = current;
      current = new Map();
    }
    current.set(token, entry);
  }

  return {
    get(token) {
      const hit = current.get(token);
      if (hit !== undefined) return hit;
      const aging = old.get(token);
      if (aging !== undefined) {
        old.delete(token);
        add(token, aging);
      }
      return aging;
    },
    set(token, entry) {
      old.delete(token);
      if (current.has(token)) current.set(token, entry);
      else add(token, entry);
    },
    delete(token) {
      current.delete(token);
      old.delete(token);
    },
    evictKeys(fingerprints) {
      for (const generation of [current, old]) {
        for (const [token, entry] of generation) if (fingerprints.has(entry.keyFingerprint)) generation.delete(token);
      }
    },
    get size() {
      return current.size + old.size;
    },
  };
}
