import { isPlatformBrowser } from '@angular/common';
import { Injectable, PLATFORM_ID, inject, signal, type OnDestroy } from '@angular/core';
import { Router } from '@angular/router';
import { Subject } from 'rxjs';
import type { AuthEvent, SigilUser } from '@sigil/client';
import { createSigilSession, type SigilSession } from '@sigil/client/internal';
import type { SigilAuthEvent } from './auth-event';
import { SIGIL_AUTH_CONFIG, type ResolvedSigilAuthConfig } from './config';

/**
 * The session behind `AuthService`, `authInterceptor` and the guards: the client, the
 * user as signals, the events, and how a session ends. Internal to this library (not exported):
 * `AuthService` is its public face, and the interceptor also uses `expire()`, which apps do not.
 * On the server platform (SSR) it creates no client and reports "logged out".
 */
@Injectable({ providedIn: 'root' })
export class AuthState implements OnDestroy {
  readonly config: ResolvedSigilAuthConfig = inject(SIGIL_AUTH_CONFIG, { optional: true }) ?? missingProvider();
  /**
   * The app's own client, or one without `fetch` (the interceptor does that job). None under SSR:
   * there is no session to know about there, and the client would reach for browser APIs.
   */
  readonly client: SigilSession | null = isPlatformBrowser(inject(PLATFORM_ID))
    ? (this.config.client ?? createSigilSession(this.config))
    : null;
  readonly user = signal<SigilUser | null>(null);
  readonly expiresAt = signal<number | null>(null);
  readonly events = new Subject<SigilAuthEvent>();
  /** Settles once the session known at startup is loaded (cookie mode asks the server first). */
  readonly ready: Promise<void> = this.client?.ready ?? Promise.resolve();

  private readonly router = inject(Router, { optional: true });
  /** An expiry is under way: many requests fail at once, and the session ends once. */
  private expiring = false;
  private readonly unsubscribe: () => void;

  constructor() {
    const client = this.client;
    if (client) this.sync(client.user, client.expiresAt);
    this.unsubscribe = client?.subscribe((event) => this.onChange(event)) ?? (() => {});
  }

  /** The access token to send now, or `null` when logged out or when it cannot be renewed. */
  async getAccessToken(): Promise<string | null> {
    return (await this.client?.getAccessToken().catch(() => null)) ?? null;
  }

  /** Logs out here and (best effort) at the server, then tells listeners with `type`. */
  async end(type: SigilAuthEvent['type']): Promise<void> {
    const before = this.user();
    // The local session is gone either way; the server's copy expires on its own (or was the one refused).
    await this.client?.logout().catch(() => {});
    this.sync(null, null);
    if (before) this.events.next({ type, user: before });
  }

  /**
   * The session is unusable: log out, tell listeners, and send the user to the login route with the
   * current URL as `returnUrl`. Calls while one is under way are ignored.
   */
  async expire(): Promise<void> {
    if (this.expiring) return;
    // Already logged out (another failed request, or the client noticed first): only make sure the
    // user ends up on the login page, without a second "session expired" event.
    if (!this.user()) return this.navigateToLogin();
    this.expiring = true;
    try {
      await this.end('session_expired');
      await this.navigateToLogin();
    } finally {
      this.expiring = false;
    }
  }

  /** Navigates to the login route, with `returnUrl` set to the current URL (or `returnUrl`). */
  async navigateToLogin(returnUrl?: string): Promise<void> {
    const router = this.router;
    if (!router) return;
    const current = returnUrl ?? router.url;
    const { loginRoute } = this.config;
    // Already there: navigating again would drop the returnUrl it carries.
    if (current.split(/[?#]/)[0] === loginRoute) return;
    await router.navigate([loginRoute], current === '/' ? {} : { queryParams: { returnUrl: current } });
  }

  /** Angular calls it when the injector is destroyed: destroys the client unless the app passed its own. */
  ngOnDestroy(): void {
    this.unsubscribe();
    if (!this.config.client) this.client?.destroy();
  }

  private sync(user: SigilUser | null, expiresAt: number | null): void {
    this.user.set(user);
    this.expiresAt.set(user && expiresAt);
  }

  private onChange(event: AuthEvent): void {
    // The client logged itself out because the server refused the refresh token: same handling
    // as a failed refresh seen by the interceptor (`expire` ignores the second one).
    if (event.reason === 'session_expired') {
      void this.expire();
      return;
    }
    const before = this.user();
    this.sync(event.user, event.expiresAt);
    // Another tab signed in or out: tell the app, which may want to change page.
    if (event.reason === 'sync' && !before !== !event.user) {
      this.events.next(event.user ? { type: 'login', user: event.user } : { type: 'logout', user: before });
    }
  }
}

function missingProvider(): never {
  throw new TypeError("Sigil: AuthService, authInterceptor and the guards need provideSigilAuth(config) in the app's providers");
}
