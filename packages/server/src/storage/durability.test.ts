/**
 * What only separate processes can show: acknowledged writes survive `kill -9` (docs/server.md,
 * "Storage": a 201 means the user survives a kill -9), and a PGlite directory serves one process
 * at a time.
 */
import { once } from 'node:events';
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import type { ChildProcessWithoutNullStreams } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TEST_DATABASE_URL, dropSchema, testDrivers, spawnNode, supportScript, uniqueSchema } from '../../test/support/database.ts';
import { StorageUnavailableError } from '../errors.ts';
import type { Database } from './database.ts';
import { openDatabase } from './index.ts';
import { openPGlite } from './pglite.ts';
import { insertUser, listUsers } from './users.ts';

const ACKNOWLEDGED = 25;

// Generous: initdb alone takes seconds, and much longer on a loaded 2-core machine.
const SLOW = 120_000;

let root: string;
beforeAll(async () => {
  root = await mkdtemp(path.join(tmpdir(), 'sigil-durability-'));
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

const lockFileOf = (dataDir: string) => path.join(path.dirname(dataDir), `.${path.basename(dataDir)}.lock`);

/** Reads the child's stdout until `count` ids were acknowledged, then SIGKILLs it at once. */
async function killAfterAcknowledgements(child: ChildProcessWithoutNullStreams, count: number): Promise<string[]> {
  const stderr: string[] = [];
  child.stderr.on('data', (chunk: Buffer) => stderr.push(String(chunk)));
  const exited = once(child, 'exit');
  const ids: string[] = [];
  for await (const line of createInterface({ input: child.stdout })) {
    if (line === 'ready') continue;
    ids.push(line);
    if (ids.length === count) {
      child.kill('SIGKILL');
      break;
    }
  }
  const [code, signal] = await exited;
  if (ids.length < count) throw new Error(`child exited (${code ?? signal}) after ${ids.length} inserts: ${stderr.join('')}`);
  expect(signal).toBe('SIGKILL');
  return ids;
}

async function storedIds(db: Database): Promise<Set<string>> {
  return new Set((await listUsers(db, { limit: 10_000 })).map((user) => user.id));
}

interface OpenAttempt {
  opened: boolean;
  pid: number;
  message?: string;
}

async function openFromAnotherProcess(dataDir: string): Promise<OpenAttempt & { code: number | null }> {
  const child = spawnNode(supportScript('open-pglite-child.ts'), [dataDir]);
  let out = '';
  child.stdout.on('data', (chunk: Buffer) => (out += String(chunk)));
  child.stderr.on('data', (chunk: Buffer) => (out += String(chunk)));
  const [code] = (await once(child, 'exit')) as [number | null];
  try {
    return { ...(JSON.parse(out.trim().split('\n').at(-1)!) as OpenAttempt), code };
  } catch {
    throw new Error(`unexpected child output (exit ${code}): ${out}`);
  }
}

/** Starts a child that opens `dataDir` and, if it can, holds it until `release()`. */
function holdFromAnotherProcess(dataDir: string): { attempt: Promise<OpenAttempt>; release(): Promise<number | null> } {
  const child = spawnNode(supportScript('open-pglite-child.ts'), [dataDir, '--hold']);
  const exited = once(child, 'exit') as Promise<[number | null]>;
  let err = '';
  child.stderr.on('data', (chunk: Buffer) => (err += String(chunk)));
  const attempt = (async () => {
    for await (const line of createInterface({ input: child.stdout })) return JSON.parse(line) as OpenAttempt;
    throw new Error(`child exited without a report: ${err}`);
  })();
  return {
    attempt,
    async release() {
      child.stdin.end();
      return (await exited)[0];
    },
  };
}

/**
 * One PGlite data directory for this block: a child process creates it (initdb, the slow part),
 * acknowledges inserts and is killed with SIGKILL, leaving its lock file behind.
 */
describe('PGlite data directory across processes', () => {
  const SCHEMA = 'sigil_durable';
  let dataDir: string;
  let acknowledged: string[];
  let killedPid: number;

  beforeAll(async () => {
    dataDir = path.join(root, 'pglite');
    const child = spawnNode(supportScript('insert-users-child.ts'), ['pglite', dataDir, SCHEMA]);
    acknowledged = await killAfterAcknowledgements(child, ACKNOWLEDGED);
    killedPid = child.pid!;
  }, SLOW);

  it('keeps every insert acknowledged before kill -9, and takes over the dead process lock', { timeout: SLOW }, async () => {
    const lock = Number(await readFile(lockFileOf(dataDir), 'utf8').catch(() => 'NaN'));
    // Another test of this block may already have taken the stale lock over.
    if (!Number.isNaN(lock)) expect(lock).toBe(killedPid);

    const db = await openDatabase({ dataDir, databaseSchema: SCHEMA, databaseUrl: undefined });
    try {
      expect(Number(await readFile(lockFileOf(dataDir), 'utf8'))).toBe(process.pid);
      const stored = await storedIds(db);
      expect(acknowledged.filter((id) => !stored.has(id))).toEqual([]);
      expect(stored.size).toBeGreaterThanOrEqual(ACKNOWLEDGED);
      // ...in the configured schema, not wherever the default search_path points.
      const tables = await db.query<{ table_schema: string }>(
        "SELECT table_schema FROM information_schema.tables WHERE table_name = 'users'",
      );
      expect(tables.map((table) => table.table_schema)).toEqual([SCHEMA]);
    } finally {
      await db.close();
    }
  });

  it('refuses another process while one holds the directory, and frees it on close', { timeout: SLOW }, async () => {
    const db = await openPGlite({ dataDir, schema: 'public' });
    let closed = false;
    try {
      const refused = await openFromAnotherProcess(dataDir);
      expect(refused).toMatchObject({ opened: false, code: 3 });
      expect(refused.message).toContain(`is in use by process ${process.pid}`);
      expect(refused.message).toContain('DATABASE_URL');

      // One process, two PGlite instances on one directory corrupt it just the same.
      await expect(openPGlite({ dataDir, schema: 'public' })).rejects.toThrow(/already open in this process/);
      await db.ping();

      await db.close();
      closed = true;
      await expect(stat(lockFileOf(dataDir))).rejects.toMatchObject({ code: 'ENOENT' });
    } finally {
      if (!closed) await db.close();
    }
  });

  it('takes over a lock file naming this very pid (a restarted server can get its predecessor pid)', { timeout: SLOW }, async () => {
    await writeFile(lockFileOf(dataDir), String(process.pid));
    // Two opens at once in one process: exactly one gets the directory.
    const attempts = await Promise.allSettled([openPGlite({ dataDir, schema: SCHEMA }), openPGlite({ dataDir, schema: SCHEMA })]);
    const refused = attempts.filter((attempt) => attempt.status === 'rejected');
    expect(refused).toHaveLength(1);
    expect(String(refused[0]!.reason)).toMatch(/already open in this process/);
    const db = (attempts.find((attempt) => attempt.status === 'fulfilled') as PromiseFulfilledResult<Database>).value;
    try {
      expect(Number(await readFile(lockFileOf(dataDir), 'utf8'))).toBe(process.pid);
      expect(await storedIds(db)).toContain(acknowledged[0]);

      // The contract suite runs on a shared in-memory instance; this is the server's own kind
      // (search_path set once, bare statements): a rollback, then a closed database.
      const before = (await storedIds(db)).size;
      await expect(
        db.transaction(async (tx) => {
          await insertUser(tx, { email: 'rolled-back@example.test', passwordHash: 'h' }, new Date());
          throw new Error('rollback');
        }),
      ).rejects.toThrow('rollback');
      expect((await storedIds(db)).size).toBe(before);
    } finally {
      await db.close();
    }
    await expect(db.ping()).rejects.toBeInstanceOf(StorageUnavailableError);
    await expect(listUsers(db)).rejects.toBeInstanceOf(StorageUnavailableError);
  });

  it('lets exactly one of two processes taking over a stale lock at once have the directory', { timeout: SLOW }, async () => {
    const gone = spawnNode('-e', ['']);
    await once(gone, 'exit');
    await writeFile(lockFileOf(dataDir), String(gone.pid));
    const children = [holdFromAnotherProcess(dataDir), holdFromAnotherProcess(dataDir)];
    try {
      const attempts = await Promise.all(children.map((child) => child.attempt));
      const winners = attempts.filter((attempt) => attempt.opened);
      expect(winners).toHaveLength(1);
      const loser = attempts.find((attempt) => !attempt.opened)!;
      expect(loser.message).toContain(`is in use by process ${winners[0]!.pid}`);
      expect(Number(await readFile(lockFileOf(dataDir), 'utf8'))).toBe(winners[0]!.pid);
    } finally {
      await Promise.all(children.map((child) => child.release()));
    }
    await expect(stat(lockFileOf(dataDir))).rejects.toMatchObject({ code: 'ENOENT' });
  });
});

// Registered only when TEST_DATABASE_URL is set (nothing shows as skipped without it).
describe.each(testDrivers().filter((driver) => driver.name === 'postgres'))('durability on $name', () => {
  it('keeps every insert acknowledged before kill -9', { timeout: SLOW }, async () => {
    const schema = uniqueSchema();
    try {
      const child = spawnNode(supportScript('insert-users-child.ts'), ['postgres', TEST_DATABASE_URL!, schema]);
      const ids = await killAfterAcknowledgements(child, ACKNOWLEDGED);
      const db = await openDatabase({ dataDir: 'memory://', databaseSchema: schema, databaseUrl: TEST_DATABASE_URL });
      try {
        const stored = await storedIds(db);
        expect(ids.filter((id) => !stored.has(id))).toEqual([]);
        expect(stored.size).toBeGreaterThanOrEqual(ACKNOWLEDGED);
      } finally {
        await db.close();
      }
    } finally {
      await dropSchema(schema);
    }
  });
});
