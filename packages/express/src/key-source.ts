/**
 * Where a verifier finds the key for a token: a remote JWKS (jwks-cache.ts) or a key set held in
 * this process (below). Both keep the set imported, so a lookup is a Map read.
 */
import type { Algorithm } from './algorithms.ts';
import { importKeySet, removedKeys, selectKey, type KeySet, type VerificationKey } from './key-set.ts';
import type { JsonWebKeySet, LocalKeySet, SigilLogger } from './options.ts';

/** A key, `'mismatch'` when the `kid` names a key of another type than `alg`, or `undefined`. */
export type KeyLookup = VerificationKey | 'mismatch' | undefined;

export interface KeySource {
  /** The key for a token's header, from the set at hand; never waits. */
  lookup(kid: string | undefined, alg: Algorithm): KeyLookup;
  /** Looks again for an unknown `kid` (bounded by a cooldown). Never rejects. */
  reload(kid: string | undefined): Promise<void>;
  /** Brings the set up to date if it may be outdated; cheap when it is not. Never waits. */
  refreshIfStale(now: number): void;
  /** True once a key set is at hand (false while a remote set has never loaded). */
  readonly loaded: boolean;
}

const EMPTY: JsonWebKeySet = { keys: [] };

/**
 * A {@link LocalKeySet} as a key source: read on every lookup, imported again only when it is a
 * new object.
 *
 * @example
 * const source = createLocalKeySource({ jwks: () => keySet }, { cooldown: 5_000, logger: console });
 */
export function createLocalKeySource(
  keys: LocalKeySet,
  options: { cooldown: number; logger: SigilLogger; onKeysRemoved?: (fingerprints: ReadonlySet<string>) => void },
): KeySource {
  let document: JsonWebKeySet | undefined;
  let set: KeySet = importKeySet(EMPTY)!;
  let lastReload = -Infinity;

  function current(): KeySet {
    const next = keys.jwks();
    if (next === document) return set;
    const previous = set;
    document = next;
    set = importKeySet(next, previous) ?? importKeySet(EMPTY)!;
    const removed = removedKeys(previous, set);
    if (removed.size > 0) options.onKeysRemoved?.(removed);
    return set;
  }

  return {
    lookup: (kid, alg) => selectKey(current(), kid, alg),
    async reload(kid) {
      const now = Date.now();
      if (keys.reload === undefined || now - lastReload < options.cooldown) return;
      lastReload = now;
      await keys.reload(kid).catch((error: unknown) => {
        options.logger.warn(
          { event: 'keys_reload_failed', error: error instanceof Error ? error.name : typeof error },
          'sigil: reloading the local key set failed',
        );
      });
    },
    refreshIfStale: () => void current(),
    loaded: true,
  };
}
