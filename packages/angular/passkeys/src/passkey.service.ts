import { Injectable, inject } from '@angular/core';
import { SigilClientError, ɵAuthState, type SigilUser } from '@sigil/angular';
import { createSigilPasskeys, type Passkey, type PasskeyLoginOptions, type SigilPasskeys } from '@sigil/client/passkeys';

/**
 * Passkeys for the app's {@link AuthService} session: registering them, signing in with one
 * (passwordless, in the email field's autofill, or as the second step of a password sign-in) and
 * the account's list. Needs `provideSigilAuth` in the app's providers, like `AuthService`. Every
 * method returns a Promise that rejects with `SigilClientError` (branch on `code`: the server's
 * codes, and `passkey_cancelled` / `passkey_error` for the browser's refusals); on the server
 * platform (SSR) `supported()` is false and every call rejects with `not_logged_in`.
 *
 * @example
 * readonly passkeys = inject(PasskeyService);
 * // The login page: passkeys in the autofill of <input type="email" autocomplete="username webauthn">.
 * async ngOnInit() {
 *   if (await this.passkeys.autofillSupported()) {
 *     this.passkeys.loginWithPasskey({ conditional: true }).then(() => this.router.navigate(['/lessons']), () => {});
 *   }
 * }
 * ngOnDestroy() { this.passkeys.cancel(); }
 */
@Injectable({ providedIn: 'root' })
export class PasskeyService {
  readonly #state = inject(ɵAuthState);
  readonly #passkeys: SigilPasskeys | null = this.#state.client && createSigilPasskeys(this.#state.client);

  /** Whether this browser has WebAuthn (show passkey buttons only then). False under SSR. */
  supported(): boolean {
    return this.#passkeys?.supported() ?? false;
  }

  /** Whether this browser offers passkeys in an input's autofill (`loginWithPasskey({ conditional: true })`). */
  async autofillSupported(): Promise<boolean> {
    return (await this.#passkeys?.autofillSupported()) ?? false;
  }

  /**
   * Creates a passkey (this device, a phone, a security key: the browser asks) for the signed-in
   * user and adds it to the account. Rejects with `not_logged_in`, `invalid_request`,
   * `passkey_cancelled`, `passkey_error` (e.g. this authenticator has a passkey for the account already).
   */
  registerPasskey(name?: string): Promise<Passkey> {
    return this.#call((passkeys) => passkeys.registerPasskey(name));
  }

  /**
   * Signs in with a passkey and resolves to the user, with a `login` event on `AuthService.events`
   * (the signals are up to date by then). `{ conditional: true }` waits on the autofill;
   * `{ mfaToken }` is the second step of an `mfa_required` login. Rejects with
   * `invalid_credentials`, `invalid_mfa`, `invalid_grant` (an expired `mfaToken`), `rate_limited`,
   * `passkey_cancelled`, `passkey_error`.
   */
  async loginWithPasskey(options?: PasskeyLoginOptions): Promise<SigilUser> {
    const user = await this.#call((passkeys) => passkeys.loginWithPasskey(options));
    this.#state.events.next({ type: 'login', user });
    return user;
  }

  /** The account's passkeys, oldest first. */
  listPasskeys(): Promise<Passkey[]> {
    return this.#call((passkeys) => passkeys.listPasskeys());
  }

  /** Renames one of the account's passkeys. Rejects with `not_found`, `invalid_request`. */
  renamePasskey(id: string, name: string): Promise<Passkey> {
    return this.#call((passkeys) => passkeys.renamePasskey(id, name));
  }

  /** Deletes one of the account's passkeys. Rejects with `not_found`. */
  deletePasskey(id: string): Promise<void> {
    return this.#call((passkeys) => passkeys.deletePasskey(id));
  }

  /** Ends a passkey request in progress (the autofill's, when the login page goes away). */
  cancel(): void {
    this.#passkeys?.cancel();
  }

  async #call<T>(task: (passkeys: SigilPasskeys) => Promise<T>): Promise<T> {
    if (!this.#passkeys) throw new SigilClientError('not_logged_in', 'No passkeys during SSR');
    return task(this.#passkeys);
  }
}
