/**
 * Databases for server tests: every test gets its own schema, on every driver this run has.
 *
 * PGlite always runs (one in-memory instance per test file, shared by that file's tests, one
 * schema each: its first start costs seconds). PostgreSQL runs only when `TEST_DATABASE_URL` is
 * set; the schemas a run creates there are dropped after each file (`closeTestDatabases`), and names
 * carry the pid and random bytes so concurrent or earlier runs never collide.
 *
 * @example
 * describe.each(testDrivers())('$name', (driver) => {
 *   it('works', async () => {
 *     const db = await driver.open(uniqueSchema());
 *     ...
 *   });
 * });
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { PGlite } from '@electric-sql/pglite';
import pg from 'pg';
import { afterAll } from 'vitest';
import type { ConfigInput } from '../../src/config.ts';
import type { Database } from '../../src/storage/database.ts';
import { quoteIdent } from '../../src/storage/database.ts';
import { migrate, migrateOrClose } from '../../src/storage/migrations.ts';
import { openPGlite } from '../../src/storage/pglite.ts';
import { openPostgres } from '../../src/storage/postgres.ts';

export type DriverName = 'pglite' | 'postgres';

export interface TestDriver {
  name: DriverName;
  /**
   * Opens a Database on `schema` and migrates it (`{ migrate: false }` leaves it empty). Close it
   * yourself; PostgreSQL schemas are dropped by `closeTestDatabases()` (or `dropSchema`).
   */
  open(schema: string, options?: { migrate?: boolean }): Promise<Database>;
  /** Configuration that makes a server (or `openDatabase`) use this driver and `schema`. */
  configFor(schema: string): Partial<ConfigInput>;
}

/** PostgreSQL server for this run, or undefined when only PGlite runs. */
export const TEST_DATABASE_URL: string | undefined = process.env.TEST_DATABASE_URL || undefined;

/** A fresh lower-case SQL identifier per call: `prefix_<pid>_<random>`. */
export function uniqueSchema(prefix = 'sigil_t'): string {
  const name = `${prefix}_${process.pid}_${randomBytes(5).toString('hex')}`.toLowerCase();
  quoteIdent(name); // throws TypeError for a prefix that makes an invalid identifier
  return name;
}

let sharedPGlite: Promise<PGlite> | undefined;

/** This test file's in-memory PGlite, created on first use. */
export function sharedMemoryPGlite(): Promise<PGlite> {
  sharedPGlite ??= PGlite.create('memory://');
  return sharedPGlite;
}

const createdSchemas = new Set<string>();

const pgliteDriver: TestDriver = {
  name: 'pglite',
  async open(schema, options = {}) {
    const db = await openPGlite({ pglite: await sharedMemoryPGlite(), schema });
    if (options.migrate ?? true) await migrate(db);
    return db;
  },
  configFor: (schema) => ({ dataDir: 'memory://', databaseSchema: schema }),
};

function postgresDriver(url: string): TestDriver {
  return {
    name: 'postgres',
    async open(schema, options = {}) {
      createdSchemas.add(schema);
      const db = await openPostgres({ connectionString: url, schema, maxConnections: 4 });
      return (options.migrate ?? true) ? migrateOrClose(db) : db;
    },
    configFor(schema) {
      createdSchemas.add(schema);
      return { databaseUrl: url, databaseSchema: schema };
    },
  };
}

/** The drivers available in this run: PGlite always, PostgreSQL when TEST_DATABASE_URL is set. */
export function testDrivers(): TestDriver[] {
  return TEST_DATABASE_URL ? [pgliteDriver, postgresDriver(TEST_DATABASE_URL)] : [pgliteDriver];
}

/** Drops a PostgreSQL schema and everything in it (no-op without TEST_DATABASE_URL). */
export async function dropSchema(schema: string, url = TEST_DATABASE_URL): Promise<void> {
  if (!url) return;
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(`DROP SCHEMA IF EXISTS ${quoteIdent(schema)} CASCADE`);
  } finally {
    await client.end();
  }
  createdSchemas.delete(schema);
}

/**
 * Drops every PostgreSQL schema this process handed out through a driver and closes the shared
 * PGlite. Registered as an `afterAll` of every test file that imports this module, so no file can
 * forget it; calling it again is harmless.
 */
export async function closeTestDatabases(): Promise<void> {
  for (const schema of [...createdSchemas]) await dropSchema(schema);
  if (sharedPGlite) {
    const pglite = sharedPGlite;
    sharedPGlite = undefined;
    await (await pglite).close();
  }
}

/** Spawns a Node 24 script (this test process's own Node) with the `sigil-source` condition. */
export function spawnNode(script: string, args: string[]): ChildProcessWithoutNullStreams {
  return spawn(process.execPath, ['--conditions=sigil-source', script, ...args], {
    stdio: 'pipe',
    env: { ...process.env, NODE_OPTIONS: '' },
  });
}

/** Absolute path of a script in this folder. */
export function supportScript(name: string): string {
  return fileURLToPath(new URL(name, import.meta.url));
}

afterAll(closeTestDatabases);
