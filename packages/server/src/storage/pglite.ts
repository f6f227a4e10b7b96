import { mkdir, open, readFile, rm } from 'node:fs/promises';
import path from 'node:path';
import { PGlite, type Transaction } from '@electric-sql/pglite';
import { advisoryLockKey, quoteIdent, type Database, type Queryable } from './database.ts';
import { translateDatabaseError } from './errors.ts';

export interface PGliteOptions {
  /** Directory of the embedded database, or `memory://` for a throw-away in-memory one. */
  dataDir: string;
  schema: string;
}

/**
 * The embedded database. PGlite is single-process: a second process opening the same directory
 * would corrupt it, so we hold a pid lock file and refuse to open a directory in use.
 */
export async function openPGlite(options: PGliteOptions): Promise<Database> {
  const inMemory = options.dataDir.startsWith('memory://');
  const dataDir = inMemory ? options.dataDir : path.resolve(options.dataDir);
  const releaseLock = inMemory ? async () => {} : await acquireDirectoryLock(dataDir);
  let pglite: PGlite;
  try {
    pglite = await PGlite.create(dataDir);
  } catch (error) {
    await releaseLock();
    throw error;
  }
  const schema = quoteIdent(options.schema);
  const run = async <Row>(target: PGlite | Transaction, text: string, params?: readonly unknown[]) => {
    try {
      return (await target.query<Row>(text, params as unknown[] | undefined)).rows;
    } catch (error) {
      throw translateDatabaseError(error);
    }
  };
  // PGlite is one connection: set search_path once; transactions run exclusively.
  await pglite.exec(`CREATE SCHEMA IF NOT EXISTS ${schema}; SET search_path TO ${schema};`);

  const transaction = <T>(fn: (tx: Queryable) => Promise<T>, lockKey?: number): Promise<T> =>
    pglite.transaction(async (raw) => {
      const tx: Queryable = { query: (text, params) => run(raw, text, params) };
      if (lockKey !== undefined) await tx.query('SELECT pg_advisory_xact_lock($1)', [lockKey]);
      return fn(tx);
    });

  let closed = false;
  return {
    kind: 'pglite',
    schema: options.schema,
    query: (text, params) => run(pglite, text, params),
    transaction: (fn) => transaction(fn),
    withLock: (name, fn) => transaction(fn, advisoryLockKey(options.schema, name)),
    async ping() {
      await run(pglite, 'SELECT 1');
    },
    async close() {
      if (closed) return;
      closed = true;
      await pglite.close();
      await releaseLock();
    },
  };
}

async function acquireDirectoryLock(dataDir: string): Promise<() => Promise<void>> {
  await mkdir(dataDir, { recursive: true });
  const lockFile = path.join(path.dirname(dataDir), `.${path.basename(dataDir)}.lock`);
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const handle = await open(lockFile, 'wx');
      await handle.writeFile(String(process.pid));
      await handle.close();
      return () => rm(lockFile, { force: true });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const holder = Number(await readFile(lockFile, 'utf8').catch(() => ''));
      if (holder && holder !== process.pid && isAlive(holder)) {
        throw new Error(
          `The embedded database ${dataDir} is in use by process ${holder}. PGlite serves one process: stop it, or use DATABASE_URL for several.`,
        );
      }
      // A stale lock from a crashed process (kill -9): take it over.
      await rm(lockFile, { force: true });
    }
  }
  throw new Error(`Could not lock the embedded database directory ${dataDir}`);
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
