import { createHash } from 'node:crypto';
import { SigilError } from '../errors.ts';
import * as challenges from '../storage/mfa-challenges.ts';
import * as users from '../storage/users.ts';
import { generateOpaqueToken, hashOpaqueToken, looksLikeOpaqueToken } from '../tokens/opaque-token.ts';
import type { SecondFactorMethod, SecondFactorProof } from './second-factors.ts';
import type { SessionTokens } from './session-tokens.ts';
import type { AuthServiceDeps, RequestMeta, TokenBundle } from './types.ts';

/** An mfa token is good for this long after the first factor (docs/server.md, "Second factors"). */
export const MFA_TOKEN_TTL_SECONDS = 300;
/** Wrong second factors one mfa token survives; then the login starts again from the first factor. */
export const MFA_CHALLENGE_MAX_FAILURES = 5;

/** The first factor a login just verified. */
export interface FirstFactor {
  /** Its RFC 8176 values: `['pwd']` for a password, e.g. `['hwk', 'user']` for a passkey with user verification. */
  amr: readonly string[];
  /**
   * The factor is multi-factor on its own (a passkey with user verification): the session starts
   * without a second step. @default false
   */
  multiFactor?: boolean;
}

/** What the end of a first factor gives: a session, or the second step to take. */
export type LoginOutcome = { kind: 'session'; bundle: TokenBundle } | { kind: 'mfa_required'; challenge: MfaChallenge };

/** The second step of a login: the `mfa_required` answer's `mfa_token` and `methods`. */
export interface MfaChallenge {
  mfaToken: string;
  /** The second factors the account has, e.g. `['totp', 'recovery_code']`. */
  methods: string[];
  expiresAt: Date;
}

/** `POST /auth/mfa/verify`'s input. */
export interface SecondFactorInput {
  mfaToken: string;
  method: string;
  proof: SecondFactorProof;
}

/**
 * The end of every login (docs/architecture.md, "Second factors"): after a right first factor
 * (a password, a passkey), either the session starts, recording how (`amr`) and when
 * (`auth_time`) the user authenticated, or, for an account with a second factor, an mfa
 * challenge is stored and its token returned; `verifySecondFactor` then finishes the login.
 *
 * @example
 * const outcome = await completion.completeFirstFactor(user, { amr: ['pwd'] }, meta);
 * if (outcome.kind === 'mfa_required') return answerMfaRequired(outcome.challenge);
 * const bundle = await completion.verifySecondFactor({ mfaToken, method: 'totp', proof: { code } }, meta);
 */
export interface LoginCompletion {
  completeFirstFactor(user: users.UserRecord, factor: FirstFactor, meta: RequestMeta): Promise<LoginOutcome>;
  /**
   * Finishes a login with a second factor. 400 `invalid_grant` for an mfa token that is unknown,
   * used, expired, voided or bound to another client; 401 `invalid_mfa` for a wrong factor
   * (counted on the challenge and on the account); 429 `rate_limited` while the account's second
   * step is locked out.
   */
  verifySecondFactor(input: SecondFactorInput, meta: RequestMeta): Promise<TokenBundle>;
  /**
   * The user an open challenge belongs to, if `mfaToken` is usable by this client: what a
   * second factor that needs a round trip of its own (passkey options) starts from. Uses nothing up.
   */
  challengeUser(mfaToken: string, meta: RequestMeta): Promise<users.UserRecord | undefined>;
  /** The second factors the account has (names, in the order of the methods). */
  methodsOf(userId: string): Promise<string[]>;
}

/**
 * What ties an mfa token to the client that passed the first factor (RequestMeta.binding: the
 * hosted page's cookie, or the API client's User-Agent and token delivery), stored as a hash.
 */
export function bindingHash(binding: string | undefined): string {
  return createHash('sha256')
    .update(`sigil-mfa-binding:${binding ?? ''}`, 'utf8')
    .digest('hex');
}

function invalidChallenge(): SigilError {
  return new SigilError('invalid_grant', 'This sign-in attempt is invalid or has expired: sign in again', { status: 400 });
}

/** `first` ∪ `second` ∪ `mfa`, in that order, without repeats (RFC 8176: `mfa` for two factors). */
function combinedAmr(first: readonly string[], second: readonly string[]): string[] {
  return [...new Set([...first, ...second, 'mfa'])];
}

export function createLoginCompletion(
  deps: Pick<AuthServiceDeps, 'db' | 'limits' | 'logger' | 'now'>,
  tokens: SessionTokens,
  methods: readonly SecondFactorMethod[],
): LoginCompletion {
  const { db, limits, logger, now } = deps;

  async function enrolled(userId: string): Promise<SecondFactorMethod[]> {
    const found: SecondFactorMethod[] = [];
    for (const method of methods) if (await method.enrolled(db, userId)) found.push(method);
    return found;
  }

  /** The challenge of `mfaToken` while this client may use it, else undefined. */
  function usable(challenge: challenges.MfaChallengeRecord | undefined, meta: RequestMeta, at: Date) {
    if (!challenge || challenge.usedAt !== null || challenge.expiresAt <= at) return undefined;
    return challenge.bindingHash === bindingHash(meta.binding) ? challenge : undefined;
  }

  return {
    async completeFirstFactor(user, factor, meta) {
      // Fallbacks (recovery codes) never make a login ask for a second factor on their own.
      const have = factor.multiFactor ? [] : await enrolled(user.id);
      if (!have.some((m) => !m.fallback)) {
        logger.info({ event: 'login', userId: user.id, amr: factor.amr }, 'user logged in');
        return { kind: 'session', bundle: await tokens.startSession(user, meta, { amr: factor.amr }) };
      }
      const at = now();
      const mfaToken = generateOpaqueToken();
      const expiresAt = new Date(at.getTime() + MFA_TOKEN_TTL_SECONDS * 1000);
      await challenges.insertMfaChallenge(
        db,
        {
          tokenHash: hashOpaqueToken(mfaToken),
          userId: user.id,
          firstFactorAmr: factor.amr,
          bindingHash: bindingHash(meta.binding),
          expiresAt,
        },
        at,
      );
      logger.info({ event: 'mfa_required', userId: user.id }, 'first factor accepted; second factor required');
      return { kind: 'mfa_required', challenge: { mfaToken, methods: have.map((m) => m.name), expiresAt } };
    },

    async verifySecondFactor(input, meta) {
      if (!looksLikeOpaqueToken(input.mfaToken)) throw invalidChallenge();
      const tokenHash = hashOpaqueToken(input.mfaToken);
      const seen = await challenges.findMfaChallenge(db, tokenHash);
      if (!seen) throw invalidChallenge();
      // Per account, across challenges: a new password login does not buy new guesses.
      await limits.checkSecondFactor(seen.userId);
      const method = methods.find((m) => m.name === input.method);

      const outcome = await db.transaction(async (tx) => {
        const at = now();
        const locked = await challenges.lockMfaChallenge(tx, tokenHash);
        const challenge = usable(locked, meta, at);
        if (!challenge) {
          // Someone holds a live token from another client: it counts against the challenge too.
          if (locked && locked.usedAt === null && locked.expiresAt > at) {
            const failures = await challenges.recordMfaChallengeFailure(tx, tokenHash);
            if (failures >= MFA_CHALLENGE_MAX_FAILURES) await challenges.useMfaChallenge(tx, tokenHash, at);
          }
          return { kind: 'invalid' as const };
        }
        const user = await users.findUserById(tx, challenge.userId);
        if (!user || user.disabled) return { kind: 'invalid' as const };
        const verified = method && (await method.enrolled(tx, user.id)) && (await method.verify(tx, user, input.proof, at));
        if (method && verified) {
          await challenges.useMfaChallenge(tx, tokenHash, at);
          return {
            kind: 'verified' as const,
            user,
            amr: combinedAmr(challenge.firstFactorAmr, verified === true ? method.amr : verified.amr),
          };
        }
        const failures = await challenges.recordMfaChallengeFailure(tx, tokenHash);
        if (failures >= MFA_CHALLENGE_MAX_FAILURES) await challenges.useMfaChallenge(tx, tokenHash, at);
        return { kind: 'wrong' as const, userId: user.id, voided: failures >= MFA_CHALLENGE_MAX_FAILURES };
      });

      if (outcome.kind === 'invalid') throw invalidChallenge();
      if (outcome.kind === 'wrong') {
        await limits.recordSecondFactorFailure(outcome.userId);
        logger.info({ event: 'mfa_failed', userId: outcome.userId, method: method?.name ?? null }, 'wrong second factor');
        throw new SigilError('invalid_mfa', outcome.voided ? 'Invalid code; too many attempts: sign in again' : 'Invalid code');
      }
      await limits.recordSecondFactorSuccess(outcome.user.id);
      logger.info({ event: 'login', userId: outcome.user.id, amr: outcome.amr }, 'user logged in');
      return tokens.startSession(outcome.user, meta, { amr: outcome.amr });
    },

    async challengeUser(mfaToken, meta) {
      if (!looksLikeOpaqueToken(mfaToken)) return undefined;
      const challenge = usable(await challenges.findMfaChallenge(db, hashOpaqueToken(mfaToken)), meta, now());
      const user = challenge && (await users.findUserById(db, challenge.userId));
      return user && !user.disabled ? user : undefined;
    },

    async methodsOf(userId) {
      return (await enrolled(userId)).map((m) => m.name);
    },
  };
}
