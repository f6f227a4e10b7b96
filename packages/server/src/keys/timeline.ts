import type { SigningAlgorithm } from '../config.ts';
import type { SigningKeyRecord } from '../storage/signing-keys.ts';
import type { KeyInfo } from './types.ts';

/** Tolerated clock difference between the auth server and resource servers. */
export const CLOCK_SKEW_MS = 60_000;

/** What the keys look like at one instant. Pure: the same records and `now` give the same answer. */
export interface Timeline {
  /** The key that signs now, or undefined when none can (the manager then creates one). */
  signing: SigningKeyRecord | undefined;
  /** Keys in the JWKS now (pending, active, and retired ones whose tokens may still be live). */
  published: SigningKeyRecord[];
  /** Not yet signing. */
  pending: SigningKeyRecord[];
  /** Every record's state, in the order of `records` (oldest first). */
  infos: KeyInfo[];
  /** Activated keys a newer key has replaced but whose `retired_at` is not stored yet. */
  unrecordedRetirements: { kid: string; retiredAt: Date }[];
}

/** Oldest first: by activation, then creation, then kid (the order of `listSigningKeys`). */
export function compareKeys(a: SigningKeyRecord, b: SigningKeyRecord): number {
  return (
    a.activatesAt.getTime() - b.activatesAt.getTime() ||
    a.createdAt.getTime() - b.createdAt.getTime() ||
    (a.kid < b.kid ? -1 : a.kid > b.kid ? 1 : 0)
  );
}

/**
 * Computes the state of every key at `now`.
 *
 * The signing key is the newest unrevoked, unretired key whose `activatesAt` has passed. An older
 * activated key is retired when the next key activated (the stored `retiredAt` wins when set), and
 * stays published until `retiredAt + accessTtl + 60 s`: every token it signed has expired by then,
 * even on a resource server whose clock runs a minute behind.
 *
 * @example
 * const { signing, published } = resolveTimeline(records, new Date(), config.accessTtl);
 */
export function resolveTimeline(records: readonly SigningKeyRecord[], now: Date, accessTtlSeconds: number): Timeline {
  const at = now.getTime();
  const graceMs = accessTtlSeconds * 1000 + CLOCK_SKEW_MS;
  const sorted = [...records].sort(compareKeys);
  const live = sorted.filter((key) => !key.revokedAt);
  const activated = live.filter((key) => key.activatesAt.getTime() <= at);
  const signing = activated.findLast((key) => !key.retiredAt);

  const retiredAt = new Map<string, Date>();
  const unrecordedRetirements: Timeline['unrecordedRetirements'] = [];
  activated.forEach((key, index) => {
    if (key === signing) return;
    if (key.retiredAt) return void retiredAt.set(key.kid, key.retiredAt);
    // Not the signing key and not retired in the database: a newer key has activated since.
    const successor = activated[index + 1]!;
    retiredAt.set(key.kid, successor.activatesAt);
    unrecordedRetirements.push({ kid: key.kid, retiredAt: successor.activatesAt });
  });
  for (const key of live) if (key.retiredAt && !retiredAt.has(key.kid)) retiredAt.set(key.kid, key.retiredAt);

  const publishedUntil = (key: SigningKeyRecord): Date | null => {
    if (key.revokedAt) return key.revokedAt;
    const retired = retiredAt.get(key.kid);
    return retired ? new Date(retired.getTime() + graceMs) : null;
  };

  const published = live.filter((key) => {
    const until = publishedUntil(key);
    return until === null || at < until.getTime();
  });
  const pending = live.filter((key) => key.activatesAt.getTime() > at && !key.retiredAt);

  const infos = records.map((key): KeyInfo => ({
    kid: key.kid,
    alg: key.alg as SigningAlgorithm,
    state: key.revokedAt ? 'revoked' : key === signing ? 'active' : pending.includes(key) ? 'pending' : 'retired',
    createdAt: key.createdAt,
    activatesAt: key.activatesAt,
    retiredAt: key.revokedAt ? key.retiredAt : (retiredAt.get(key.kid) ?? null),
    revokedAt: key.revokedAt,
    publishedUntil: publishedUntil(key),
  }));

  return { signing, published, pending, infos, unrecordedRetirements };
}
