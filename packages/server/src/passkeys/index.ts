import type { AuthenticationResponseJSON, RegistrationResponseJSON } from '@simplewebauthn/server';
import { SigilError } from '../errors.ts';
import type { Authenticated, AuthServiceDeps, RequestMeta, TokenBundle } from '../sessions/auth-service.ts';
import * as passkeys from '../storage/passkeys.ts';
import type { UserRecord } from '../storage/users.ts';
import { deleteExpiredChallenges } from '../storage/webauthn-challenges.ts';
import { passkeyAmr } from './amr.ts';
import { createAuthentication } from './authentication.ts';
import { createChallenges } from './challenges.ts';
import { createRegistration } from './registration.ts';
import { originFitsRpId, relyingParty } from './relying-party.ts';

export { passkeyAmr } from './amr.ts';
export { MAX_PASSKEYS_PER_USER } from './registration.ts';
export { authenticationResponseSchema, passkeyNameSchema, registrationResponseSchema } from './responses.ts';

/**
 * A passkey as the account's list shows it (`GET /auth/passkeys`): never its key or credential ID.
 *
 * @example
 * { id: '6f1c…', name: 'MacBook', created_at: '2026-12-03T09:26:23.000Z', last_used_at: null }
 */
export interface PasskeyView {
  id: string;
  name: string;
  created_at: string;
  last_used_at: string | null;
}

export function toPasskeyView(passkey: passkeys.PasskeyRecord): PasskeyView {
  return {
    id: passkey.id,
    name: passkey.name,
    created_at: passkey.createdAt.toISOString(),
    last_used_at: passkey.lastUsedAt?.toISOString() ?? null,
  };
}

/** Starts a session for a user who proved who they are with `amr` (the auth service's). */
export type StartSession = (user: UserRecord, meta: RequestMeta, amr: readonly string[]) => Promise<TokenBundle>;

export interface PasskeyServiceDeps extends Pick<AuthServiceDeps, 'db' | 'config' | 'logger' | 'now' | 'issuer'> {
  startSession: StartSession;
}

/**
 * Passkeys (docs/server.md, "Passkeys"; docs/architecture.md, "Passkeys"): registering, listing,
 * renaming and deleting the signed-in user's passkeys, and signing in with one, passwordless or
 * as the second step of a password sign-in. Built on `@simplewebauthn/server`; challenges are
 * kept in the database (`webauthn_challenges`) and used once.
 *
 * @example
 * const service = createPasskeyService({ db, config, logger, now, issuer, startSession });
 * const options = await service.loginOptions();
 * const bundle = await service.login(responseFromTheBrowser, { ip, userAgent });
 */
export function createPasskeyService(deps: PasskeyServiceDeps) {
  const { db, config, logger, now } = deps;
  const rp = relyingParty(config, deps.issuer);
  const challenges = createChallenges(db, now);
  const registration = createRegistration({ db, now, logger, rp, challenges });
  const authentication = createAuthentication({ db, now, logger, rp, challenges });

  const notFound = () => new SigilError('not_found', 'No such passkey');

  return {
    /** The relying party in force: RP ID, name, expected origins. */
    relyingParty: rp,

    /** Startup check: origins whose pages cannot use passkeys of the RP ID are worth a warning. */
    warnAboutOrigins(): void {
      const party = rp();
      const outside = party.origins.filter((origin) => !originFitsRpId(origin, party.id));
      if (outside.length > 0) {
        logger.warn(
          { event: 'passkey_origins_outside_rp_id', rpId: party.id, origins: outside },
          'these origins are not within the passkey RP ID (SIGIL_RP_ID): browsers refuse passkeys there',
        );
      }
    },

    registrationOptions: (auth: Authenticated) => registration.options(auth.user),

    async register(auth: Authenticated, response: RegistrationResponseJSON, name: string | undefined): Promise<PasskeyView> {
      return toPasskeyView(await registration.verify(auth.user, response, name));
    },

    async list(auth: Authenticated): Promise<PasskeyView[]> {
      return (await passkeys.listPasskeys(db, auth.user.id)).map(toPasskeyView);
    },

    async rename(auth: Authenticated, id: string, name: string): Promise<PasskeyView> {
      // Another user's passkey is "not found" too: never confirm that an id exists.
      const renamed = await passkeys.renamePasskey(db, auth.user.id, id, name);
      if (!renamed) throw notFound();
      return toPasskeyView(renamed);
    },

    async remove(auth: Authenticated, id: string): Promise<void> {
      if (!(await passkeys.deletePasskey(db, auth.user.id, id))) throw notFound();
      logger.info({ event: 'passkey_deleted', userId: auth.user.id, passkeyId: id }, 'passkey deleted');
    },

    /** Options for a passwordless sign-in: no credentials listed (discoverable passkeys, conditional UI). */
    loginOptions: () => authentication.options(),

    /** Signs in with a passkey alone: a session whose `amr` names the passkey (see passkeyAmr). */
    async login(response: AuthenticationResponseJSON, meta: RequestMeta): Promise<TokenBundle> {
      const { user, passkey } = await authentication.verify(response);
      logger.info({ event: 'login', method: 'passkey', userId: user.id, passkeyId: passkey.id }, 'user logged in with a passkey');
      return deps.startSession(user, meta, passkeyAmr(passkey.deviceType));
    },

    /** Whether the user has a passkey (a password sign-in then offers it as a second step). */
    async hasPasskeys(userId: string): Promise<boolean> {
      return (await passkeys.countPasskeys(db, userId)) > 0;
    },

    /** Deletes expired challenges (the hourly cleanup). */
    cleanup: () => deleteExpiredChallenges(db, now()),
  };
}

/** The passkey service's API: see {@link createPasskeyService}. */
export type PasskeyService = ReturnType<typeof createPasskeyService>;
