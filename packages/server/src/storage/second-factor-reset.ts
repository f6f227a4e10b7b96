import type { Queryable } from './database.ts';
import { voidMfaChallenges } from './mfa-challenges.ts';
import { deleteRecoveryCodes } from './recovery-codes.ts';
import { deleteTotpFactor } from './totp-factors.ts';

/** What {@link deleteSecondFactors} removed. */
export interface SecondFactorsRemoved {
  totp: boolean;
  recoveryCodes: number;
  passkeys: number;
}

/**
 * Removes every second factor of a user, TOTP, recovery codes and passkeys, and voids the open
 * login challenges (an admin reset: docs/server.md, "Second factors").
 */
export async function deleteSecondFactors(db: Queryable, userId: string, now: Date): Promise<SecondFactorsRemoved> {
  const totp = await deleteTotpFactor(db, userId);
  const recoveryCodes = await deleteRecoveryCodes(db, userId);
  const passkeys = await db.query<{ id: string }>('DELETE FROM passkeys WHERE user_id = $1 RETURNING id', [userId]);
  await voidMfaChallenges(db, userId, now);
  return { totp, recoveryCodes, passkeys: passkeys.length };
}
