import type { Queryable } from './database.ts';

/** Returns the stored value for `key`, creating it with `create()` on first use (race-safe). */
export async function getOrCreateMeta(db: Queryable, key: string, create: () => string): Promise<string> {
  await db.query('INSERT INTO sigil_meta (key, value) VALUES ($1, $2) ON CONFLICT (key) DO NOTHING', [key, create()]);
  const rows = await db.query<{ value: string }>('SELECT value FROM sigil_meta WHERE key = $1', [key]);
  return rows[0]!.value;
}
