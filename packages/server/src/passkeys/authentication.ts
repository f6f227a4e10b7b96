import {
  generateAuthenticationOptions,
  verifyAuthenticationResponse,
  type AuthenticationResponseJSON,
  type PublicKeyCredentialRequestOptionsJSON,
} from '@simplewebauthn/server';
import { SigilError } from '../errors.ts';
import type { Logger } from '../logger.ts';
import type { Queryable } from '../storage/database.ts';
import { findPasskeyByCredentialId, listPasskeys, recordPasskeyUse, type PasskeyRecord } from '../storage/passkeys.ts';
import { findUserById, type UserRecord } from '../storage/users.ts';
import { CHALLENGE_TTL_SECONDS, type Challenges } from './challenges.ts';
import { reasonOf } from './registration.ts';
import type { RelyingParty } from './relying-party.ts';
import { encodedUserHandleOf } from './user-handle.ts';

export interface AuthenticationDeps {
  db: Queryable;
  now: () => Date;
  logger: Logger;
  rp: () => RelyingParty;
  challenges: Challenges;
}

/** What a verified assertion proves: who signed in, with which passkey. */
export interface PasskeyAssertion {
  user: UserRecord;
  passkey: PasskeyRecord;
}

/** One answer for every refusal: the caller learns nothing about which check failed. */
function refused(cause?: unknown): SigilError {
  return new SigilError('invalid_credentials', 'The passkey could not be verified', { cause });
}

/**
 * Signing in with a passkey: the request options, then the verification of the browser's
 * assertion. Without a user the options list no credentials, so the browser offers every
 * discoverable passkey it holds for this RP ID (conditional UI, the account chooser); for the
 * second step of a password sign-in they list that user's passkeys.
 */
export function createAuthentication({ db, now, logger, rp, challenges }: AuthenticationDeps) {
  return {
    async options(forUser?: string): Promise<PublicKeyCredentialRequestOptionsJSON> {
      const allow = forUser === undefined ? [] : await listPasskeys(db, forUser);
      const options = await generateAuthenticationOptions({
        rpID: rp().id,
        allowCredentials: allow.map((passkey) => ({ id: passkey.credentialId, transports: passkey.transports })),
        userVerification: 'required',
        timeout: CHALLENGE_TTL_SECONDS * 1000,
      });
      await challenges.issue(options.challenge, forUser === undefined ? 'login' : 'second_factor', forUser ?? null);
      return options;
    },

    /**
     * Verifies an assertion and records the passkey's use. `forUser` (the second step of a
     * password sign-in) requires the passkey to be that user's; `tx` is that step's transaction.
     * Every refusal is 401 `invalid_credentials`, logged with its reason; a signature counter
     * that did not move forward is logged at warn: the credential may have been cloned.
     */
    async verify(response: AuthenticationResponseJSON, forUser?: string, tx: Queryable = db): Promise<PasskeyAssertion> {
      const issued = await challenges.take(response, forUser === undefined ? ['login'] : ['login', 'second_factor'], tx);
      const refuse = (reason: string, fields: Record<string, unknown> = {}, cause?: unknown): never => {
        logger.info({ event: 'passkey_login_refused', reason, ...fields }, 'passkey sign-in refused');
        throw refused(cause);
      };
      if (!issued) return refuse('unknown, used or expired challenge');
      const passkey = await findPasskeyByCredentialId(tx, response.id);
      if (!passkey) return refuse('unknown credential');
      const fields = { userId: passkey.userId, passkeyId: passkey.id };
      // The login's account (a second step) and the challenge's, when it was issued for one.
      const owners = [forUser, issued.userId].filter((owner) => owner !== undefined && owner !== null);
      if (owners.some((owner) => owner !== passkey.userId)) return refuse('passkey of another account', fields);
      const handle = response.response.userHandle;
      if (handle !== undefined && handle !== encodedUserHandleOf(passkey.userId)) return refuse('user handle of another account', fields);

      const party = rp();
      let verification;
      try {
        verification = await verifyAuthenticationResponse({
          response,
          expectedChallenge: issued.challenge,
          expectedOrigin: [...party.origins],
          expectedRPID: party.id,
          // The counter is checked below, after the signature: only a validly signed assertion can
          // report a regression, so the warning means a cloned key rather than a forged request.
          // A Uint8Array of its own: the library reads a pooled Buffer's whole backing ArrayBuffer.
          credential: { id: passkey.credentialId, publicKey: new Uint8Array(Buffer.from(passkey.publicKey, 'base64url')), counter: 0 },
          requireUserVerification: true,
        });
      } catch (error) {
        return refuse(reasonOf(error), fields, error);
      }
      if (!verification.verified) return refuse('bad signature', fields);

      const { newCounter, credentialBackedUp } = verification.authenticationInfo;
      const regressed = (newCounter > 0 || passkey.counter > 0) && newCounter <= passkey.counter;
      if (regressed || !(await recordPasskeyUse(tx, passkey.id, { counter: newCounter, backedUp: credentialBackedUp }, now()))) {
        logger.warn(
          { event: 'passkey_counter_regression', ...fields, storedCounter: passkey.counter, presentedCounter: newCounter },
          'passkey signature counter did not increase: the credential may be cloned; sign-in refused',
        );
        throw refused();
      }
      const user = await findUserById(tx, passkey.userId);
      if (!user || user.disabled) return refuse('disabled account', fields);
      return { user, passkey: { ...passkey, counter: newCounter, backedUp: credentialBackedUp, lastUsedAt: now() } };
    },
  };
}
