import type { Queryable } from '../storage/database.ts';
import { consumeChallenge, insertChallenge, type ChallengePurpose, type ChallengeRecord } from '../storage/webauthn-challenges.ts';
import { challengeOf } from './client-data.ts';

/** How long the browser has to finish a ceremony: the options' `timeout` too. */
export const CHALLENGE_TTL_SECONDS = 300;

/**
 * The server side of a ceremony's challenge (docs/architecture.md, "Passkeys"): stored by the
 * options call, found again from the challenge the response signed, used once, for 5 minutes.
 * In the database, so any instance can finish a ceremony another one began.
 *
 * @example
 * const challenges = createChallenges(db, now);
 * await challenges.issue(options.challenge, 'login', null);
 * const issued = await challenges.take(response, ['login']); // undefined: refuse
 */
export function createChallenges(db: Queryable, now: () => Date) {
  return {
    issue(challenge: string, purpose: ChallengePurpose, userId: string | null): Promise<void> {
      return insertChallenge(db, { challenge, purpose, userId, ttlSeconds: CHALLENGE_TTL_SECONDS }, now());
    },

    /**
     * Uses up the challenge `response` signed: undefined when it is not one Sigil issued, was used,
     * expired, or was issued for another purpose. Taken before any signature is checked, so a
     * response is tried once whatever its outcome. `tx` is the transaction the caller runs in,
     * if any (the second step of a login holds one).
     */
    async take(
      response: { response: { clientDataJSON: string } },
      purposes: readonly ChallengePurpose[],
      tx: Queryable = db,
    ): Promise<ChallengeRecord | undefined> {
      const challenge = challengeOf(response);
      if (challenge === undefined) return undefined;
      const issued = await consumeChallenge(tx, challenge);
      if (!issued || issued.expiresAt.getTime() <= now().getTime() || !purposes.includes(issued.purpose)) return undefined;
      return issued;
    },
  };
}

export type Challenges = ReturnType<typeof createChallenges>;
