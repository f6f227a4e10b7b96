import { DestroyRef, Injectable, PLATFORM_ID, computed, inject, signal } from '@angular/core';
import { isPlatformBrowser } from '@angular/common';
import { Router } from '@angular/router';
import { Subject, type Observable } from 'rxjs';
import {
  createSigilSession,
  hasCode,
  SigilClientError,
  tokenAfterRejection,
  type AuthEvent,
  type LoginInput,
  type SignupInput,
  type SigilSession,
  type SigilUser,
} from '@sigil/client';
import { SIGIL_AUTH_CONFIG } from './config';

/**
 * What happened to the session, for toasts and navigation. `login` and `logout` fire for this
 * tab's own calls and when another tab signs in or out; `session-expired` means the server refused
 * to renew the session (revoked, expired, reused) and the user was sent to the login route.
 */
export interface SigilAuthEvent {
  readonly type: 'login' | 'logout' | 'session-expired';
  readonly user: SigilUser | null;
}

/**
 * The signed-in user as signals, and the session's actions. Provided by {@link provideSigilAuth}.
 * On the server platform (SSR) it never creates a client and reports "logged out".
 *
 * @example
 * readonly auth = inject(AuthService);
 * // template: @if (auth.user(); as user) { Hello {{ user.name }} }
 * await this.auth.login({ email, password });
 */
@Injectable()
export class AuthService {
  readonly #config = inject(SIGIL_AUTH_CONFIG);
  readonly #router = inject(Router, { optional: true });
  // A client of the app's own, or one without `fetch` (the interceptor does its job).
  readonly #client: SigilSession | null;
  readonly #user = signal<SigilUser | null>(null);
  readonly #expiresAt = signal<number | null>(null);
  readonly #events = new Subject<SigilAuthEvent>();
  #expiring = false;

  /** The signed-in user (`{id, email, name, roles}`), or `null`. */
  readonly user = this.#user.asReadonly();
  /** Whether a user is signed in. */
  readonly isLoggedIn = computed(() => this.#user() !== null);
  /** When the current access token expires (epoch ms on this device's clock), or `null`. */
  readonly expiresAt = this.#expiresAt.asReadonly();
  /** Logins, logouts and session expiries, e.g. to show a toast. */
  readonly events: Observable<SigilAuthEvent> = this.#events.asObservable();

  constructor() {
    // Under SSR there is no session to know about, and the client would reach for browser APIs.
    if (!isPlatformBrowser(inject(PLATFORM_ID))) {
      this.#client = null;
      return;
    }
    const own = this.#config.client === undefined;
    const client =
      this.#config.client ??
      createSigilSession({
        issuer: this.#config.issuer,
        apiOrigins: [...this.#config.apiOrigins],
        storage: this.#config.storage,
        // undefined: the client's default.
        refreshLeeway: this.#config.refreshLeeway,
      });
    this.#client = client;
    this.#sync(client.user, client.expiresAt);
    const unsubscribe = client.onChange((event) => this.#onChange(event));
    inject(DestroyRef).onDestroy(() => {
      unsubscribe();
      if (own) client.destroy();
    });
  }

  /**
   * Signs in with email and password. Rejects with `SigilClientError` (`code` `invalid_credentials`,
   * `rate_limited` with `retryAfter`, `network_error`, ...); the password is never kept or logged.
   */
  login(credentials: LoginInput): Promise<SigilUser> {
    return this.#signIn((client) => client.login(credentials));
  }

  /** Creates an account and signs in. Rejects like {@link login} (`email_taken`, `invalid_request`). */
  signup(account: SignupInput): Promise<SigilUser> {
    return this.#signIn((client) => client.signup(account));
  }

  /** Ends the session on the server (best effort) and here. Never rejects. */
  logout(): Promise<void> {
    return this.#endSession('logout');
  }

  /**
   * Renews the access token now. One refresh at a time: concurrent callers share it.
   * Resolves to the new access token, or `null` when the session could not be renewed.
   */
  async refresh(): Promise<string | null> {
    try {
      await this.#client?.refresh();
      return await this.getAccessToken();
    } catch {
      return null;
    }
  }

  /**
   * The access token to send now (renewed first if it is about to expire), or `null` when logged
   * out. Waits for a refresh that is already running, so no request goes out with a dying token.
   */
  async getAccessToken(): Promise<string | null> {
    try {
      return (await this.#client?.getAccessToken()) ?? null;
    } catch {
      return null;
    }
  }

  /** Whether the signed-in user has `role`. */
  hasRole(role: string): boolean {
    return this.#user()?.roles.includes(role) ?? false;
  }

  /**
   * Resolves once the session known at startup is loaded (cookie mode asks the server first), so a
   * guard does not send a signed-in user to the login page on reload.
   */
  async whenReady(): Promise<void> {
    await this.#client?.ready;
  }

  /**
   * A token `rejected` drew a 401. Returns the token to retry with: the current one if someone
   * already renewed it meanwhile, else a fresh one from a (shared) refresh; `null` if the session
   * is over. Rejects when the auth server could not be asked (the session may still be fine).
   * @internal used by `authInterceptor`
   */
  async tokenAfterUnauthorized(rejected: string): Promise<string | null> {
    if (this.#client === null) return null;
    try {
      return await tokenAfterRejection(this.#client, rejected);
    } catch (error) {
      // The auth server could not answer (network, 5xx, rate limit): that says nothing about the
      // session. Any other failure (refused refresh token) means it is over.
      if (hasCode(error, 'network_error', 'internal_error', 'rate_limited')) throw error;
      return null;
    }
  }

  /**
   * The session is unusable: log out, tell listeners, and send the user to the login route with the
   * current URL as `returnUrl`. Calls while one is under way are ignored (many requests fail at once).
   * @internal used by `authInterceptor`
   */
  async expireSession(): Promise<void> {
    if (this.#expiring) return;
    // Already logged out (another failed request, or the client noticed first): only make sure the
    // user ends up on the login page, without a second "session expired" event.
    if (this.#user() === null) return this.navigateToLogin();
    this.#expiring = true;
    try {
      await this.#endSession('session-expired');
      await this.navigateToLogin();
    } finally {
      this.#expiring = false;
    }
  }

  /** Navigates to the login route, with `returnUrl` set to the current URL (or `returnUrl`). */
  async navigateToLogin(returnUrl?: string): Promise<void> {
    const router = this.#router;
    if (router === null) return;
    const current = returnUrl ?? router.url;
    // Already there: navigating again would drop the returnUrl it carries.
    if (current.split(/[?#]/)[0] === this.#config.loginRoute) return;
    await router.navigate([this.#config.loginRoute], current === '/' ? {} : { queryParams: { returnUrl: current } });
  }

  async #signIn(call: (client: SigilSession) => Promise<SigilUser>): Promise<SigilUser> {
    const client = this.#client;
    if (client === null) throw new SigilClientError('not_logged_in', 'Cannot sign in during server-side rendering');
    await call(client);
    this.#sync(client.user, client.expiresAt);
    const user = this.#user();
    if (user === null) throw new SigilClientError('invalid_response', 'No user after signing in');
    this.#events.next({ type: 'login', user });
    return user;
  }

  /** Logs out here and (best effort) at the server, then tells listeners with `type`. */
  async #endSession(type: 'logout' | 'session-expired'): Promise<void> {
    const user = this.#user();
    try {
      await this.#client?.logout();
    } catch {
      // The local session is gone either way; the server's copy expires on its own (or was the one refused).
    }
    this.#sync(null, null);
    if (user !== null) this.#events.next({ type, user });
  }

  #onChange(event: AuthEvent): void {
    // The client logged itself out because the server refused the refresh token: same handling
    // as a failed refresh seen by the interceptor (expireSession ignores the second one).
    if (event.reason === 'session_expired') {
      void this.expireSession();
      return;
    }
    const before = this.#user();
    this.#sync(event.user, event.expiresAt);
    // Another tab signed in or out: tell the app, which may want to change page.
    if (event.reason === 'sync' && (before === null) !== (event.user === null)) {
      this.#events.next(event.user === null ? { type: 'logout', user: before } : { type: 'login', user: event.user });
    }
  }

  #sync(user: SigilUser | null, expiresAt: number | null): void {
    this.#user.set(user);
    this.#expiresAt.set(user === null ? null : expiresAt);
  }
}
