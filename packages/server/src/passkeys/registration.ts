import {
  generateRegistrationOptions,
  verifyRegistrationResponse,
  type PublicKeyCredentialCreationOptionsJSON,
  type RegistrationResponseJSON,
} from '@simplewebauthn/server';
import { COSEALG } from '@simplewebauthn/server/helpers';
import { SigilError } from '../errors.ts';
import type { Logger } from '../logger.ts';
import type { Queryable } from '../storage/database.ts';
import { UniqueViolationError } from '../storage/errors.ts';
import { countPasskeys, insertPasskey, listPasskeys, type PasskeyRecord } from '../storage/passkeys.ts';
import type { UserRecord } from '../storage/users.ts';
import { CHALLENGE_TTL_SECONDS, type Challenges } from './challenges.ts';
import type { RelyingParty } from './relying-party.ts';
import { KNOWN_TRANSPORTS } from './responses.ts';
import { userHandleOf } from './user-handle.ts';

/**
 * The signature algorithms a new passkey may use: EdDSA, ES256 and RS256, which every
 * authenticator offers. Not the post-quantum ML-DSA the library adds where the runtime has it:
 * Node's WebCrypto has that only as an experimental feature.
 */
export const SUPPORTED_ALGORITHMS: readonly number[] = [COSEALG.EdDSA, COSEALG.ES256, COSEALG.RS256];

/** Enough for every device a person owns; bounds `excludeCredentials` and the account's list. */
export const MAX_PASSKEYS_PER_USER = 20;

export interface RegistrationDeps {
  db: Queryable;
  now: () => Date;
  logger: Logger;
  rp: () => RelyingParty;
  challenges: Challenges;
}

function refused(detail: string, cause?: unknown): SigilError {
  return new SigilError('invalid_request', detail, { cause });
}

/**
 * Adding a passkey to the signed-in user's account: the creation options (a discoverable
 * credential with user verification, none of the user's existing ones again), then the
 * verification of the browser's response against the challenge those options carried.
 */
export function createRegistration({ db, now, logger, rp, challenges }: RegistrationDeps) {
  return {
    async options(user: UserRecord): Promise<PublicKeyCredentialCreationOptionsJSON> {
      const existing = await listPasskeys(db, user.id);
      if (existing.length >= MAX_PASSKEYS_PER_USER) throw refused(`An account can have at most ${MAX_PASSKEYS_PER_USER} passkeys`);
      const party = rp();
      const options = await generateRegistrationOptions({
        rpName: party.name,
        rpID: party.id,
        userName: user.email,
        userDisplayName: user.name ?? user.email,
        // The account id: the same handle for every passkey of the account, so an authenticator
        // keeps one credential per account, and an assertion's userHandle names its owner.
        userID: userHandleOf(user.id),
        timeout: CHALLENGE_TTL_SECONDS * 1000,
        attestationType: 'none',
        excludeCredentials: existing.map((passkey) => ({ id: passkey.credentialId, transports: passkey.transports })),
        authenticatorSelection: { residentKey: 'required', requireResidentKey: true, userVerification: 'required' },
        supportedAlgorithmIDs: [...SUPPORTED_ALGORITHMS],
      });
      await challenges.issue(options.challenge, 'registration', user.id);
      return options;
    },

    async verify(user: UserRecord, response: RegistrationResponseJSON, name: string | undefined): Promise<PasskeyRecord> {
      const issued = await challenges.take(response, ['registration']);
      if (!issued || issued.userId !== user.id) {
        throw refused('The registration challenge is unknown, used or expired: request new options');
      }
      const party = rp();
      let verification;
      try {
        verification = await verifyRegistrationResponse({
          response,
          expectedChallenge: issued.challenge,
          expectedOrigin: [...party.origins],
          expectedRPID: party.id,
          requireUserPresence: true,
          requireUserVerification: true,
          supportedAlgorithmIDs: [...SUPPORTED_ALGORITHMS],
        });
      } catch (error) {
        logger.info({ event: 'passkey_registration_refused', userId: user.id, reason: reasonOf(error) }, 'passkey registration refused');
        throw refused('The passkey could not be verified', error);
      }
      if (!verification.verified) throw refused('The passkey could not be verified');
      const info = verification.registrationInfo;
      const count = await countPasskeys(db, user.id);
      if (count >= MAX_PASSKEYS_PER_USER) throw refused(`An account can have at most ${MAX_PASSKEYS_PER_USER} passkeys`);
      try {
        const passkey = await insertPasskey(
          db,
          {
            userId: user.id,
            credentialId: info.credential.id,
            publicKey: Buffer.from(info.credential.publicKey).toString('base64url'),
            counter: info.credential.counter,
            transports: (response.response.transports ?? []).filter((t) => (KNOWN_TRANSPORTS as readonly string[]).includes(t)),
            deviceType: info.credentialDeviceType,
            backedUp: info.credentialBackedUp,
            aaguid: info.aaguid,
            name: name ?? `Passkey ${count + 1}`,
          },
          now(),
        );
        logger.info({ event: 'passkey_registered', userId: user.id, passkeyId: passkey.id }, 'passkey registered');
        return passkey;
      } catch (error) {
        if (error instanceof UniqueViolationError) throw refused('This passkey is registered already');
        throw error;
      }
    },
  };
}

/** The library's reason for a refusal, for the log line: a sentence about the response, never a secret. */
export function reasonOf(error: unknown): string {
  return (error instanceof Error ? error.message : String(error)).slice(0, 300);
}
