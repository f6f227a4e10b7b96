import type { Queryable } from './database.ts';

/**
 * Recovery codes (docs/architecture.md, "Second factors"): stored only as hashes
 * (`mfa/recovery-codes.ts`), single use. A user has one set at a time: a new set replaces it.
 */

/** Replaces the user's recovery codes with `codeHashes` (the old ones are void at once). */
export async function replaceRecoveryCodes(db: Queryable, userId: string, codeHashes: readonly string[], now: Date): Promise<void> {
  await db.query('DELETE FROM recovery_codes WHERE user_id = $1', [userId]);
  await db.query(`INSERT INTO recovery_codes (user_id, code_hash, created_at) SELECT $1, hash, $3 FROM unnest($2::text[]) AS hash`, [
    userId,
    codeHashes,
    now,
  ]);
}

/** Uses up one unused code in one statement: of two concurrent uses, exactly one gets true. */
export async function useRecoveryCode(db: Queryable, userId: string, codeHash: string, now: Date): Promise<boolean> {
  const rows = await db.query<{ user_id: string }>(
    'UPDATE recovery_codes SET used_at = $3 WHERE user_id = $1 AND code_hash = $2 AND used_at IS NULL RETURNING user_id',
    [userId, codeHash, now],
  );
  return rows.length > 0;
}

/** How many of the user's codes are still unused. */
export async function countUnusedRecoveryCodes(db: Queryable, userId: string): Promise<number> {
  const rows = await db.query<{ n: string | number }>('SELECT count(*) AS n FROM recovery_codes WHERE user_id = $1 AND used_at IS NULL', [
    userId,
  ]);
  return Number(rows[0]?.n ?? 0);
}

/** Removes every recovery code of the user; returns how many there were. */
export async function deleteRecoveryCodes(db: Queryable, userId: string): Promise<number> {
  const rows = await db.query<{ user_id: string }>('DELETE FROM recovery_codes WHERE user_id = $1 RETURNING user_id', [userId]);
  return rows.length;
}
