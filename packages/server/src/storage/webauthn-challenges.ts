import type { Queryable } from './database.ts';

/**
 * What a challenge was issued for: adding a passkey to `userId`'s account, a passwordless
 * sign-in (no user: the passkey names it), or the second step of `userId`'s password sign-in.
 */
export type ChallengePurpose = 'registration' | 'login' | 'second_factor';

export interface ChallengeRecord {
  challenge: string;
  purpose: ChallengePurpose;
  userId: string | null;
  createdAt: Date;
  expiresAt: Date;
}

interface ChallengeRow {
  challenge: string;
  purpose: ChallengePurpose;
  user_id: string | null;
  created_at: Date;
  expires_at: Date;
}

/** Stores a challenge an options call hands out, valid for `ttlSeconds`. */
export async function insertChallenge(
  db: Queryable,
  challenge: { challenge: string; purpose: ChallengePurpose; userId: string | null; ttlSeconds: number },
  now: Date,
): Promise<void> {
  await db.query('INSERT INTO webauthn_challenges (challenge, purpose, user_id, created_at, expires_at) VALUES ($1, $2, $3, $4, $5)', [
    challenge.challenge,
    challenge.purpose,
    challenge.userId,
    now,
    new Date(now.getTime() + challenge.ttlSeconds * 1000),
  ]);
}

/**
 * Uses a challenge up: one DELETE takes it, so of two requests presenting it (on one instance or
 * several) exactly one gets the record. It is gone whatever the caller then decides: an expired
 * one, or one of another purpose, cannot be tried again either. Undefined when it is unknown or
 * already used.
 *
 * @example
 * const issued = await consumeChallenge(db, challengeFromClientData);
 * if (!issued || issued.expiresAt <= now || issued.purpose !== 'login') refuse();
 */
export async function consumeChallenge(db: Queryable, challenge: string): Promise<ChallengeRecord | undefined> {
  const rows = await db.query<ChallengeRow>(
    'DELETE FROM webauthn_challenges WHERE challenge = $1 RETURNING challenge, purpose, user_id, created_at, expires_at',
    [challenge],
  );
  const row = rows[0];
  return (
    row && {
      challenge: row.challenge,
      purpose: row.purpose,
      userId: row.user_id,
      createdAt: new Date(row.created_at),
      expiresAt: new Date(row.expires_at),
    }
  );
}

/** Deletes challenges that expired before `now`; returns how many. */
export async function deleteExpiredChallenges(db: Queryable, now: Date): Promise<number> {
  const rows = await db.query<{ challenge: string }>('DELETE FROM webauthn_challenges WHERE expires_at < $1 RETURNING challenge', [now]);
  return rows.length;
}
