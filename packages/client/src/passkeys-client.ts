import {
  browserSupportsWebAuthn,
  browserSupportsWebAuthnAutofill,
  startAuthentication,
  startRegistration,
  WebAuthnAbortService,
  type PublicKeyCredentialCreationOptionsJSON,
  type PublicKeyCredentialRequestOptionsJSON,
} from '@simplewebauthn/browser';
import type { SigilClient, SigilSession } from './client.ts';
import { signInOf } from './client-requests.ts';
import { SigilClientError, unexpectedAnswer } from './errors.ts';
import { parsePasskey, parsePasskeys, type Passkey } from './passkey-views.ts';
import type { SigilUser } from './session.ts';
import { jsonRequests } from './signed-in.ts';

/** For `loginWithPasskey`. */
export interface PasskeyLoginOptions {
  /**
   * Conditional UI: wait for the user to pick a passkey in the browser's autofill of an
   * `<input autocomplete="username webauthn">` on the page, instead of opening the browser's
   * dialog. Start it when the sign-in form shows; it settles only when the user picks one (or
   * `cancel()`, or another passkey call, ends it). @default false
   */
  conditional?: boolean;
  /**
   * The `mfaToken` of a `mfa_required` login: the passkey is then that sign-in's second step,
   * and must be one of that account's.
   */
  mfaToken?: string;
}

/**
 * Passkeys for a client, from `createSigilPasskeys`. Plain object; every method may be passed
 * around unbound. The server's refusals reject with their `SigilClientError` codes; the browser's
 * with `passkey_cancelled` (the user closed the dialog, it timed out, or another passkey call
 * replaced it) or `passkey_error` (no WebAuthn, a page outside the server's RP ID, an
 * authenticator that has a passkey for this account already...), the browser's error as `cause`.
 */
export interface SigilPasskeys {
  /** Whether this browser has WebAuthn at all (show the passkey buttons only then). */
  supported(): boolean;
  /** Whether this browser can offer passkeys in an input's autofill (`conditional: true`). */
  autofillSupported(): Promise<boolean>;
  /**
   * Signed in: creates a passkey on this device (or a phone or security key the browser offers)
   * and adds it to the account. Rejects with `not_logged_in`, `invalid_request` (the account has
   * 20 already, or the server refused the credential), `passkey_cancelled`, `passkey_error`.
   */
  registerPasskey(name?: string): Promise<Passkey>;
  /**
   * Signs in with a passkey: the user picks one (or, with `mfaToken`, uses one of the account's as
   * the second step of a password sign-in). The new session replaces any current one, here and in
   * synced tabs, as `login` does. Rejects with `invalid_credentials` (or `invalid_mfa` as a
   * second step), `invalid_grant` (an expired or used `mfaToken`), `rate_limited`,
   * `passkey_cancelled`, `passkey_error`.
   */
  loginWithPasskey(options?: PasskeyLoginOptions): Promise<SigilUser>;
  /** Signed in: the account's passkeys, oldest first. */
  listPasskeys(): Promise<Passkey[]>;
  /** Signed in: renames one of the account's passkeys. Rejects with `not_found`, `invalid_request`. */
  renamePasskey(id: string, name: string): Promise<Passkey>;
  /** Signed in: deletes one of the account's passkeys. Rejects with `not_found`. */
  deletePasskey(id: string): Promise<void>;
  /** Ends a passkey request in progress (a conditional one waiting on the autofill): it rejects with `passkey_cancelled`. */
  cancel(): void;
}

/** The browser's refusal as a `SigilClientError`: cancelled (or replaced), or anything else. */
function browserError(error: unknown): SigilClientError {
  const name = (error as { name?: unknown; cause?: { name?: unknown } } | null)?.name;
  const causeName = (error as { cause?: { name?: unknown } } | null)?.cause?.name;
  const cancelled = [name, causeName].some((n) => n === 'AbortError' || n === 'NotAllowedError');
  const message = cancelled ? 'The passkey request was cancelled' : 'The browser could not use a passkey';
  return new SigilClientError(cancelled ? 'passkey_cancelled' : 'passkey_error', message, { cause: error });
}

/** Runs the browser's part of a ceremony, its failures as `SigilClientError`s. */
async function inBrowser<T>(ceremony: () => Promise<T>): Promise<T> {
  try {
    return await ceremony();
  } catch (error) {
    throw browserError(error);
  }
}

/**
 * Passkeys (WebAuthn) for a client of the root entry: registering them, signing in with one
 * (passwordless, in the autofill, or as a second step), and the account's list. Its own entry point
 * (`@sigil/client/passkeys`, with `@simplewebauthn/browser`), so an app without passkeys does not
 * ship it. The client supplies the session and its requests.
 *
 * @example
 * import { createSigilPasskeys } from '@sigil/client/passkeys';
 * const passkeys = createSigilPasskeys(auth); // auth = createSigilClient({...})
 * if (passkeys.supported()) await passkeys.registerPasskey('Work laptop');
 * const user = await passkeys.loginWithPasskey();
 */
export function createSigilPasskeys(client: SigilClient | SigilSession): SigilPasskeys {
  const { send, signedIn, json } = jsonRequests(client);
  const signIn = signInOf(client);

  return {
    supported: () => browserSupportsWebAuthn(),
    autofillSupported: () => browserSupportsWebAuthnAutofill(),

    async registerPasskey(name) {
      const options = (await signedIn('POST', '/auth/passkeys/registration/options')) as PublicKeyCredentialCreationOptionsJSON | undefined;
      if (!options?.challenge) throw unexpectedAnswer();
      const response = await inBrowser(() => startRegistration({ optionsJSON: options }));
      return parsePasskey((await signedIn('POST', '/auth/passkeys/registration', { response, name }))?.['passkey']);
    },

    async loginWithPasskey({ conditional = false, mfaToken } = {}) {
      const step = mfaToken === undefined ? {} : { mfa_token: mfaToken };
      const options = (await json(send('POST', '/auth/passkeys/login/options', step))) as PublicKeyCredentialRequestOptionsJSON | undefined;
      if (!options?.challenge) throw unexpectedAnswer();
      const response = await inBrowser(() => startAuthentication({ optionsJSON: options, useBrowserAutofill: conditional }));
      // A passkey is multi-factor on its own: the server never asks for another step after it.
      return signIn('/auth/passkeys/login', { response, ...step });
    },

    async listPasskeys() {
      return parsePasskeys(await signedIn('GET', '/auth/passkeys'));
    },

    async renamePasskey(id, name) {
      return parsePasskey((await signedIn('PATCH', `/auth/passkeys/${encodeURIComponent(id)}`, { name }))?.['passkey']);
    },

    async deletePasskey(id) {
      await signedIn('DELETE', `/auth/passkeys/${encodeURIComponent(id)}`);
    },

    cancel() {
      WebAuthnAbortService.cancelCeremony();
    },
  };
}
