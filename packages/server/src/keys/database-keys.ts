import type { CryptoKey } from 'jose';
import { performance } from 'node:perf_hooks';
import { ConfigError } from '../config.ts';
import { SigilError } from '../errors.ts';
import type { Queryable } from '../storage/index.ts';
import {
  activateSigningKeyAt,
  deleteRetiredSigningKeys,
  insertSigningKey,
  listSigningKeys,
  retireSigningKeys,
  revokeSigningKey,
  unretireSigningKey,
  type SigningKeyRecord,
} from '../storage/signing-keys.ts';
import { createKeyVault, KeyVaultError } from './lib/encryption.ts';
import {
  generateSigningKey,
  importPrivateKey,
  importPublicKey,
  isAsymmetric,
  toPublicJwk,
  type AsymmetricAlgorithm,
} from './lib/key-material.ts';
import { compareKeys, resolveTimeline, type Timeline } from './timeline.ts';
import type { KeyInfo, KeyManager, KeyManagerOptions, PublicJwk, RotateOptions } from './types.ts';

/** Lock shared by every instance for key creation, rotation, revocation and cleanup. */
const LOCK = 'keys';
/** Keys whose publication ended this long ago are deleted. */
const RETENTION_MS = 24 * 3600 * 1000;
/** An unknown kid triggers at most one database reload per this period. */
const RELOAD_ON_MISS_COOLDOWN_MS = 5_000;

interface LoadedKey {
  record: SigningKeyRecord;
  publicJwk: PublicJwk;
  publicKey: CryptoKey;
  /** Imported for keys that sign now or will (pending); retired keys only verify. */
  privateKey?: CryptoKey;
}

/**
 * The database-backed key manager (RS256, ES256, EdDSA). Every write runs under the `keys`
 * advisory lock and re-reads the table inside it, so instances sharing one database agree;
 * reads use the in-memory copy, refreshed by `reload()` and the schedule.
 */
export async function createDatabaseKeyManager(options: KeyManagerOptions, alg: AsymmetricAlgorithm): Promise<KeyManager> {
  const { db, config, logger } = options;
  const now = options.now ?? (() => new Date());
  const scheduleIntervalMs = options.scheduleIntervalMs ?? 60_000;
  const reloadIntervalMs = options.reloadIntervalMs ?? 30_000;
  const vault = createKeyVault(config.keySecret);
  const log = logger.child({ component: 'keys' });

  let loaded = new Map<string, LoadedKey>();
  let records: SigningKeyRecord[] = [];
  let timers: NodeJS.Timeout[] = [];
  // Real time, not the injectable clock: this limits database load, whatever the clock says.
  let lastMissReload = -Infinity;
  // Each stored-key oddity is logged once per process, not at every 30 s reload.
  const warned = new Set<string>();
  const warnOnce = (key: string, fields: Record<string, unknown>, message: string) => {
    if (warned.has(key)) return;
    warned.add(key);
    log.warn(fields, message);
  };

  // One database operation at a time per instance, so a reload never overwrites a newer state.
  let queue: Promise<unknown> = Promise.resolve();
  const serial = <T>(fn: () => Promise<T>): Promise<T> => {
    const run = queue.then(fn, fn);
    queue = run.catch(() => undefined);
    return run;
  };

  const timeline = (): Timeline => resolveTimeline(records, now(), config.accessTtl);

  // The same object while the published keys stay the same, so verifiers import it only when it changes.
  let published: { kids: string; set: { keys: PublicJwk[] } } = { kids: '', set: { keys: [] } };
  const publicKeySet = (): { keys: PublicJwk[] } => {
    const keys = timeline().published.map((record) => loaded.get(record.kid)!.publicJwk);
    const kids = keys.map((key) => key.kid).join(' ');
    if (kids !== published.kids) published = { kids, set: { keys } };
    return published.set;
  };

  const readAll = async (q: Queryable): Promise<SigningKeyRecord[]> =>
    (await listSigningKeys(q, { includeRevoked: true })).filter((record) => {
      if (isAsymmetric(record.alg) && record.publicJwk) return true;
      warnOnce(`unusable:${record.kid}`, { kid: record.kid, alg: record.alg }, 'ignoring a stored signing key Sigil cannot use');
      return false;
    });

  /** Imports what `list` needs (each key once) and swaps it in as the current state. */
  async function load(list: SigningKeyRecord[]): Promise<void> {
    const state = resolveTimeline(list, now(), config.accessTtl);
    const next = new Map<string, LoadedKey>();
    for (const record of list) {
      if (record.revokedAt) continue;
      const recordAlg = record.alg as AsymmetricAlgorithm;
      const previous = loaded.get(record.kid);
      const entry: LoadedKey = previous
        ? { ...previous, record }
        : {
            record,
            publicJwk: Object.freeze(toPublicJwk(record.publicJwk!, record.kid, recordAlg)),
            publicKey: await importPublicKey(record.publicJwk!, recordAlg),
          };
      const maySign = record.kid === state.signing?.kid || state.pending.some((key) => key.kid === record.kid);
      if (maySign && !entry.privateKey) entry.privateKey = await openPrivateKey(record);
      if (maySign && vault.encrypts && !record.encrypted) {
        warnOnce(
          `plain:${record.kid}`,
          { kid: record.kid },
          'this signing key was stored before SIGIL_KEY_SECRET was set and is not encrypted; run `sigil keys rotate` to replace it',
        );
      }
      next.set(record.kid, entry);
    }
    records = list;
    loaded = next;
  }

  async function openPrivateKey(record: SigningKeyRecord): Promise<CryptoKey> {
    const jwk = await vault.open(record.kid, record);
    try {
      return await importPrivateKey(jwk, record.kid, record.alg as AsymmetricAlgorithm);
    } catch (error) {
      throw new KeyVaultError('corrupt', record.kid, `the private key stored for ${record.kid} is unusable: ${(error as Error).message}`);
    }
  }

  async function insertKey(tx: Queryable, at: Date, immediate: boolean, keyAlg: AsymmetricAlgorithm = alg): Promise<string> {
    const generated = await generateSigningKey(keyAlg);
    const sealed = await vault.seal(generated.kid, generated.privateJwk);
    // The newest key must sort last even when created within the same millisecond as another
    // (keys are ordered by activatesAt, then createdAt): nudge createdAt past every existing one.
    const existing = await readAll(tx);
    const createdAt = new Date(Math.max(at.getTime(), ...existing.map((key) => key.createdAt.getTime() + 1)));
    const activatesAt = immediate ? at : new Date(at.getTime() + config.keyPublishLead * 1000);
    await insertSigningKey(tx, { kid: generated.kid, alg: keyAlg, publicJwk: generated.publicJwk, ...sealed, createdAt, activatesAt });
    log.info({ kid: generated.kid, alg: keyAlg, activatesAt }, immediate ? 'signing key created, signing now' : 'signing key staged');
    return generated.kid;
  }

  /** Stores the `retired_at` a newer key's activation implies (used by the cleanup query). */
  async function recordRetirements(tx: Queryable, state: Timeline): Promise<void> {
    for (const { kid, retiredAt } of state.unrecordedRetirements) await retireSigningKeys(tx, [kid], retiredAt);
  }

  /**
   * Brings the table to where the schedule wants it: a signing key exists, a rotation is staged
   * when the signing key is due (or has another algorithm than configured), retirements are
   * recorded, and keys unpublished for over a day are deleted. Idempotent; runs under the lock.
   */
  async function maintain(): Promise<void> {
    const list = await db.withLock(LOCK, async (tx) => {
      const at = now();
      let state = resolveTimeline(await readAll(tx), at, config.accessTtl);
      if (!state.signing) {
        await insertKey(tx, at, true);
      } else if (state.signing.alg !== alg && !state.pending.some((key) => key.alg === alg)) {
        log.info({ kid: state.signing.kid, from: state.signing.alg, to: alg }, 'configured algorithm changed: staging a key');
        await insertKey(tx, at, false);
      } else if (at.getTime() - state.signing.activatesAt.getTime() >= config.keyRotationInterval * 1000 && state.pending.length === 0) {
        await insertKey(tx, at, false);
      }
      state = resolveTimeline(await readAll(tx), at, config.accessTtl);
      await recordRetirements(tx, state);
      const cutoff = new Date(at.getTime() - RETENTION_MS - config.accessTtl * 1000 - 60_000);
      const deleted = await deleteRetiredSigningKeys(tx, cutoff);
      if (deleted > 0) log.info({ deleted }, 'deleted expired signing keys');
      return readAll(tx);
    });
    await load(list);
  }

  async function reloadNow(): Promise<void> {
    await load(await readAll(db));
  }

  const infoOf = (kid: string): KeyInfo => {
    const info = timeline().infos.find((candidate) => candidate.kid === kid);
    if (!info) throw new Error(`signing key ${kid} vanished`);
    return info;
  };

  // Startup: open the stored keys first, so a wrong SIGIL_KEY_SECRET stops the server before
  // anything is written; then create or stage keys as needed.
  if (!vault.encrypts) {
    log.warn('SIGIL_KEY_SECRET is not set: private signing keys are stored unencrypted in the database. Set it to encrypt them at rest.');
  }
  if (config.keyPublishLead * 1000 < config.jwksMaxAge * 1000 + reloadIntervalMs) {
    // Another instance may learn of a staged key only one reload period after it was staged.
    log.warn(
      { keyPublishLead: config.keyPublishLead, jwksMaxAge: config.jwksMaxAge, reloadIntervalSeconds: reloadIntervalMs / 1000 },
      'SIGIL_KEY_PUBLISH_LEAD is shorter than SIGIL_JWKS_MAX_AGE plus the key reload period: with several instances, a client caching the JWKS may briefly miss a new key',
    );
  }
  try {
    await reloadNow();
    await maintain();
  } catch (error) {
    if (error instanceof KeyVaultError) throw new ConfigError(error.message);
    throw error;
  }

  const manager: KeyManager = {
    mode: 'keys',

    async signingKey() {
      let state = timeline();
      let entry = state.signing && loaded.get(state.signing.kid);
      if (!entry?.privateKey) {
        // No key can sign (e.g. the last one was revoked elsewhere): repair under the lock.
        await serial(maintain);
        state = timeline();
        entry = state.signing && loaded.get(state.signing.kid);
        if (!entry?.privateKey) throw new SigilError('internal_error', 'No signing key is available');
      }
      return { kid: entry.record.kid, alg: entry.record.alg as AsymmetricAlgorithm, key: entry.privateKey };
    },

    publicKeySet,

    async jwks() {
      return publicKeySet();
    },

    async reloadForUnknownKid(kid) {
      if (records.some((record) => record.kid === kid) || performance.now() - lastMissReload < RELOAD_ON_MISS_COOLDOWN_MS) return;
      // A key another instance created since our last reload (e.g. an immediate rotation).
      lastMissReload = performance.now();
      await serial(reloadNow).catch((error: unknown) => log.error({ err: error }, 'signing key reload failed'));
    },

    async verificationKey(kid, expectedAlg) {
      await manager.reloadForUnknownKid(kid);
      const record = timeline().published.find((candidate) => candidate.kid === kid);
      if (!record || (expectedAlg !== undefined && record.alg !== expectedAlg)) return undefined;
      return loaded.get(kid)?.publicKey;
    },

    async rotate(rotateOptions: RotateOptions = {}) {
      const immediate = rotateOptions.immediate ?? false;
      return serial(async () => {
        const { kid, list } = await db.withLock(LOCK, async (tx) => {
          const at = now();
          const newKid = await insertKey(tx, at, immediate);
          await recordRetirements(tx, resolveTimeline(await readAll(tx), at, config.accessTtl));
          return { kid: newKid, list: await readAll(tx) };
        });
        await load(list);
        return infoOf(kid);
      });
    },

    async revoke(kid) {
      return serial(async () => {
        const { revoked, list } = await db.withLock(LOCK, async (tx) => {
          const at = now();
          const before = resolveTimeline(await readAll(tx), at, config.accessTtl);
          if (!(await revokeSigningKey(tx, kid, at))) return { revoked: false, list: undefined };
          log.warn({ kid }, 'signing key revoked');
          if (before.signing?.kid === kid) await replaceSigningKey(tx, before, kid, at);
          return { revoked: true, list: await readAll(tx) };
        });
        if (list) await load(list);
        return revoked;
      });
    },

    async list() {
      await serial(reloadNow);
      return timeline().infos;
    },

    reload: () => serial(reloadNow),

    startSchedule() {
      if (timers.length > 0) return;
      const every = (ms: number, task: () => Promise<void>, what: string) => {
        const timer = setInterval(() => {
          serial(task).catch((error: unknown) => log.error({ err: error }, `signing key ${what} failed`));
        }, ms);
        timer.unref();
        timers.push(timer);
      };
      every(scheduleIntervalMs, maintain, 'schedule');
      every(reloadIntervalMs, reloadNow, 'reload');
    },

    stop() {
      for (const timer of timers) clearInterval(timer);
      timers = [];
    },
  };

  /**
   * The signing key was just revoked: the newest other published key signs from now (a staged
   * key is activated early, a retired one un-retired, since clients already have it); when none
   * is usable, a new key signs immediately.
   */
  async function replaceSigningKey(tx: Queryable, before: Timeline, revokedKid: string, at: Date): Promise<void> {
    const candidates = before.published
      .filter((key) => key.kid !== revokedKid)
      .sort(compareKeys)
      .reverse();
    for (const candidate of candidates) {
      try {
        await openPrivateKey(candidate);
      } catch (error) {
        log.error({ err: error, kid: candidate.kid }, 'cannot fall back to this signing key');
        continue;
      }
      if (candidate.activatesAt.getTime() > at.getTime()) await activateSigningKeyAt(tx, candidate.kid, at);
      if (candidate.retiredAt) await unretireSigningKey(tx, candidate.kid);
      log.info({ kid: candidate.kid }, 'signing with the next published key after a revocation');
      await recordRetirements(tx, resolveTimeline(await readAll(tx), at, config.accessTtl));
      return;
    }
    await insertKey(tx, at, true);
  }

  return manager;
}
