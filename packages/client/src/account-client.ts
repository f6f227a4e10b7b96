import { tokenAfterRejection } from './auth-fetch.ts';
import type { SigilClient, SigilSession } from './client.ts';
import { requestsOf } from './client-requests.ts';
import { hasCode, SigilClientError, unexpectedAnswer } from './errors.ts';
import { parseSessions, type AccountSession } from './account-sessions.ts';
import { userFromServer, type SigilUser } from './session.ts';

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
 * The account's lifecycle, from `createSigilAccount`: verifying the address, resetting and changing
 * the password, changing the address, the user's sessions, deleting the account. Plain object;
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
   * address changes once `verifyEmail` gets that link's token. Rejects with `invalid_credentials`
   * (wrong password), `email_taken`, `invalid_request`.
   */
  changeEmail(input: EmailChangeInput): Promise<void>;
  /**
   * Signed in: changes the password. The account's other sessions end; this one stays. Rejects
   * with `invalid_request` (wrong current password, or the new one breaks the policy).
   */
  changePassword(input: PasswordChangeInput): Promise<void>;
  /**
   * Signed in: erases the account, its sessions and tokens, then ends this client's session (here
   * and in synced tabs). Rejects with `invalid_credentials` or `invalid_request` (wrong password).
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
}

type Method = 'GET' | 'POST' | 'DELETE';

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
  const { request, json } = requestsOf(client);

  function send(method: Method, path: string, body?: object, token?: string): Promise<Response> {
    const headers: Record<string, string> = { Accept: 'application/json' };
    if (body) headers['Content-Type'] = 'application/json';
    if (token) headers['Authorization'] = `Bearer ${token}`;
    return request(path, { method, headers, body: body && JSON.stringify(body) });
  }

  /**
   * A request as the signed-in user. A 401 `invalid_token` (the token expired or was revoked on
   * the way) gets one renewed token and one retry; any other refusal, a wrong password's 401
   * included, is the answer.
   */
  async function signedIn(method: Method, path: string, body?: object) {
    const token = await client.getAccessToken();
    if (token === null) throw new SigilClientError('not_logged_in', 'Not signed in');
    try {
      return await json(send(method, path, body, token));
    } catch (error) {
      if (!hasCode(error, 'invalid_token')) throw error;
      const renewed = await tokenAfterRejection(client, token).catch(() => null);
      if (renewed === null || renewed === token) throw error;
      return json(send(method, path, body, renewed));
    }
  }

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
  };
}
