import type { AuthenticationResponseJSON, PublicKeyCredentialRequestOptionsJSON, RegistrationResponseJSON } from '@simplewebauthn/server';
import type { Config } from '../config.ts';
import { SigilError } from '../errors.ts';
import type { Authenticated, AuthService, RequestMeta, TokenBundle } from '../sessions/auth-service.ts';
import * as passkeys from '../storage/passkeys.ts';
import { deleteExpiredChallenges } from '../storage/webauthn-challenges.ts';
import { passkeyAmr } from './amr.ts';
import { createPasskeyCeremonies, type CeremonyDeps } from './ceremonies.ts';
import { originFitsRpId } from './relying-party.ts';

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

/** What the passkey service needs of the auth service: the end of a login, and its second step. */
export type LoginSteps = Pick<AuthService, 'completeFirstFactor' | 'verifySecondFactor' | 'mfaChallengeUser'>;

export interface PasskeyServiceDeps extends CeremonyDeps {
  config: CeremonyDeps['config'] & Pick<Config, 'emailVerification'>;
  login: LoginSteps;
}

/**
 * Passkeys (docs/server.md, "Passkeys"; docs/architecture.md, "Passkeys"): registering, listing,
 * renaming and deleting the signed-in user's passkeys, and signing in with one, passwordless or
 * as the second step of a password sign-in. Built on `@simplewebauthn/server`; challenges are
 * kept in the database (`webauthn_challenges`) and used once.
 *
 * @example
 * const service = createPasskeyService({ db, config, logger, now, issuer, login: authService });
 * const options = await service.loginOptions({}, meta);
 * const bundle = await service.login(responseFromTheBrowser, meta);
 */
export function createPasskeyService(deps: PasskeyServiceDeps) {
  const { db, config, logger, now, login: steps } = deps;
  const { rp, registration, authentication } = createPasskeyCeremonies(deps);

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

    /**
     * Request options. Passwordless (no `mfaToken`): no credentials listed, so the browser offers
     * every discoverable passkey it holds (conditional UI, the account chooser). With the
     * `mfa_token` of a password sign-in: that account's passkeys; 400 `invalid_grant` when the
     * token is not usable by this client.
     */
    async loginOptions(input: { mfaToken?: string }, meta: RequestMeta): Promise<PublicKeyCredentialRequestOptionsJSON> {
      if (input.mfaToken === undefined) return authentication.options();
      const user = await steps.mfaChallengeUser(input.mfaToken, meta);
      if (!user) throw new SigilError('invalid_grant', 'This sign-in attempt is invalid or has expired: sign in again', { status: 400 });
      return authentication.options(user.id);
    },

    /**
     * Signs in with a passkey alone. It is multi-factor on its own (possession and user
     * verification, see passkeyAmr): the session starts without a second step, whatever else
     * the account has.
     */
    async login(response: AuthenticationResponseJSON, meta: RequestMeta): Promise<TokenBundle> {
      const { user, passkey } = await authentication.verify(response);
      if (config.emailVerification === 'required' && !user.emailVerified) {
        throw new SigilError('email_not_verified', 'Verify your email address first: sign in with your password for a new link');
      }
      const outcome = await steps.completeFirstFactor(user, { amr: passkeyAmr(passkey.deviceType), multiFactor: true }, meta);
      if (outcome.kind !== 'session') throw new TypeError('a multi-factor first factor must start a session');
      return outcome.bundle;
    },

    /** The second step of a password sign-in with a passkey (the auth service's `passkey` method). */
    loginSecondFactor(response: AuthenticationResponseJSON, mfaToken: string, meta: RequestMeta): Promise<TokenBundle> {
      return steps.verifySecondFactor({ mfaToken, method: 'passkey', proof: { response } }, meta);
    },

    /** Deletes expired challenges (the hourly cleanup). */
    cleanup: () => deleteExpiredChallenges(db, now()),
  };
}

/** The passkey service's API: see {@link createPasskeyService}. */
export type PasskeyService = ReturnType<typeof createPasskeyService>;
