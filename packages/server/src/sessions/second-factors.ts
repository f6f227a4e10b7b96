import { hashRecoveryCode, normalizeRecoveryCode } from '../mfa/recovery-codes.ts';
import type { TotpSecretVault } from '../mfa/secret-vault.ts';
import { matchTotpStep } from '../mfa/totp.ts';
import type { Queryable } from '../storage/index.ts';
import { countUnusedRecoveryCodes, useRecoveryCode } from '../storage/recovery-codes.ts';
import { findTotpFactor, useTotpStep } from '../storage/totp-factors.ts';
import type { UserRecord } from '../storage/users.ts';

/**
 * What the client presents as a second factor at `POST /auth/mfa/verify`: a `code` for TOTP and
 * recovery codes; a method of its own may read other fields of the body (a passkey's `response`).
 */
export interface SecondFactorProof {
  code?: string;
  response?: unknown;
}

/**
 * One kind of second factor (docs/architecture.md, "Second factors"). The login flow asks every
 * method whether the account has it, lists those in `mfa_required.methods`, and lets the one the
 * client names check its proof.
 *
 * @example
 * const methods: SecondFactorMethod[] = [totpMethod(vault), recoveryCodeMethod()];
 */
export interface SecondFactorMethod {
  /** The `method` of `POST /auth/mfa/verify` and its name in `methods`: `totp`, `recovery_code`, `passkey`. */
  readonly name: string;
  /** RFC 8176 values a session gains with this factor (`otp`, `hwk`, ...); `mfa` is added by the flow. */
  readonly amr: readonly string[];
  /**
   * A fallback (recovery codes): offered when the account has it, but it never makes a login
   * ask for a second factor on its own.
   */
  readonly fallback: boolean;
  /** Whether the account has this factor, ready to use (a TOTP factor only once confirmed). */
  enrolled(db: Queryable, userId: string): Promise<boolean>;
  /**
   * Checks the proof in the transaction that holds the login's challenge; true uses it up
   * (a TOTP step, a recovery code), so the same proof never counts twice. A method whose `amr`
   * depends on the proof (a passkey: `hwk` or `swk`) resolves to that `amr` instead of true.
   */
  verify(tx: Queryable, user: UserRecord, proof: SecondFactorProof, at: Date): Promise<boolean | { amr: readonly string[] }>;
}

/** TOTP (RFC 6238): a code of a step later than the last one accepted, within ±1 step. */
export function totpMethod(vault: TotpSecretVault): SecondFactorMethod {
  return {
    name: 'totp',
    amr: ['otp'],
    fallback: false,
    async enrolled(db, userId) {
      return (await findTotpFactor(db, userId))?.confirmedAt != null;
    },
    async verify(tx, user, proof, at) {
      const factor = await findTotpFactor(tx, user.id);
      if (!factor?.confirmedAt || typeof proof.code !== 'string') return false;
      const step = matchTotpStep(await vault.open(user.id, factor), proof.code.trim(), at);
      // A replayed code (its step, or an earlier one, was used) is refused like a wrong one.
      return step !== undefined && (await useTotpStep(tx, user.id, step, at));
    },
  };
}

/** Recovery codes: each unused code once. */
export function recoveryCodeMethod(): SecondFactorMethod {
  return {
    name: 'recovery_code',
    amr: ['otp'],
    fallback: true,
    async enrolled(db, userId) {
      return (await countUnusedRecoveryCodes(db, userId)) > 0;
    },
    async verify(tx, user, proof, at) {
      const normalized = typeof proof.code === 'string' ? normalizeRecoveryCode(proof.code) : undefined;
      return normalized !== undefined && (await useRecoveryCode(tx, user.id, hashRecoveryCode(normalized), at));
    },
  };
}

/** Whether a user has a second factor that makes a login ask for one (a fallback alone does not). */
export type HasSecondFactor = (db: Queryable, userId: string) => Promise<boolean>;

/** {@link HasSecondFactor} over `methods`. */
export function hasSecondFactor(methods: readonly SecondFactorMethod[]): HasSecondFactor {
  return async (db, userId) => {
    for (const method of methods) if (!method.fallback && (await method.enrolled(db, userId))) return true;
    return false;
  };
}
