import { SigilError } from '../errors.ts';
import * as sessions from '../storage/sessions.ts';
import * as users from '../storage/users.ts';
import * as accountTokens from '../storage/account-tokens.ts';
import * as mfaChallenges from '../storage/mfa-challenges.ts';
import * as mailOutbox from '../storage/mail-outbox.ts';
import { createAccessTokenVerifier } from '../tokens/access-token.ts';
import { createAccountLifecycle } from './account-lifecycle.ts';
import { createAccountMail } from './account-mail.ts';
import { createAccounts } from './accounts.ts';
import { createUserImport } from './import.ts';
import { createTotpSecretVault } from '../mfa/secret-vault.ts';
import { passkeyMethod } from '../passkeys/second-factor.ts';
import { createLoginAttempts } from './login-attempts.ts';
import { createLoginCompletion, type LoginOutcome } from './login-completion.ts';
import { createRefreshRotation } from './refresh-rotation.ts';
import { createSecondFactorSettings } from './second-factor-settings.ts';
import { hasSecondFactor, recoveryCodeMethod, totpMethod, type SecondFactorMethod } from './second-factors.ts';
import { createSessionTokens } from './session-tokens.ts';
import {
  toPublicUser,
  type Authenticated,
  type AuthServiceDeps,
  type PublicUser,
  type RequestMeta,
  type SessionView,
  type TokenBundle,
} from './types.ts';

export type { NewAccount } from './accounts.ts';
export {
  MFA_TOKEN_TTL_SECONDS,
  type FirstFactor,
  type LoginOutcome,
  type MfaChallenge,
  type SecondFactorInput,
} from './login-completion.ts';
export type { SecondFactorStatus, TotpEnrolment } from './second-factor-settings.ts';
export type { SecondFactorMethod, SecondFactorProof } from './second-factors.ts';
export type { SecondFactorsRemoved } from '../storage/second-factor-reset.ts';
export { createPasswordResetResolver, type PasswordResetResolver } from './password-reset-resolver.ts';
export {
  toPublicUser,
  toUserAccount,
  type Authenticated,
  type AuthServiceDeps,
  type PublicUser,
  type RequestMeta,
  type SessionView,
  type TokenBundle,
  type UserAccount,
} from './types.ts';

/** Ended sessions and expired refresh tokens stay this long before the cleanup deletes them (docs/server.md, "Cleanup"). */
const ENDED_SESSION_RETENTION_SECONDS = 86_400;
// Delivered mail is kept a week (`sigil mail list`, the development mailbox), then deleted, so the
// outbox does not grow with every mail ever sent.
const FINISHED_MAIL_RETENTION_SECONDS = 7 * 86_400;

/**
 * What a signup gives: a session, or (`SIGIL_EMAIL_VERIFICATION=required`) only the new account,
 * whose first session waits for the link mailed to it.
 */
export type SignupOutcome = { kind: 'session'; bundle: TokenBundle } | { kind: 'verification_required'; user: PublicUser };

/**
 * The auth server's use cases, independent of HTTP (docs/architecture.md, "A token's path"):
 * each method validates state, touches storage in one transaction where atomicity matters, keeps
 * the brute-force bookkeeping of password checks, and throws `SigilError`s with the codes of
 * docs/server.md. The HTTP routes and the CLI both go through it.
 *
 * @example
 * const service = createAuthService({ db, config, keys, hasher, limits, logger, now, issuer: () => issuer });
 * const outcome = await service.login({ email, password }, { ip: req.ip ?? 'unknown', userAgent: null });
 * if (outcome.kind === 'session') await service.authenticate(outcome.bundle.accessToken);
 */
export function createAuthService(deps: AuthServiceDeps) {
  const { db, config, keys, hasher, logger, now } = deps;
  const verifyAccessToken = createAccessTokenVerifier({ keys, config, issuer: deps.issuer, now });
  const attempts = createLoginAttempts(deps.limits);
  const tokens = createSessionTokens(deps);
  const rotation = createRefreshRotation(deps, tokens);
  const mail = createAccountMail(deps);
  const accounts = createAccounts(deps, attempts, mail);
  const lifecycle = createAccountLifecycle(deps, attempts, mail);
  const totpVault = createTotpSecretVault(config.keySecret);
  // Every second factor a login may ask for, in the order `methods` lists them.
  const secondFactors: SecondFactorMethod[] = [totpMethod(totpVault), recoveryCodeMethod(), passkeyMethod(deps)];
  const completion = createLoginCompletion(deps, tokens, secondFactors);
  const factorSettings = createSecondFactorSettings(deps, attempts, totpVault, hasSecondFactor(secondFactors), completion.methodsOf);

  /** The user this email and password sign in, or undefined (unknown, wrong password, disabled). */
  async function checkCredentials(input: { email: string; password: string }): Promise<users.UserRecord | undefined> {
    const user = await users.findUserByEmail(db, input.email);
    if (!user) {
      // Same work and same answer as a wrong password: no account enumeration by timing.
      await hasher.verifyDummy(input.password);
      return undefined;
    }
    const valid = await hasher.verify(user.passwordHash, input.password);
    return valid && !user.disabled ? user : undefined;
  }

  return {
    createUser: accounts.createUser,
    findUserByEmail: accounts.findUserByEmail,
    listUsers: accounts.listUsers,
    hasUsers: accounts.hasUsers,
    setUserDisabled: accounts.setUserDisabled,
    changePassword: accounts.changePassword,
    importUsers: createUserImport(deps).importUsers,
    refresh: rotation.refresh,
    logout: rotation.logout,
    requestEmailVerification: lifecycle.requestEmailVerification,
    verifyEmail: lifecycle.verifyEmail,
    forgotPassword: lifecycle.forgotPassword,
    resetPassword: lifecycle.resetPassword,
    requestEmailChange: lifecycle.requestEmailChange,
    deleteAccount: lifecycle.deleteAccount,

    /**
     * Creates the account; unless `SIGIL_EMAIL_VERIFICATION=off` its verification mail is queued
     * in the same transaction. Its mail needs no budget of its own: one account per address, and
     * signups are limited per IP. In `required` mode no session starts until the link is used.
     */
    async signup(input: { email: string; password: string; name?: string | null }, meta: RequestMeta): Promise<SignupOutcome> {
      const user = await accounts.createUser(
        input,
        config.emailVerification === 'off'
          ? undefined
          : (tx, created) => mail.queueVerification(tx, created.id, created.email, 'verify_email', now()),
      );
      logger.info({ event: 'signup', userId: user.id }, 'user signed up');
      if (config.emailVerification === 'required') return { kind: 'verification_required', user: toPublicUser(user) };
      return { kind: 'session', bundle: await tokens.startSession(user, meta, { amr: ['pwd'] }) };
    },

    /**
     * Signs in with email and password under the brute-force limits of `meta.ip`: 429
     * `rate_limited` during a lockout, 401 `invalid_credentials` (counted) for a wrong password,
     * an unknown email or a disabled account; a right password clears the failure count. Then
     * the session starts, or, for an account with a second factor, the answer is its challenge
     * (`mfa_required`), which `verifySecondFactor` completes.
     */
    async login(input: { email: string; password: string }, meta: RequestMeta): Promise<LoginOutcome> {
      const key = { email: input.email, ip: meta.ip };
      const user = await attempts.verify(key, () => checkCredentials(input));
      if (!user) throw new SigilError('invalid_credentials', 'Invalid email or password');
      if (config.emailVerification === 'required' && !user.emailVerified) {
        // Only after the right password: nobody learns from this answer whether an address is
        // registered or verified without knowing its password.
        await attempts.succeeded(key);
        await lifecycle.resendVerificationAtLogin(user, meta);
        throw new SigilError('email_not_verified', 'Verify your email address first: a new link was mailed to it');
      }
      if (hasher.needsRehash(user.passwordHash)) {
        await users.updatePasswordHash(db, user.id, await hasher.hash(input.password), now());
        logger.info({ event: 'password_rehash', userId: user.id }, 'password rehashed with current parameters');
      }
      const outcome = await completion.completeFirstFactor(user, { amr: ['pwd'] }, meta);
      await attempts.succeeded(key);
      return outcome;
    },

    completeFirstFactor: completion.completeFirstFactor,
    verifySecondFactor: completion.verifySecondFactor,
    mfaChallengeUser: completion.challengeUser,
    secondFactorsOf: completion.methodsOf,
    secondFactorStatus: factorSettings.status,
    enrolTotp: factorSettings.enrolTotp,
    confirmTotp: factorSettings.confirmTotp,
    disableTotp: factorSettings.disableTotp,
    regenerateRecoveryCodes: factorSettings.regenerateRecoveryCodes,
    resetSecondFactors: factorSettings.resetSecondFactors,

    /** Verifies a Bearer token and checks that its session and user are still active. */
    async authenticate(accessToken: string): Promise<Authenticated> {
      const at = now();
      const claims = await verifyAccessToken(accessToken);
      const [user, session] = await Promise.all([users.findUserById(db, claims.sub), sessions.findSession(db, claims.sid)]);
      if (!user || user.disabled || !session || session.userId !== user.id || !sessions.isSessionActive(session, at)) {
        throw new SigilError('invalid_token', 'The session of this access token has ended');
      }
      return { claims, user, session };
    },

    async listSessions(auth: Authenticated): Promise<SessionView[]> {
      const list = await sessions.listActiveSessions(db, auth.user.id, now());
      return list.map((s) => ({
        id: s.id,
        created_at: s.createdAt.toISOString(),
        last_used_at: s.lastUsedAt.toISOString(),
        user_agent: s.userAgent,
        current: s.id === auth.session.id,
      }));
    },

    async revokeSession(auth: Authenticated, sessionId: string): Promise<void> {
      const session = await sessions.findSession(db, sessionId);
      // Another user's session is "not found" too: never confirm that an id exists.
      if (!session || session.userId !== auth.user.id || !sessions.isSessionActive(session, now())) {
        throw new SigilError('not_found', 'No such session');
      }
      await sessions.revokeSession(db, session.id, 'revoked_by_user', now());
    },

    async cleanupExpiredSessions(): Promise<number> {
      const at = now();
      await accountTokens.deleteExpiredAccountTokens(db, at, ENDED_SESSION_RETENTION_SECONDS);
      await mfaChallenges.deleteExpiredMfaChallenges(db, at, ENDED_SESSION_RETENTION_SECONDS);
      await mailOutbox.deleteFinishedMail(db, at, FINISHED_MAIL_RETENTION_SECONDS);
      return sessions.deleteExpiredSessions(db, at, ENDED_SESSION_RETENTION_SECONDS);
    },
  };
}

/** The auth service's API: see {@link createAuthService}. */
export type AuthService = ReturnType<typeof createAuthService>;
