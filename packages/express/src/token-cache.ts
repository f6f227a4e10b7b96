/**
 * The verified-token cache: a token seen before and still inside its validity window costs a Map
 * lookup instead of a signature check. Only tokens that passed every check are stored, keyed by
 * the whole token, so a forged token can only miss.
 *
 * Bounded and approximately least-recently-used with two generations (as quick-lru does): a hit in
 * the current generation touches nothing; when the current generation is full it becomes the old
 * one and the previous old one is dropped; a hit in the old generation moves the token back.
 */
import type { SigilClaims } from './claims.ts';
import type { ValidityWindow } from './checks.ts';

/** A verified token's claims, the window in which they hold, and the key that verified them. */
export interface CachedToken {
  readonly claims: SigilClaims;
  readonly window: ValidityWindow;
  /** Fingerprint of the verifying key, to drop its tokens when it leaves the key set. */
  readonly keyFingerprint: string;
}

export interface TokenCache {
  /** The claims of `token` if it is cached and `now` (epoch ms) is inside its window; an expired token is dropped. */
  get(token: string, now: number): SigilClaims | undefined;
  set(token: string, entry: CachedToken): void;
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
 * cache.set(token, { claims, window, keyFingerprint });
 * cache.get(token, Date.now()); // claims, until the window closes
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

  function find(token: string): CachedToken | undefined {
    const entry = current.get(token);
    if (entry !== undefined) return entry;
    const aging = old.get(token);
    if (aging === undefined) return undefined;
    old.delete(token);
    add(token, aging);
    return aging;
  }

  return {
    get(token, now) {
      const entry = find(token);
      if (entry === undefined) return undefined;
      if (now >= entry.window.from && now < entry.window.until) return entry.claims;
      // Expired: forgotten, and the full check that follows gives the precise error.
      if (now >= entry.window.until) current.delete(token);
      return undefined;
    },
    set(token, entry) {
      old.delete(token);
      if (current.has(token)) current.set(token, entry);
      else add(token, entry);
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
