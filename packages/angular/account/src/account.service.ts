import { Injectable, inject } from '@angular/core';
import { SigilClientError, ɵAuthState, type SigilUser } from '@sigil/angular';
import {
  createSigilAccount,
  type AccountDeletionInput,
  type AccountSession,
  type EmailChangeInput,
  type MfaStatus,
  type PasswordChangeInput,
  type PasswordResetInput,
  type SigilAccount,
  type StepUpInput,
  type TotpEnrolment,
} from '@sigil/client/account';

/**
 * The account's lifecycle for the signed-in user of {@link AuthService} (or, for the links in
 * mails, for anyone): email verification, password reset and change, email change, the user's
 * sessions, account deletion, the second factor (TOTP, recovery codes) and the step-up sign-in an
 * API asks for with `StepUpRequiredError`. Needs `provideSigilAuth` in the app's providers, like `AuthService`.
 * Every method returns a Promise that rejects with `SigilClientError` (branch on `code`); the
 * ones that need a signed-in user reject with `not_logged_in` without one, and every one of them
 * does on the server platform (SSR).
 *
 * @example
 * readonly account = inject(AccountService);
 * await this.account.changePassword({ currentPassword, newPassword });
 * const devices = await this.account.sessions();
 */
@Injectable({ providedIn: 'root' })
export class AccountService {
  readonly #state = inject(ɵAuthState);
  readonly #account: SigilAccount | null = this.#state.client && createSigilAccount(this.#state.client);

  /** Mails the signed-in user a new verification link. Rejects with `rate_limited` (see `retryAfter`). */
  requestEmailVerification(): Promise<void> {
    return this.#call((account) => account.requestEmailVerification());
  }

  /**
   * Follows a verification link (also the one confirming a new address): resolves to the user,
   * now `emailVerified`. When that user is signed in here, `AuthService.user` follows. Rejects
   * with `invalid_grant` (unknown, used or expired link).
   */
  verifyEmail(token: string): Promise<SigilUser> {
    return this.#call((account) => account.verifyEmail(token));
  }

  /** Mails a reset link if an account has `email`; resolves the same either way (the server never tells). */
  requestPasswordReset(email: string): Promise<void> {
    return this.#call((account) => account.requestPasswordReset(email));
  }

  /**
   * Sets a new password with a reset link's token. Every session of the account ends, so a session
   * here ends too, with a `logout` event. Rejects with `invalid_request` (password policy) or
   * `invalid_grant` (unknown, used or expired link).
   */
  resetPassword(input: PasswordResetInput): Promise<void> {
    return this.#ending((account) => account.resetPassword(input));
  }

  /**
   * Mails a confirmation link to `newEmail`; the address changes once it is followed
   * ({@link verifyEmail}). Rejects with `invalid_request` (a wrong password: its `errors` name
   * `password`), `email_taken`.
   */
  changeEmail(input: EmailChangeInput): Promise<void> {
    return this.#call((account) => account.changeEmail(input));
  }

  /** Changes the password; the other sessions end, this one stays. Rejects with `invalid_request`. */
  changePassword(input: PasswordChangeInput): Promise<void> {
    return this.#call((account) => account.changePassword(input));
  }

  /**
   * Erases the account, then ends the session here (and in other tabs) with a `logout` event.
   * Rejects with `invalid_request` (a wrong password: its `errors` name `password`), keeping everything.
   */
  deleteAccount(input: AccountDeletionInput): Promise<void> {
    return this.#ending((account) => account.deleteAccount(input));
  }

  /** The account's sessions (signed-in devices and browsers), this one `current`. */
  sessions(): Promise<AccountSession[]> {
    return this.#call((account) => account.sessions());
  }

  /** Ends another session of the account; for this one, use `AuthService.logout()`. Rejects with `not_found`. */
  revokeSession(id: string): Promise<void> {
    return this.#call((account) => account.revokeSession(id));
  }

  /** The account's second factors: what a login asks for (`methods`), TOTP's state, recovery codes left. */
  mfaStatus(): Promise<MfaStatus> {
    return this.#call((account) => account.mfaStatus());
  }

  /**
   * Starts TOTP enrolment: the secret as text (`secret`), as an `otpauthUrl` and as a QR code
   * (`qrSvg`, an SVG document) for the user's authenticator app. Nothing changes until {@link confirmTotp}.
   */
  startTotpEnrolment(): Promise<TotpEnrolment> {
    return this.#call((account) => account.startTotpEnrolment());
  }

  /**
   * Confirms the enrolment with a code from the app; signing in asks for a code from then on.
   * Resolves to the 10 recovery codes, to show once. Rejects with `invalid_mfa` (wrong code).
   */
  confirmTotp(code: string): Promise<string[]> {
    return this.#call((account) => account.confirmTotp(code));
  }

  /** Turns TOTP off (the recovery codes go too). Rejects with `invalid_request` for a wrong password. */
  disableTotp(password: string): Promise<void> {
    return this.#call((account) => account.disableTotp(password));
  }

  /** 10 new recovery codes; the old ones stop working. Rejects with `invalid_request` for a wrong password. */
  regenerateRecoveryCodes(password: string): Promise<string[]> {
    return this.#call((account) => account.regenerateRecoveryCodes(password));
  }

  /**
   * The step-up an API asked for (`StepUpRequiredError` from an `HttpClient` call): signs the same
   * user in afresh with the password and the second factor's `code`, so the session's tokens carry
   * a new `auth_time` and `amr`; then retry the request. The replaced session is ended at the
   * server; no `AuthService.events` event fires (the same user stays signed in). Rejects with
   * `invalid_credentials`, `invalid_mfa`, or `mfa_required` when the account has a second factor
   * and no `code` was given; the session is then unchanged.
   */
  stepUp(input: StepUpInput): Promise<SigilUser> {
    return this.#call((account) => account.stepUp(input));
  }

  async #call<T>(task: (account: SigilAccount) => Promise<T>): Promise<T> {
    if (!this.#account) throw new SigilClientError('not_logged_in', 'No account calls during SSR');
    return task(this.#account);
  }

  /**
   * A call after which the client has ended its session: `AuthService.events` announces it as it
   * does for `logout()`, so an app has one place that reacts to "signed out".
   */
  async #ending(task: (account: SigilAccount) => Promise<void>): Promise<void> {
    const before = this.#state.user();
    await this.#call(task);
    if (before && !this.#state.user()) this.#state.events.next({ type: 'logout', user: before });
  }
}
