import { ChangeDetectionStrategy, Component, DestroyRef, PLATFORM_ID, inject } from '@angular/core';
import { DOCUMENT, isPlatformBrowser } from '@angular/common';
import { NavigationEnd, Router, RouterLink, RouterLinkActive, RouterOutlet } from '@angular/router';
import { AuthService } from '@sigil/angular';
import { ToastService } from './toast/toast.service';
import { Toasts } from './toast/toasts';
import { VerifyBanner } from './email/verify-banner';
import { demoLoginRoute } from './settings';

/**
 * The shell: header with the signed-in user and "Log out", the "verify your email" banner while
 * the address is not verified, the page, and the toasts.
 */
@Component({
  selector: 'app-root',
  imports: [RouterOutlet, RouterLink, RouterLinkActive, Toasts, VerifyBanner],
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `
    <a class="skip-link" href="#main">Skip to content</a>
    <header class="site-header">
      <a class="brand" routerLink="/lessons"><span class="brand-mark" aria-hidden="true">S</span> Sigil lessons</a>
      @if (auth.user(); as user) {
        <nav class="nav" aria-label="Main">
          <a routerLink="/lessons" routerLinkActive="active" ariaCurrentWhenActive="page">Lessons</a>
          <a routerLink="/profile" routerLinkActive="active" ariaCurrentWhenActive="page">Profile</a>
          <a routerLink="/account" routerLinkActive="active" ariaCurrentWhenActive="page">Account</a>
          <a routerLink="/security" routerLinkActive="active" ariaCurrentWhenActive="page">Security</a>
        </nav>
        <div class="user">
          <span class="user-name"
            >Signed in as <strong>{{ user.name || user.email }}</strong>
            @if (auth.hasRole('admin')) {
              <span class="badge">admin</span>
            }
          </span>
          <button type="button" class="button button-secondary" (click)="logout()">Log out</button>
        </div>
      }
    </header>
    <main id="main" tabindex="-1">
      @if (auth.user(); as user) {
        @if (!user.emailVerified) {
          <app-verify-banner [email]="user.email" />
        }
      }
      <router-outlet />
    </main>
    <app-toasts />
  `,
})
export class App {
  protected readonly auth = inject(AuthService);
  readonly #router = inject(Router);
  readonly #toasts = inject(ToastService);

  constructor() {
    const subscription = this.auth.events.subscribe((event) => {
      if (event.type === 'login') this.#toasts.show(`Welcome, ${event.user?.name || event.user?.email}!`, 'success');
      else if (event.type === 'logout') {
        // Here or in another tab: either way this tab has nothing left to show.
        this.#toasts.show('You are signed out.');
        void this.#router.navigateByUrl(demoLoginRoute());
      } else if (event.type === 'session_expired') this.#toasts.show('Your session has expired. Please sign in again.', 'error');
    });
    // After an in-app navigation, move focus to the new page so screen readers announce it and
    // keyboard users start from its top (the first page load keeps the browser's own focus).
    const document = inject(DOCUMENT);
    let first = true;
    const navigations = isPlatformBrowser(inject(PLATFORM_ID))
      ? this.#router.events.subscribe((event) => {
          if (!(event instanceof NavigationEnd)) return;
          if (!first) setTimeout(() => document.getElementById('main')?.focus());
          first = false;
        })
      : undefined;
    inject(DestroyRef).onDestroy(() => {
      subscription.unsubscribe();
      navigations?.unsubscribe();
    });
  }

  protected async logout(): Promise<void> {
    // The 'logout' event above takes the user to the login page.
    await this.auth.logout();
  }
}
