import { link, mkdir, readFile, rename, rm, unlink, writeFile } from 'node:fs/promises';
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { PGlite, type Transaction } from '@electric-sql/pglite';
import { advisoryLockKey, quoteIdent, type Database, type Queryable } from './database.ts';
import { StorageUnavailableError } from '../errors.ts';
import { translateDatabaseError } from './errors.ts';

export type PGliteOptions =
  | {
      /** Directory of the embedded database, or `memory://` for a throw-away in-memory one. */
      dataDir: string;
      schema: string;
      pglite?: undefined;
    }
  | {
      /**
       * An open PGlite to share with other `Database`s, each in its own schema (tests use one
       * in-memory PGlite per file and one schema per test). The caller owns it: `close()` leaves
       * it open.
       */
      pglite: PGlite;
      schema: string;
      dataDir?: undefined;
    };

/**
 * The embedded database. PGlite is single-process: a second process opening the same directory
 * would corrupt it, so we hold a pid lock file and refuse to open a directory in use.
 *
 * PGlite is one connection. An instance we own gets its `search_path` once. A shared instance
 * (`options.pglite`) serves several schemas, so there every statement runs in a transaction that
 * starts with `SET LOCAL search_path`: PGlite's transaction mutex keeps statements of different
 * `Database`s from interleaving, and each sees only its own schema. (A transaction per statement
 * adds a BEGIN and a COMMIT to every query, which is why the server's own instance does without.)
 */
export async function openPGlite(options: PGliteOptions): Promise<Database> {
  const schema = quoteIdent(options.schema);
  let pglite: PGlite;
  let release = async () => {};
  if (options.pglite) {
    pglite = options.pglite;
  } else {
    const inMemory = options.dataDir.startsWith('memory://');
    const dataDir = inMemory ? options.dataDir : path.resolve(options.dataDir);
    const releaseLock = inMemory ? async () => {} : await acquireDirectoryLock(dataDir);
    try {
      pglite = await PGlite.create(dataDir);
    } catch (error) {
      await releaseLock();
      throw error;
    }
    const owned = pglite;
    release = async () => {
      try {
        await owned.close();
      } finally {
        await releaseLock();
      }
    };
  }

  const run = async <Row>(target: PGlite | Transaction, text: string, params?: readonly unknown[]) => {
    try {
      return (await target.query<Row>(text, params as unknown[] | undefined)).rows;
    } catch (error) {
      throw translateDatabaseError(error);
    }
  };

  const shared = options.pglite !== undefined;
  let closed = false;
  // Like a closed pool: requests still in flight during shutdown get 503, not 500.
  const checkOpen = () => {
    if (closed) throw new StorageUnavailableError(new Error('the database was closed'));
  };
  const transaction = async <T>(fn: (tx: Queryable) => Promise<T>, lockKey?: number): Promise<T> => {
    checkOpen();
    try {
      return await pglite.transaction(async (raw) => {
        if (shared) await raw.exec(`SET LOCAL search_path TO ${schema}`);
        const tx: Queryable = { query: (text, params) => run(raw, text, params) };
        if (lockKey !== undefined) await tx.query('SELECT pg_advisory_xact_lock($1)', [lockKey]);
        return fn(tx);
      });
    } catch (error) {
      throw translateDatabaseError(error);
    }
  };

  try {
    await run(pglite, `CREATE SCHEMA IF NOT EXISTS ${schema}`);
    if (!shared) await pglite.exec(`SET search_path TO ${schema}`);
  } catch (error) {
    await release();
    throw error;
  }

  return {
    kind: 'pglite',
    schema: options.schema,
    query: shared
      ? (text, params) => transaction((tx) => tx.query(text, params))
      : async (text, params) => {
          checkOpen();
          return run(pglite, text, params);
        },
    transaction: (fn) => transaction(fn),
    withLock: (name, fn) => transaction(fn, advisoryLockKey(options.schema, name)),
    async ping() {
      checkOpen();
      await run(pglite, 'SELECT 1');
    },
    async close() {
      if (closed) return;
      closed = true;
      await release();
    },
  };
}

// Directories this process has open: a second PGlite on one directory corrupts it as surely as a
// second process does, and the pid in the lock file cannot tell the two apart.
const openInThisProcess = new Set<string>();

async function acquireDirectoryLock(dataDir: string): Promise<() => Promise<void>> {
  // Claimed before the first await, so two concurrent opens in this process cannot both pass.
  if (openInThisProcess.has(dataDir)) {
    throw new Error(`The embedded database ${dataDir} is already open in this process. Close it first.`);
  }
  openInThisProcess.add(dataDir);
  try {
    await mkdir(dataDir, { recursive: true });
    const lockFile = path.join(path.dirname(dataDir), `.${path.basename(dataDir)}.lock`);
    await lockFileFor(dataDir, lockFile);
    let released = false;
    return async () => {
      if (released) return;
      released = true;
      openInThisProcess.delete(dataDir);
      await rm(lockFile, { force: true });
    };
  } catch (error) {
    openInThisProcess.delete(dataDir);
    throw error;
  }
}

async function lockFileFor(dataDir: string, lockFile: string): Promise<void> {
  const inUse = (pid: number) =>
    new Error(
      `The embedded database ${dataDir} is in use by process ${pid}. PGlite serves one process: stop it, or use DATABASE_URL for several.`,
    );
  // Write the pid to a private file, then link it into place: the lock file appears atomically
  // with its content, so no other process ever reads an empty lock and mistakes it for stale.
  const unique = () => `${lockFile}.${process.pid}.${randomBytes(4).toString('hex')}`;
  const candidate = unique();
  await writeFile(candidate, String(process.pid));
  try {
    for (let attempt = 0; attempt < 5; attempt++) {
      try {
        await link(candidate, lockFile);
        return;
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      }
      const holder = Number(await readFile(lockFile, 'utf8').catch(() => ''));
      // Our own pid is stale too (pid reuse after a restart): this process holds no lock on it.
      if (holder && holder !== process.pid && isAlive(holder)) throw inUse(holder);

      // A stale lock from a crashed process (kill -9): take it over. Move it aside atomically
      // rather than deleting it, so that of two processes taking over at once, the one that
      // moved a fresh lock (the other's) instead of the stale one notices and puts it back.
      const aside = unique();
      try {
        await rename(lockFile, aside);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'ENOENT') continue;
        throw error;
      }
      const moved = Number(await readFile(aside, 'utf8').catch(() => ''));
      if (moved && moved !== holder && moved !== process.pid && isAlive(moved)) {
        await link(aside, lockFile).catch(() => {});
        await unlink(aside).catch(() => {});
        throw inUse(moved);
      }
      await unlink(aside).catch(() => {});
    }
    throw new Error(`Could not lock the embedded database directory ${dataDir}`);
  } finally {
    await unlink(candidate).catch(() => {});
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
