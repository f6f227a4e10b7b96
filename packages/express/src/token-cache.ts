/**
 * The verified-token cache: a hot token costs one Map lookup, one string comparison and two time
 * comparisons instead of a signature check.
 *
 * Keying: hashing a whole ~800-character token for the Map costs more than everything else on the
 * hot path, so the Map key is the token's last 12 characters (the tail of its signature: ~70 bits
 * that no one can choose for a token that verifies) and a hit is confirmed by comparing the whole
 * token. A forged token that copies a cached token's tail is a miss and gets a full check; only
 * verified tokens are ever inserted, so a collision can at worst make one honest token miss once.
 * 12 and not more: V8 copies substrings under 13 characters instead of making a sliced string, so
 * the key is a small flat string that hashes at once (a hit went from ~0.30 to ~0.22 µs).
 *
 * Bounded, approximately LRU with two generations (as quick-lru): hits in the current generation
 * touch nothing; when it fills up it becomes the old one and the previous old one is dropped; an
 * old hit is promoted.
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

interface Slot {
  readonly token: string;
  readonly entry: CachedToken;
}

const KEY_LENGTH = 12;

/**
 * Creates a cache holding about `maxEntries` tokens: two generations of `maxEntries / 2` each
 * (rounded up).
 *
 * @example
 * const cache = createTokenCache(1000);
 */
export function createTokenCache(maxEntries: number): TokenCache {
  const generationSize = Math.max(1, Math.ceil(maxEntries / 2));
  let current = new Map<string, Slot>();
  let old = new Map<string, Slot>();

  function add(key: string, slot: Slot): void {
    if (current.size >= generationSize) {
      old = current;
      current = new Map();
    }
    current.set(key, slot);
  }

  return {
    get(token) {
      const key = token.length > KEY_LENGTH ? token.slice(-KEY_LENGTH) : token;
      const hit = current.get(key);
      if (hit !== undefined) return hit.token === token ? hit.entry : undefined;
      const aging = old.get(key);
      if (aging === undefined || aging.token !== token) return undefined;
      old.delete(key);
      add(key, aging);
      return aging.entry;
    },
    set(token, entry) {
      const key = token.length > KEY_LENGTH ? token.slice(-KEY_LENGTH) : token;
      old.delete(key);
      if (current.has(key)) current.set(key, { token, entry });
      else add(key, { token, entry });
    },
    delete(token) {
      const key = token.length > KEY_LENGTH ? token.slice(-KEY_LENGTH) : token;
      if (current.get(key)?.token === token) current.delete(key);
      if (old.get(key)?.token === token) old.delete(key);
    },
    evictKeys(fingerprints) {
      for (const generation of [current, old]) {
        for (const [key, slot] of generation) if (fingerprints.has(slot.entry.keyFingerprint)) generation.delete(key);
      }
    },
    get size() {
      return current.size + old.size;
    },
  };
}
