import type { Config } from '../config.ts';
import type { Database } from './database.ts';
import { migrateOrClose } from './migrations.ts';
import { openPGlite } from './pglite.ts';
import { openPostgres } from './postgres.ts';

export type { Database, Queryable } from './database.ts';
export { UniqueViolationError } from './errors.ts';

/** Opens the configured database (PostgreSQL when `databaseUrl` is set, else PGlite) and migrates it. */
export async function openDatabase(config: Pick<Config, 'databaseUrl' | 'databaseSchema' | 'dataDir'>): Promise<Database> {
  const db = config.databaseUrl
    ? await openPostgres({ connectionString: config.databaseUrl, schema: config.databaseSchema })
    : await openPGlite({ dataDir: config.dataDir, schema: config.databaseSchema });
  return migrateOrClose(db);
}
