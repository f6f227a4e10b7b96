import type { Queryable } from './database.ts';

/**
 * The second step of a login (docs/architecture.md, "Second factors"): after a right first
 * factor, an `mfa_token` (an opaque token, stored only as its SHA-256) stands for "this user
 * passed `firstFactorAmr` from the client whose binding hashes to `bindingHash`", for a few
 * minutes and once.
 */
export interface MfaChallengeRecord {
  tokenHash: string;
  userId: string;
  firstFactorAmr: string[];
  bindingHash: string;
  failures: number;
  createdAt: Date;
  expiresAt: Date;
  usedAt: Date | null;
}

interface MfaChallengeRow {
  token_hash: string;
  user_id: string;
  first_factor_amr: string[];
  binding_hash: string;
  failures: number;
  created_at: Date;
  expires_at: Date;
  used_at: Date | null;
}

const COLUMNS = 'token_hash, user_id, first_factor_amr, binding_hash, failures, created_at, expires_at, used_at';

function toChallenge(row: MfaChallengeRow): MfaChallengeRecord {
  return {
    tokenHash: row.token_hash,
    userId: row.user_id,
    firstFactorAmr: [...row.first_factor_amr],
    bindingHash: row.binding_hash,
    failures: Number(row.failures),
    createdAt: new Date(row.created_at),
    expiresAt: new Date(row.expires_at),
    usedAt: row.used_at && new Date(row.used_at),
  };
}

export async function insertMfaChallenge(
  db: Queryable,
  challenge: { tokenHash: string; userId: string; firstFactorAmr: readonly string[]; bindingHash: string; expiresAt: Date },
  now: Date,
): Promise<void> {
  await db.query(
    `INSERT INTO mfa_challenges (token_hash, user_id, first_factor_amr, binding_hash, created_at, expires_at)
     VALUES ($1, $2, $3::text[], $4, $5, $6)`,
    [challenge.tokenHash, challenge.userId, challenge.firstFactorAmr, challenge.bindingHash, now, challenge.expiresAt],
  );
}

/** Reads a challenge and locks its row until the transaction ends: concurrent verifications of one token run one after the other. */
export async function lockMfaChallenge(db: Queryable, tokenHash: string): Promise<MfaChallengeRecord | undefined> {
  const rows = await db.query<MfaChallengeRow>(`SELECT ${COLUMNS} FROM mfa_challenges WHERE token_hash = $1 FOR UPDATE`, [tokenHash]);
  return rows[0] && toChallenge(rows[0]);
}

/** Reads a challenge without locking it (a passkey second factor asks for its options this way). */
export async function findMfaChallenge(db: Queryable, tokenHash: string): Promise<MfaChallengeRecord | undefined> {
  const rows = await db.query<MfaChallengeRow>(`SELECT ${COLUMNS} FROM mfa_challenges WHERE token_hash = $1`, [tokenHash]);
  return rows[0] && toChallenge(rows[0]);
}

/** Marks a challenge used (a completed login, or one voided after too many failures). */
export async function useMfaChallenge(db: Queryable, tokenHash: string, now: Date): Promise<void> {
  await db.query('UPDATE mfa_challenges SET used_at = $2 WHERE token_hash = $1 AND used_at IS NULL', [tokenHash, now]);
}

/** Counts one more wrong second factor on the challenge; returns the new count. */
export async function recordMfaChallengeFailure(db: Queryable, tokenHash: string): Promise<number> {
  const rows = await db.query<{ failures: number }>(
    'UPDATE mfa_challenges SET failures = failures + 1 WHERE token_hash = $1 RETURNING failures',
    [tokenHash],
  );
  return Number(rows[0]?.failures ?? 0);
}

/** Voids every open challenge of a user (its factors were reset, its password changed hands). */
export async function voidMfaChallenges(db: Queryable, userId: string, now: Date): Promise<number> {
  const rows = await db.query<{ token_hash: string }>(
    'UPDATE mfa_challenges SET used_at = $2 WHERE user_id = $1 AND used_at IS NULL RETURNING token_hash',
    [userId, now],
  );
  return rows.length;
}

/** Deletes challenges that expired more than `retentionSeconds` ago; returns how many. */
export async function deleteExpiredMfaChallenges(db: Queryable, now: Date, retentionSeconds: number): Promise<number> {
  const cutoff = new Date(now.getTime() - retentionSeconds * 1000);
  const rows = await db.query<{ token_hash: string }>('DELETE FROM mfa_challenges WHERE expires_at < $1 RETURNING token_hash', [cutoff]);
  return rows.length;
}
