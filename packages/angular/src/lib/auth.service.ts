import { Injectable, computed, inject, type Signal } from '@angular/core';
import type { Observable } from 'rxjs';
import { SigilClientError, type LoginInput, type SignupInput, type SignupResult, type SigilUser } from '@sigil/client';
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
 * await this.auth.login({ email, password });
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
   * Signs in with email and password. Rejects with `SigilClientError` (`code` `invalid_credentials`,
   * `rate_limited` with `retryAfter`, `network_error`, ...); the password is never kept or logged.
   */
  async login(credentials: LoginInput): Promise<SigilUser> {
    const user = await this.#client('Cannot sign in during SSR').login(credentials);
    this.#announceLogin(user);
    return user;
  }

  /**
   * Creates an account and signs in, unless the auth server wants the address verified first:
   * then `verificationRequired` is true, no session starts and no `login` event fires. Rejects
   * like {@link login} (`email_taken`, `invalid_request`).
   */
  async signup(account: SignupInput): Promise<SignupResult> {
    const result = await this.#client('Cannot sign up during SSR').signup(account);
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
    return this.#client('No session to refresh during SSR').refresh();
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
  #client(whyNot: string): SigilSession {
    const client = this.#state.client;
    if (!client) throw new SigilClientError('not_logged_in', whyNot);
    return client;
  }
}
