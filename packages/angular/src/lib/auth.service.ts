import { Injectable, computed, inject, type Signal } from '@angular/core';
import type { Observable } from 'rxjs';
import {
  SigilClientError,
  type LoginInput,
  type LoginResult,
  type MfaInput,
  type SignupInput,
  type SignupResult,
  type SigilUser,
} from '@sigil/client';
import type { SigilSession } from '@sigil/client/internal';
import type { SigilAuthEvent } from './auth-event';
import { AuthState } from './auth-state';

/**
 * The signed-in user as signals, and the session's actions. Needs {@link provideSigilAuth} in the
 * app's providers. On the server platform (SSR) it never creates a client and reports "logged out".
 *
 * @example
 * readonly auth = inject(AuthService);
 * // template: @if (auth.user(); as user) { Hello {{ user.name }} }
 * const result = await this.auth.login({ email, password });
 * if (result.status === 'mfa_required') await this.auth.verifyMfa({ mfaToken: result.mfaToken, method: 'totp', code });
 */
@Injectable({ providedIn: 'root' })
export class AuthService {
  readonly #state = inject(AuthState);

  /** The signed-in user (`{id, email, name, roles}`), or `null`. */
  readonly user: Signal<SigilUser | null> = this.#state.user.asReadonly();
  /** Whether a user is signed in. */
  readonly isLoggedIn: Signal<boolean> = computed(() => this.user() !== null);
  /** When the current access token expires (epoch ms on this device's clock), or `null`. */
  readonly expiresAt: Signal<number | null> = this.#state.expiresAt.asReadonly();
  /** Logins, logouts and session expiries, e.g. to show a toast. */
  readonly events: Observable<SigilAuthEvent> = this.#state.events.asObservable();
  /**
   * Settles once the session known at startup is loaded (cookie mode asks the server first), so a
   * guard does not send a signed-in user to the login page on reload. Never rejects.
   */
  readonly ready: Promise<void> = this.#state.ready;

  /**
   * Signs in with email and password. Resolves to `{ status: 'signed_in', user }`, or to
   * `{ status: 'mfa_required', mfaToken, methods }` for an account with a second factor: ask for
   * the code and call {@link verifyMfa}. Rejects with `SigilClientError` (`code`
   * `invalid_credentials`, `rate_limited` with `retryAfter`, `network_error`, ...); the password is
   * never kept or logged.
   */
  async login(credentials: LoginInput): Promise<LoginResult> {
    const result = await this.#client().login(credentials);
    if (result.status === 'signed_in') this.#announceLogin(result.user);
    return result;
  }

  /**
   * The second step of an `mfa_required` login: the authenticator app's code (`totp`) or a recovery
   * code (`recovery_code`). Resolves to the signed-in user, with a `login` event. Rejects with
   * `invalid_mfa` (a wrong code: ask again), `invalid_grant` (the `mfaToken` expired, was used, or
   * took too many wrong codes: sign in again), `rate_limited`, ...
   */
  async verifyMfa(input: MfaInput): Promise<SigilUser> {
    const user = await this.#client().verifyMfa(input);
    this.#announceLogin(user);
    return user;
  }

  /**
   * Creates an account and signs in, unless the auth server wants the address verified first:
   * then `verificationRequired` is true, no session starts and no `login` event fires. Rejects
   * like {@link login} (`email_taken`, `invalid_request`).
   */
  async signup(account: SignupInput): Promise<SignupResult> {
    const result = await this.#client().signup(account);
    if (!result.verificationRequired) this.#announceLogin(result.user);
    return result;
  }

  /** Ends the session on the server (best effort) and here. Never rejects. */
  logout(): Promise<void> {
    return this.#state.end('logout');
  }

  /**
   * Renews the tokens now and resolves to the new access token; concurrent calls share one request.
   * Rejects like the client's `refresh()`: `not_logged_in` (no session, or SSR), `invalid_grant`
   * (the session is over: a `session_expired` event follows), `network_error`...
   */
  async refresh(): Promise<string> {
    return this.#client().refresh();
  }

  /**
   * The access token to send now (renewed first if it is about to expire), or `null` when logged
   * out. Waits for a refresh that is already running, so no request goes out with a dying token.
   */
  getAccessToken(): Promise<string | null> {
    return this.#state.getAccessToken();
  }

  /** Whether the signed-in user has `role`. */
  hasRole(role: string): boolean {
    return this.user()?.roles.includes(role) ?? false;
  }

  /** Navigates to the login route, with `returnUrl` set to the current URL (or `returnUrl`). */
  navigateToLogin(returnUrl?: string): Promise<void> {
    return this.#state.navigateToLogin(returnUrl);
  }

  /**
   * The client resolves with the user after announcing the new session to its listeners, so the
   * signals are already up to date when the `login` event goes out.
   */
  #announceLogin(user: SigilUser): void {
    this.#state.events.next({ type: 'login', user });
  }

  /** The client, or the `not_logged_in` error on the server platform, where there is none. */
  #client(): SigilSession {
    const client = this.#state.client;
    if (!client) throw new SigilClientError('not_logged_in', 'No session on the server platform (SSR)');
    return client;
  }
}
