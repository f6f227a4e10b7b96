import type { SigilClient, SigilSession } from './client.ts';
import { SigilClientError, unexpectedAnswer } from './errors.ts';
import { parseMfaStatus, parseRecoveryCodes, parseTotpEnrolment, sessionIdOf, type MfaStatus, type TotpEnrolment } from './account-mfa.ts';
import { parseSessions, type AccountSession } from './account-sessions.ts';
import type { MfaMethod } from './mfa.ts';
import { userFromServer, type SigilUser } from './session.ts';
import { jsonRequests } from './signed-in.ts';

/** For `resetPassword`: the token from the mailed link and the password to set. */
export interface PasswordResetInput {
  token: string;
  newPassword: string;
}

/** For `changePassword`. */
export interface PasswordChangeInput {
  currentPassword: string;
  newPassword: string;
}

/** For `changeEmail`: the new address and the current password, which confirms it is the user. */
export interface EmailChangeInput {
  newEmail: string;
  password: string;
}

/** For `deleteAccount`: the current password, which confirms it is the user. */
export interface AccountDeletionInput {
  password: string;
}

/**
 * For `stepUp`: the password again, and the second factor's code when the account has one
 * (`method` `totp` by default, or `recovery_code`).
 */
export interface StepUpInput {
  password: string;
  code?: string;
  method?: MfaMethod;
}

/**
 * The account's lifecycle, from `createSigilAccount`: verifying the address, resetting and changing
 * the password, changing the address, the user's sessions, deleting the account, the second
 * factor (TOTP, recovery codes) and the step-up sign-in. Plain object;
 * every method may be passed around unbound. Every rejection is a `SigilClientError`; the methods
 * marked "signed in" reject with `not_logged_in` without a session.
 */
export interface SigilAccount {
  /** Signed in: mails the user a new verification link. Rejects with `rate_limited` (see `retryAfter`). */
  requestEmailVerification(): Promise<void>;
  /**
   * Follows a verification link (also the one that confirms a new address after `changeEmail`):
   * resolves to the user, now `emailVerified`. A session of that user here is renewed so its
   * access token says so too. Rejects with `invalid_grant` (unknown, used or expired link).
   */
  verifyEmail(token: string): Promise<SigilUser>;
  /**
   * Mails a reset link if an account has this address. Resolves the same whether or not one has:
   * the server never tells. Rejects with `invalid_request` (not an address), `rate_limited`.
   */
  requestPasswordReset(email: string): Promise<void>;
  /**
   * Sets a new password with the token of a reset link. The server ends every session of the
   * account, so this client's session ends too (here and in synced tabs). Rejects with
   * `invalid_request` (the password breaks the policy) or `invalid_grant` (unknown, used or expired link).
   */
  resetPassword(input: PasswordResetInput): Promise<void>;
  /**
   * Signed in: mails a confirmation link to `newEmail` (and a notice to the old address); the
   * address changes once `verifyEmail` gets that link's token. Rejects with `invalid_request`
   * (a wrong password: its `errors` name `password`; or not an address), `email_taken`.
   */
  changeEmail(input: EmailChangeInput): Promise<void>;
  /**
   * Signed in: changes the password. The account's other sessions end; this one stays. Rejects
   * with `invalid_request`, whose `errors` name `current_password` (wrong) or `new_password` (policy).
   */
  changePassword(input: PasswordChangeInput): Promise<void>;
  /**
   * Signed in: erases the account, its sessions and tokens, then ends this client's session (here
   * and in synced tabs). Rejects with `invalid_request` (a wrong password: its `errors` name `password`).
   */
  deleteAccount(input: AccountDeletionInput): Promise<void>;
  /** Signed in: the account's sessions, one per signed-in device or browser, this one `current`. */
  sessions(): Promise<AccountSession[]>;
  /**
   * Signed in: ends the session `id` of the account (its device is signed out at its next
   * refresh). For this device's own session call the client's `logout()` instead. Rejects with
   * `not_found`.
   */
  revokeSession(id: string): Promise<void>;
  /** Signed in: the account's second factors (what a login asks for, TOTP's state, recovery codes left). */
  mfaStatus(): Promise<MfaStatus>;
  /**
   * Signed in: starts TOTP enrolment. Resolves to the secret (`secret`, `otpauthUrl`, and `qrSvg`
   * to show); nothing changes until `confirmTotp` gets a first code from the app.
   */
  startTotpEnrolment(): Promise<TotpEnrolment>;
  /**
   * Signed in: confirms the enrolment with a code the app shows now; from then on signing in asks
   * for a code. Resolves to the 10 recovery codes: show them once, the server keeps only their
   * hashes. Rejects with `invalid_mfa` (a wrong code: try the next one).
   */
  confirmTotp(code: string): Promise<string[]>;
  /** Signed in: removes TOTP (and the recovery codes). Rejects with `invalid_request` for a wrong password. */
  disableTotp(password: string): Promise<void>;
  /** Signed in: 10 new recovery codes, the old ones void. Rejects with `invalid_request` for a wrong password. */
  regenerateRecoveryCodes(password: string): Promise<string[]>;
  /**
   * Signed in: the step-up an API asked for with `StepUpRequiredError`. Signs the same user in
   * afresh with the password and, when the account has one, the second factor's `code`; the new
   * session replaces this one (here and in synced tabs) with a new `auth_time` and `amr`, and the
   * previous session is ended at the server. Then retry the request. Rejects with
   * `invalid_credentials`, `invalid_mfa` (wrong code), or `mfa_required` when the account has a
   * second factor and no `code` was given (ask for it and call again); the session stays as it was.
   */
  stepUp(input: StepUpInput): Promise<SigilUser>;
}

const MFA_REQUIRED = 'Enter the code of your second factor';

/**
 * The account calls of a client's auth server. Its own entry point (`@sigil/client/account`), so an
 * app that does not use them does not ship them. The client supplies the session (access token,
 * refresh, logout) and its requests (issuer, `fetch`, timeout, error reading).
 *
 * @example
 * import { createSigilAccount } from '@sigil/client/account';
 * const account = createSigilAccount(auth); // auth = createSigilClient({...})
 * await account.changePassword({ currentPassword, newPassword });
 * const devices = await account.sessions();
 */
export function createSigilAccount(client: SigilClient | SigilSession): SigilAccount {
  const { send, signedIn, json } = jsonRequests(client);

  /** A session of an account the server has just ended (reset, deletion) is ended here too. */
  async function endLocalSession(): Promise<void> {
    await client.ready;
    if (client.isLoggedIn) await client.logout();
  }

  return {
    async requestEmailVerification() {
      await signedIn('POST', '/auth/email/verification');
    },
    async verifyEmail(token) {
      const answer = await json(send('POST', '/auth/email/verify', { token }));
      const user = userFromServer(answer?.['user']);
      if (!user) throw unexpectedAnswer();
      // The access token still carries the old claims: renewing it updates the session's user.
      // Best effort: the address is verified whether or not this succeeds.
      if (client.user?.id === user.id) await client.refresh().catch(() => {});
      return user;
    },
    async requestPasswordReset(email) {
      await json(send('POST', '/auth/password/forgot', { email }));
    },
    async resetPassword({ token, newPassword }) {
      await json(send('POST', '/auth/password/reset', { token, new_password: newPassword }));
      await endLocalSession();
    },
    async changeEmail({ newEmail, password }) {
      await signedIn('POST', '/auth/email/change', { new_email: newEmail, password });
    },
    async changePassword({ currentPassword, newPassword }) {
      await signedIn('POST', '/auth/password', { current_password: currentPassword, new_password: newPassword });
    },
    async deleteAccount({ password }) {
      await signedIn('DELETE', '/auth/account', { password });
      await endLocalSession();
    },
    async sessions() {
      return parseSessions(await signedIn('GET', '/auth/sessions'));
    },
    async revokeSession(id) {
      await signedIn('DELETE', `/auth/sessions/${encodeURIComponent(id)}`);
    },
    async mfaStatus() {
      return parseMfaStatus(await signedIn('GET', '/auth/mfa'));
    },
    async startTotpEnrolment() {
      return parseTotpEnrolment(await signedIn('POST', '/auth/mfa/totp'));
    },
    async confirmTotp(code) {
      return parseRecoveryCodes(await signedIn('POST', '/auth/mfa/totp/confirm', { code }));
    },
    async disableTotp(password) {
      await signedIn('DELETE', '/auth/mfa/totp', { password });
    },
    async regenerateRecoveryCodes(password) {
      return parseRecoveryCodes(await signedIn('POST', '/auth/mfa/recovery-codes', { password }));
    },
    async stepUp({ password, code, method = 'totp' }) {
      const token = await client.getAccessToken();
      const email = client.user?.email;
      if (token === null || email === undefined) throw new SigilClientError('not_logged_in', 'Not signed in');
      // A fresh sign-in of the same account: a refresh would keep the old auth_time and amr.
      const result = await client.login({ email, password });
      let user: SigilUser;
      if (result.status === 'signed_in') user = result.user;
      else if (code === undefined) throw new SigilClientError('mfa_required', MFA_REQUIRED, { status: 403, detail: MFA_REQUIRED });
      else user = await client.verifyMfa({ mfaToken: result.mfaToken, method, code });
      // The sign-in started a new session: end the one it replaces, or it would linger in the
      // account's sessions until it expires. Best effort: the step-up itself has succeeded.
      const previous = sessionIdOf(token);
      const current = await client.getAccessToken();
      if (previous !== undefined && current !== null && sessionIdOf(current) !== previous)
        await signedIn('DELETE', `/auth/sessions/${encodeURIComponent(previous)}`).catch(() => {});
      return user;
    },
  };
}
