import type { Queryable } from './database.ts';

/**
 * A user's TOTP factor (docs/architecture.md, "Second factors"). Pending until a first code
 * confirms it; only a confirmed factor is asked for at login. `secret` is what the key vault
 * sealed (`mfa/secret-vault.ts`), never the base32 secret itself when `SIGIL_KEY_SECRET` is set.
 */
export interface TotpFactorRecord {
  userId: string;
  secret: string;
  encrypted: boolean;
  confirmedAt: Date | null;
  /** The time step of the last code accepted: a code of this step or an earlier one is a replay. */
  lastUsedStep: number | null;
  createdAt: Date;
}

interface TotpFactorRow {
  user_id: string;
  secret: string;
  encrypted: boolean;
  confirmed_at: Date | null;
  last_used_step: string | number | null;
  created_at: Date;
}

const COLUMNS = 'user_id, secret, encrypted, confirmed_at, last_used_step, created_at';

function toFactor(row: TotpFactorRow): TotpFactorRecord {
  return {
    userId: row.user_id,
    secret: row.secret,
    encrypted: row.encrypted,
    confirmedAt: row.confirmed_at && new Date(row.confirmed_at),
    lastUsedStep: row.last_used_step === null ? null : Number(row.last_used_step),
    createdAt: new Date(row.created_at),
  };
}

export async function findTotpFactor(db: Queryable, userId: string): Promise<TotpFactorRecord | undefined> {
  const rows = await db.query<TotpFactorRow>(`SELECT ${COLUMNS} FROM totp_factors WHERE user_id = $1`, [userId]);
  return rows[0] && toFactor(rows[0]);
}

/**
 * Stores a pending factor, replacing a pending one (a second enrolment before the first was
 * confirmed). Returns false, storing nothing, when the user has a confirmed factor.
 */
export async function upsertPendingTotpFactor(
  db: Queryable,
  factor: { userId: string; secret: string; encrypted: boolean },
  now: Date,
): Promise<boolean> {
  const rows = await db.query<{ user_id: string }>(
    `INSERT INTO totp_factors (user_id, secret, encrypted, created_at) VALUES ($1, $2, $3, $4)
     ON CONFLICT (user_id) DO UPDATE SET secret = EXCLUDED.secret, encrypted = EXCLUDED.encrypted,
       created_at = EXCLUDED.created_at, last_used_step = NULL
     WHERE totp_factors.confirmed_at IS NULL
     RETURNING user_id`,
    [factor.userId, factor.secret, factor.encrypted, now],
  );
  return rows.length > 0;
}

/**
 * Records `step` as used, only if it is later than the last step used, in one statement: of two
 * requests presenting the same code at once, exactly one gets true. `confirm` also confirms a
 * pending factor (its first code); otherwise only a confirmed factor counts.
 */
export async function useTotpStep(db: Queryable, userId: string, step: number, now: Date, confirm = false): Promise<boolean> {
  const rows = await db.query<{ user_id: string }>(
    `UPDATE totp_factors SET last_used_step = $2, confirmed_at = COALESCE(confirmed_at, $3)
     WHERE user_id = $1 AND (last_used_step IS NULL OR last_used_step < $2)
       AND (confirmed_at IS NOT NULL) = NOT $4::boolean
     RETURNING user_id`,
    [userId, step, now, confirm],
  );
  return rows.length > 0;
}

/** Removes the user's factor, pending or confirmed; returns whether there was one. */
export async function deleteTotpFactor(db: Queryable, userId: string): Promise<boolean> {
  const rows = await db.query<{ user_id: string }>('DELETE FROM totp_factors WHERE user_id = $1 RETURNING user_id', [userId]);
  return rows.length > 0;
}
