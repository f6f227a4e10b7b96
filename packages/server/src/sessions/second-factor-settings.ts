import { SigilError } from '../errors.ts';
import { qrSvg } from '../mfa/qr.ts';
import { generateRecoveryCodes, hashRecoveryCode, normalizeRecoveryCode } from '../mfa/recovery-codes.ts';
import type { TotpSecretVault } from '../mfa/secret-vault.ts';
import { generateTotpSecret, matchTotpStep, totpUri } from '../mfa/totp.ts';
import type { Queryable } from '../storage/index.ts';
import { voidMfaChallenges } from '../storage/mfa-challenges.ts';
import { countUnusedRecoveryCodes, deleteRecoveryCodes, replaceRecoveryCodes } from '../storage/recovery-codes.ts';
import { deleteSecondFactors, type SecondFactorsRemoved } from '../storage/second-factor-reset.ts';
import * as sessions from '../storage/sessions.ts';
import { deleteTotpFactor, findTotpFactor, upsertPendingTotpFactor, useTotpStep } from '../storage/totp-factors.ts';
import { confirmPassword } from './confirm-password.ts';
import type { LoginAttempts } from './login-attempts.ts';
import type { HasSecondFactor } from './second-factors.ts';
import type { Authenticated, AuthServiceDeps, RequestMeta } from './types.ts';

/** What `POST /auth/mfa/totp` answers: the pending secret three ways. */
export interface TotpEnrolment {
  /** Base32, for typing into an app by hand. */
  secret: string;
  /** `otpauth://totp/...`, what the QR code holds. */
  otpauthUrl: string;
  /** The QR code of `otpauthUrl`, as an SVG document. */
  qrSvg: string;
}

/** What `GET /auth/mfa` answers about the caller's second factors. */
export interface SecondFactorStatus {
  /** The second factors a login of this account asks for or accepts (as in `mfa_required`). */
  methods: string[];
  /** TOTP: `off`, `pending` (enrolled, not confirmed yet) or `on`. */
  totp: 'off' | 'pending' | 'on';
  recoveryCodesRemaining: number;
}

/**
 * A user's own second-factor settings (docs/server.md, "Second factors"): enrolling and
 * confirming TOTP, turning it off, new recovery codes; and the admin reset.
 *
 * @example
 * const { otpauthUrl } = await settings.enrolTotp(caller);
 * const recoveryCodes = await settings.confirmTotp(caller, '123456'); // shown once
 */
export interface SecondFactorSettings {
  status(userId: string): Promise<SecondFactorStatus>;
  /**
   * Draws a new TOTP secret, pending until {@link confirmTotp}; a second enrolment before then
   * replaces the first. 400 `invalid_request` when TOTP is on already (turn it off first: an
   * access token alone must not swap the factor of an account).
   */
  enrolTotp(auth: Authenticated): Promise<TotpEnrolment>;
  /**
   * Turns the pending TOTP factor on with its first code and returns a fresh set of recovery
   * codes, the only time they are shown. 400 `invalid_mfa` for a wrong code; 400
   * `invalid_request` when nothing is pending.
   */
  confirmTotp(auth: Authenticated, code: string): Promise<string[]>;
  /** Turns TOTP off and voids the recovery codes; needs the password (400, counted, when wrong). */
  disableTotp(auth: Authenticated, password: string, meta: RequestMeta): Promise<void>;
  /** A new set of recovery codes, the old ones void; needs the password and a second factor. */
  regenerateRecoveryCodes(auth: Authenticated, password: string, meta: RequestMeta): Promise<string[]>;
  /**
   * An administrator's reset for a user who lost every factor: TOTP, recovery codes and
   * passkeys removed, open login challenges and every session ended. Logged at warn.
   */
  resetSecondFactors(userId: string): Promise<SecondFactorsRemoved>;
}

export function createSecondFactorSettings(
  deps: Pick<AuthServiceDeps, 'db' | 'config' | 'hasher' | 'logger' | 'now'>,
  attempts: LoginAttempts,
  vault: TotpSecretVault,
  hasSecondFactor: HasSecondFactor,
  methodsOf: (userId: string) => Promise<string[]>,
): SecondFactorSettings {
  const { db, config, hasher, logger, now } = deps;

  /** Stores a fresh set of codes in `tx` and returns them as shown to the user. */
  async function newRecoveryCodes(tx: Queryable, userId: string, at: Date): Promise<string[]> {
    const codes = generateRecoveryCodes();
    await replaceRecoveryCodes(
      tx,
      userId,
      codes.map((code) => hashRecoveryCode(normalizeRecoveryCode(code)!)),
      at,
    );
    return codes;
  }

  return {
    async status(userId) {
      const [methods, factor, recoveryCodesRemaining] = await Promise.all([
        methodsOf(userId),
        findTotpFactor(db, userId),
        countUnusedRecoveryCodes(db, userId),
      ]);
      return { methods, totp: !factor ? 'off' : factor.confirmedAt ? 'on' : 'pending', recoveryCodesRemaining };
    },

    async enrolTotp(auth) {
      const secret = generateTotpSecret();
      const stored = await vault.seal(auth.user.id, secret);
      if (!(await upsertPendingTotpFactor(db, { userId: auth.user.id, ...stored }, now()))) {
        throw new SigilError('invalid_request', 'TOTP is already turned on: turn it off first to enrol another authenticator');
      }
      const otpauthUrl = totpUri(secret, auth.user.email, config.productName);
      logger.info({ event: 'totp_enrolment_started', userId: auth.user.id }, 'TOTP enrolment started');
      return { secret, otpauthUrl, qrSvg: await qrSvg(otpauthUrl) };
    },

    async confirmTotp(auth, code) {
      const userId = auth.user.id;
      const outcome = await db.transaction(async (tx) => {
        const at = now();
        const factor = await findTotpFactor(tx, userId);
        if (!factor || factor.confirmedAt) return { kind: 'nothing_pending' as const };
        const step = matchTotpStep(await vault.open(userId, factor), code.trim(), at);
        if (step === undefined || !(await useTotpStep(tx, userId, step, at, true))) return { kind: 'wrong' as const };
        return { kind: 'confirmed' as const, codes: await newRecoveryCodes(tx, userId, at) };
      });
      if (outcome.kind === 'nothing_pending') {
        throw new SigilError('invalid_request', 'No TOTP enrolment is pending: start one with POST /auth/mfa/totp');
      }
      // 400, not 401: the access token is fine, and a 401 would make clients log out.
      if (outcome.kind === 'wrong') throw new SigilError('invalid_mfa', 'Invalid code', { status: 400 });
      logger.info({ event: 'totp_enabled', userId }, 'TOTP turned on');
      return outcome.codes;
    },

    async disableTotp(auth, password, meta) {
      await confirmPassword({ hasher, attempts }, auth, password, meta, 'password');
      const userId = auth.user.id;
      await db.transaction(async (tx) => {
        await deleteTotpFactor(tx, userId);
        await deleteRecoveryCodes(tx, userId);
        await voidMfaChallenges(tx, userId, now());
      });
      logger.info({ event: 'totp_disabled', userId }, 'TOTP turned off; recovery codes void');
    },

    async regenerateRecoveryCodes(auth, password, meta) {
      await confirmPassword({ hasher, attempts }, auth, password, meta, 'password');
      const userId = auth.user.id;
      const codes = await db.transaction(async (tx) =>
        (await hasSecondFactor(tx, userId)) ? newRecoveryCodes(tx, userId, now()) : undefined,
      );
      if (!codes) throw new SigilError('invalid_request', 'Recovery codes need a second factor: turn on TOTP first');
      logger.info({ event: 'recovery_codes_regenerated', userId }, 'new recovery codes; the old ones are void');
      return codes;
    },

    async resetSecondFactors(userId) {
      const removed = await db.transaction(async (tx) => {
        const at = now();
        const result = await deleteSecondFactors(tx, userId, at);
        await sessions.revokeUserSessions(tx, userId, 'mfa_reset', at);
        return result;
      });
      logger.warn({ event: 'mfa_reset', userId, ...removed }, 'second factors reset by an administrator; every session revoked');
      return removed;
    },
  };
}
