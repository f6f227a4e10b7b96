import pg from 'pg';
import { advisoryLockKey, quoteIdent, type Database, type Queryable } from './database.ts';
import { translateDatabaseError } from './errors.ts';

export interface PostgresOptions {
  connectionString: string;
  schema: string;
  /** @default 10 */
  maxConnections?: number;
}

/** A PostgreSQL server through a node-postgres pool; every connection's search_path is `schema`. */
export async function openPostgres(options: PostgresOptions): Promise<Database> {
  const schema = quoteIdent(options.schema);
  const pool = new pg.Pool({
    connectionString: options.connectionString,
    max: options.maxConnections ?? 10,
    connectionTimeoutMillis: 5_000,
    idleTimeoutMillis: 30_000,
    // Fail a query rather than hang when the server stops answering mid-request.
    query_timeout: 15_000,
    options: `-c search_path=${schema}`,
  });
  // An idle client losing its connection must not crash the process: the pool replaces it.
  pool.on('error', () => {});

  const run = async <Row>(client: pg.Pool | pg.PoolClient, text: string, params?: readonly unknown[]) => {
    try {
      const result = await client.query(text, params as unknown[] | undefined);
      return result.rows as Row[];
    } catch (error) {
      throw translateDatabaseError(error);
    }
  };

  const transaction = async <T>(fn: (tx: Queryable) => Promise<T>, lockKey?: number): Promise<T> => {
    let client: pg.PoolClient;
    try {
      client = await pool.connect();
    } catch (error) {
      throw translateDatabaseError(error);
    }
    const tx: Queryable = { query: (text, params) => run(client, text, params) };
    let broken = false;
    try {
      await tx.query('BEGIN');
      if (lockKey !== undefined) await tx.query('SELECT pg_advisory_xact_lock($1)', [lockKey]);
      const value = await fn(tx);
      await tx.query('COMMIT');
      return value;
    } catch (error) {
      try {
        await client.query('ROLLBACK');
      } catch {
        broken = true;
      }
      throw translateDatabaseError(error);
    } finally {
      client.release(broken);
    }
  };

  let ending: Promise<void> | undefined;
  const db: Database = {
    kind: 'postgres',
    schema: options.schema,
    query: (text, params) => run(pool, text, params),
    transaction: (fn) => transaction(fn),
    withLock: (name, fn) => transaction(fn, advisoryLockKey(options.schema, name)),
    async ping() {
      await run(pool, 'SELECT 1');
    },
    async close() {
      // Idempotent like PGlite's: pg rejects a second end() ("Called end on pool more than once").
      ending ??= pool.end();
      await ending;
    },
  };
  await db.query(`CREATE SCHEMA IF NOT EXISTS ${schema}`).catch(async (error) => {
    // Two instances starting together can race on CREATE SCHEMA; the loser sees a duplicate.
    if (!(error instanceof Error && error.name === 'UniqueViolationError')) {
      await pool.end();
      throw error;
    }
  });
  return db;
}
