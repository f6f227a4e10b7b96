import { SigilError } from '../errors.ts';
import type { SecondFactorMethod } from '../sessions/second-factors.ts';
import { countPasskeys } from '../storage/passkeys.ts';
import { passkeyAmr } from './amr.ts';
import { createPasskeyCeremonies, type CeremonyDeps } from './ceremonies.ts';
import { authenticationResponseSchema } from './responses.ts';

/**
 * A passkey as the second step of a password sign-in (`methods` lists `passkey` when the account
 * has one): the proof is the assertion (`response`) for options issued with the login's
 * `mfa_token`, by one of that account's passkeys. It never makes a password sign-in ask for a
 * second factor on its own (like recovery codes): registering a passkey adds a way to sign in,
 * it does not turn on two-step verification, which TOTP does.
 *
 * @example
 * const secondFactors = [totpMethod(vault), recoveryCodeMethod(), passkeyMethod(deps)];
 */
export function passkeyMethod(deps: CeremonyDeps): SecondFactorMethod {
  const { authentication } = createPasskeyCeremonies(deps);
  return {
    name: 'passkey',
    // The verified proof names its own: `hwk` or `swk` by the passkey's kind (passkeyAmr).
    amr: ['user'],
    fallback: true,
    async enrolled(db, userId) {
      return (await countPasskeys(db, userId)) > 0;
    },
    async verify(tx, user, proof) {
      const parsed = authenticationResponseSchema.safeParse(proof.response);
      if (!parsed.success) return false;
      try {
        const { passkey } = await authentication.verify(parsed.data, user.id, tx);
        return { amr: passkeyAmr(passkey.deviceType) };
      } catch (error) {
        // A refused assertion is a wrong second factor: the login flow counts it.
        if (error instanceof SigilError && error.code === 'invalid_credentials') return false;
        throw error;
      }
    },
  };
}
