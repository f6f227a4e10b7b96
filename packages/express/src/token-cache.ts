/**
 * The verified-token cache: a hot token costs one Map lookup, one string comparison and two time
 * comparisons instead of a signature check.
 *
 * What is cached is the credential as it arrived: `requireAuth` uses the whole `Authorization`
 * header value, so a hit needs no token extraction and compares two flat strings (V8 compares those
 * in generated code; a token sliced out of the header is compared through a runtime call, which
 * made the hit ~3x slower in a running server).
 *
 * Keying: hashing a whole ~800-character credential for the Map costs more than everything else on
 * the hot path, so the Map key is a 30-bit number mixed from its last six characters (the tail of
 * the signature, which no one can choose for a token that verifies) and a hit is confirmed by
 * comparing the whole credential. A forged credential that copies a cached one's tail is a miss and
 * gets a full check; only verified credentials are ever inserted, so a collision can at worst make
 * one honest token miss once. A number and not a substring: a substring is allocated and hashed on
 * every lookup (~0.4 µs per hit measured in a running server, against ~0.1 µs).
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

/**
 * Bounded verified-token cache. Create with {@link createTokenCache}. Its keys are credentials: a
 * bare token, or the `Authorization` header value it came in.
 */
export interface TokenCache {
  /**
   * The hot path: the claims of `credential` when it is in the current generation and inside its
   * window at `now` (epoch ms), else `undefined` (then use {@link get}).
   */
  hit(credential: string, now: number): SigilClaims | undefined;
  /** The entry for `credential`, whether or not it is still inside its window (the caller checks). */
  get(credential: string): CachedToken | undefined;
  set(credential: string, entry: CachedToken): void;
  delete(credential: string): void;
  /** Drops every token verified by one of these keys. */
  evictKeys(fingerprints: ReadonlySet<string>): void;
  readonly size: number;
}

interface Slot {
  readonly credential: string;
  readonly entry: CachedToken;
}

/** A Smi (30 bits) mixed from the last six characters; no allocation, no string hashing. */
function tailKey(credential: string): number {
  let key = 0;
  // A credential shorter than six characters reads NaN before its start, which `^` turns into 0.
  for (let i = credential.length - 6; i < credential.length; i++) key = ((key << 5) ^ (key >>> 25) ^ credential.charCodeAt(i)) & 0x3fffffff;
  return key;
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
  let current = new Map<number, Slot>();
  let old = new Map<number, Slot>();

  function add(key: number, slot: Slot): void {
    if (current.size >= generationSize) {
      old = current;
      current = new Map();
    }
    current.set(key, slot);
  }

  /** A lookup that missed the current generation: an old hit is promoted. */
  function getAging(key: number, credential: string): CachedToken | undefined {
    const aging = old.get(key);
    if (aging === undefined || aging.credential !== credential) return undefined;
    old.delete(key);
    add(key, aging);
    return aging.entry;
  }

  return {
    // One small function on purpose (the rarer cases are in `get`): it is inlined into the
    // middleware, and the bytecode budget it leaves lets Express's dispatch be inlined too.
    hit(credential, now) {
      const slot = current.get(tailKey(credential));
      if (slot === undefined || slot.credential !== credential) return undefined;
      const entry = slot.entry;
      return now >= entry.validFrom && now < entry.validUntil ? entry.claims : undefined;
    },
    get(credential) {
      const key = tailKey(credential);
      const hit = current.get(key);
      if (hit === undefined) return getAging(key, credential);
      return hit.credential === credential ? hit.entry : undefined;
    },
    set(credential, entry) {
      const key = tailKey(credential);
      old.delete(key);
      if (current.has(key)) current.set(key, { credential, entry });
      else add(key, { credential, entry });
    },
    delete(credential) {
      const key = tailKey(credential);
      if (current.get(key)?.credential === credential) current.delete(key);
      if (old.get(key)?.credential === credential) old.delete(key);
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
