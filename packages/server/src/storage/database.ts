/**
 * The one SQL surface Sigil's repositories use. PGlite and node-postgres both speak PostgreSQL,
 * so one set of queries serves both; only connection handling differs per driver.
 */
export interface Queryable {
  query<Row = Record<string, unknown>>(text: string, params?: readonly unknown[]): Promise<Row[]>;
}

export interface Database extends Queryable {
  readonly kind: 'pglite' | 'postgres';
  /** Schema that holds Sigil's tables (`search_path` is set to it on every connection). */
  readonly schema: string;
  /** Runs `fn` in one transaction: committed when it resolves, rolled back when it throws. */
  transaction<T>(fn: (tx: Queryable) => Promise<T>): Promise<T>;
  /**
   * Runs `fn` while holding a cluster-wide advisory lock, so several server instances sharing one
   * PostgreSQL never migrate or rotate keys at the same time.
   */
  withLock<T>(name: string, fn: (tx: Queryable) => Promise<T>): Promise<T>;
  /** Resolves when the database answers; rejects with StorageUnavailableError otherwise. */
  ping(): Promise<void>;
  close(): Promise<void>;
}

/** Stable 32-bit key for pg_advisory_xact_lock, derived from a lock name. */
export function advisoryLockKey(schema: string, name: string): number {
  let hash = 0x811c9dc5;
  for (const char of `sigil:${schema}:${name}`) {
    hash ^= char.charCodeAt(0);
    hash = Math.imul(hash, 0x01000193);
  }
  return hash | 0;
}

/** Quotes an identifier already validated as `[a-z_][a-z0-9_]*` (config schema). */
export function quoteIdent(name: string): string {
  if (!/^[a-z_][a-z0-9_]{0,62}$/.test(name)) throw new TypeError(`invalid SQL identifier: ${name}`);
  return `"${name}"`;
}
