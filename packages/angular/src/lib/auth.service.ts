import { PLATFORM_ID, computed, inject, signal, type Signal } from '@angular/core';
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
 * Built from closures in the constructor rather than methods and `#private` fields: an app's
 * minifier renames closure variables but never member names, so this shape ships a good deal less
 * code. The members are still the instance's own, so `auth.login` may be passed around unbound.
 * No `@Injectable`: {@link provideSigilAuth} provides it with a factory, which spares the compiled
 * factory and injectable definitions.
 *
 * @example
 * readonly auth = inject(AuthService);
 * // template: @if (auth.user(); as user) { Hello {{ user.name }} }
 * await this.auth.login({ email, password });
 */
export class AuthService {
  /** The signed-in user (`{id, email, name, roles}`), or `null`. */
  declare readonly user: Signal<SigilUser | null>;
  /** Whether a user is signed in. */
  declare readonly isLoggedIn: Signal<boolean>;
  /** When the current access token expires (epoch ms on this device's clock), or `null`. */
  declare readonly expiresAt: Signal<number | null>;
  /** Logins, logouts and session expiries, e.g. to show a toast. */
  declare readonly events: Observable<SigilAuthEvent>;
  /**
   * Signs in with email and password. Rejects with `SigilClientError` (`code` `invalid_credentials`,
   * `rate_limited` with `retryAfter`, `network_error`, ...); the password is never kept or logged.
   */
  declare readonly login: (credentials: LoginInput) => Promise<SigilUser>;
  /** Creates an account and signs in. Rejects like {@link login} (`email_taken`, `invalid_request`). */
  declare readonly signup: (account: SignupInput) => Promise<SigilUser>;
  /** Ends the session on the server (best effort) and here. Never rejects. */
  declare readonly logout: () => Promise<void>;
  /**
   * Renews the access token now. One refresh at a time: concurrent callers share it.
   * Resolves to the new access token, or `null` when the session could not be renewed.
   */
  declare readonly refresh: () => Promise<string | null>;
  /**
   * The access token to send now (renewed first if it is about to expire), or `null` when logged
   * out. Waits for a refresh that is already running, so no request goes out with a dying token.
   */
  declare readonly getAccessToken: () => Promise<string | null>;
  /** Whether the signed-in user has `role`. */
  declare readonly hasRole: (role: string) => boolean;
  /**
   * Resolves once the session known at startup is loaded (cookie mode asks the server first), so a
   * guard does not send a signed-in user to the login page on reload.
   */
  declare readonly whenReady: () => Promise<void>;
  /**
   * A token `rejected` drew a 401. Returns the token to retry with: the current one if someone
   * already renewed it meanwhile, else a fresh one from a (shared) refresh; `null` if the session
   * is over; `undefined` when the auth server could not be asked (the session may still be fine).
   * Never rejects.
   * @internal used by `authInterceptor`
   */
  declare readonly tokenAfterUnauthorized: (rejected: string) => Promise<string | null | undefined>;
  /**
   * The session is unusable: log out, tell listeners, and send the user to the login route with the
   * current URL as `returnUrl`. Calls while one is under way are ignored (many requests fail at once).
   * @internal used by `authInterceptor`
   */
  declare readonly expireSession: () => Promise<void>;
  /** Navigates to the login route, with `returnUrl` set to the current URL (or `returnUrl`). */
  declare readonly navigateToLogin: (returnUrl?: string) => Promise<void>;
  /**
   * Called by Angular when the injector that provides the service is destroyed: stops listening to
   * the client, and destroys it unless the app passed its own.
   */
  declare readonly ngOnDestroy: () => void;

  constructor() {
    const config = inject(SIGIL_AUTH_CONFIG);
    const router = inject(Router, { optional: true });
    const user = signal<SigilUser | null>(null);
    const expiresAt = signal<number | null>(null);
    const events = new Subject<SigilAuthEvent>();
    let expiring = false;
    // Under SSR there is no session to know about, and the client would reach for browser APIs.
    // 'browser' is what `isPlatformBrowser` compares with. The app's own client, or one without
    // `fetch` (the interceptor does its job); the resolved config carries the client's options,
    // checked by the client's own code at startup.
    const client: SigilSession | null = inject(PLATFORM_ID) === 'browser' ? (config.client ?? createSigilSession(config)) : null;

    const sync = (next: SigilUser | null, expires: number | null) => {
      user.set(next);
      expiresAt.set(next && expires);
    };

    /** Logs out here and (best effort) at the server, then tells listeners with `type`. */
    const endSession = async (type: SigilAuthEvent['type']) => {
      const before = user();
      // The local session is gone either way; the server's copy expires on its own (or was the one refused).
      await client?.logout().catch(() => {});
      sync(null, null);
      if (before) events.next({ type, user: before });
    };

    /**
     * The client resolves with the user after announcing the new session to `onChange` below, so
     * the signals are already up to date here.
     */
    const signIn = async (call: (client: SigilSession) => Promise<SigilUser>) => {
      if (!client) throw new SigilClientError('not_logged_in', 'Cannot sign in during SSR');
      const signedIn = await call(client);
      events.next({ type: 'login', user: signedIn });
      return signedIn;
    };

    const getAccessToken = async () => (await client?.getAccessToken().catch(() => null)) ?? null;

    const navigateToLogin = async (returnUrl?: string) => {
      if (!router) return;
      const current = returnUrl ?? router.url;
      // Already there: navigating again would drop the returnUrl it carries.
      if (current.split(/[?#]/)[0] === config.loginRoute) return;
      await router.navigate([config.loginRoute], current === '/' ? {} : { queryParams: { returnUrl: current } });
    };

    const expireSession = async () => {
      if (expiring) return;
      // Already logged out (another failed request, or the client noticed first): only make sure the
      // user ends up on the login page, without a second "session expired" event.
      if (!user()) return navigateToLogin();
      expiring = true;
      try {
        await endSession('session-expired');
        await navigateToLogin();
      } finally {
        expiring = false;
      }
    };

    const onChange = (event: AuthEvent) => {
      // The client logged itself out because the server refused the refresh token: same handling
      // as a failed refresh seen by the interceptor (expireSession ignores the second one).
      if (event.reason === 'session_expired') return void expireSession();
      const before = user();
      sync(event.user, event.expiresAt);
      // Another tab signed in or out: tell the app, which may want to change page.
      if (event.reason === 'sync' && !before !== !event.user) {
        events.next(event.user ? { type: 'login', user: event.user } : { type: 'logout', user: before });
      }
    };

    let stop = () => {};
    if (client) {
      sync(client.user, client.expiresAt);
      const unsubscribe = client.onChange(onChange);
      stop = () => {
        unsubscribe();
        if (!config.client) client.destroy();
      };
    }

    Object.assign(this, {
      user: user.asReadonly(),
      isLoggedIn: computed(() => !!user()),
      expiresAt: expiresAt.asReadonly(),
      events: events.asObservable(),
      login: (credentials: LoginInput) => signIn((c) => c.login(credentials)),
      signup: (account: SignupInput) => signIn((c) => c.signup(account)),
      logout: () => endSession('logout'),
      refresh: async () => (await client?.refresh().then(getAccessToken, () => null)) ?? null,
      getAccessToken,
      hasRole: (role: string) => !!user()?.roles.includes(role),
      whenReady: async () => {
        await client?.ready;
      },
      // Without a client (SSR) the call rejects as well, so `null`; but the interceptor never gets
      // here then, having no token to begin with. The auth server could not answer (network, 5xx,
      // rate limit): that says nothing about the session. Any other failure (refused refresh token)
      // means it is over.
      tokenAfterUnauthorized: (rejected: string) =>
        tokenAfterRejection(client!, rejected).catch((error: unknown) =>
          hasCode(error, 'network_error', 'internal_error', 'rate_limited') ? undefined : null,
        ),
      expireSession,
      navigateToLogin,
      ngOnDestroy: () => stop(),
    });
  }
}
