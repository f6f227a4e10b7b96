import { ChangeDetectionStrategy, Component, afterNextRender, effect, inject, signal } from '@angular/core';
import { ActivatedRoute, Router } from '@angular/router';
import { AuthService, SigilClientError, safeReturnUrl } from '@sigil/angular';
import { AuthRedirectService } from '@sigil/angular/redirect';

/**
 * The redirect flow's sign-in page: one button to the auth server's own page (password, second
 * step, passkey or a new account happen there), which sends the browser back to /auth/callback.
 * `?error=` (set by the callback guard when the answer was refused) explains what happened in the
 * always-present live region.
 */
@Component({
  selector: 'app-signin',
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `
    <section class="card login-card" aria-labelledby="signin-title">
      <h1 id="signin-title">Sign in</h1>
      <p class="muted">You sign in on the Sigil auth server's page, then come back here to see the lessons.</p>
      <p id="signin-error" class="form-error" role="alert" aria-live="assertive">{{ error() }}</p>
      <!-- Enabled once the app runs in the browser (a readiness signal for browser tests too). -->
      <button type="button" class="button button-primary" (click)="signIn()" [disabled]="pending() || !interactive()">
        {{ pending() ? 'Opening the sign-in page…' : 'Sign in with Sigil' }}
      </button>
    </section>
  `,
})
export class SignIn {
  readonly #auth = inject(AuthService);
  readonly #redirect = inject(AuthRedirectService);
  readonly #router = inject(Router);
  readonly #query = inject(ActivatedRoute).snapshot.queryParamMap;
  readonly #returnUrl = this.#query.get('returnUrl');
  protected readonly error = signal(messageFor(this.#query.get('error')));
  protected readonly pending = signal(false);
  protected readonly interactive = signal(false);

  constructor() {
    afterNextRender(() => this.interactive.set(true));
    // Already signed in (a reload, or another tab signed in): go where the user was heading.
    effect(() => {
      if (this.#auth.isLoggedIn()) void this.#router.navigateByUrl(safeReturnUrl(this.#returnUrl, '/lessons'));
    });
  }

  protected async signIn(): Promise<void> {
    this.error.set('');
    this.pending.set(true);
    try {
      // The page leaves for the auth server; it comes back to /auth/callback, then to returnTo.
      await this.#redirect.loginWithRedirect({ returnTo: safeReturnUrl(this.#returnUrl, '/lessons') });
    } catch (error) {
      this.pending.set(false);
      this.error.set(messageFor(error instanceof SigilClientError ? error.code : 'unknown'));
    }
  }
}

/** What to tell the user about a sign-in that did not complete, by its code (none: nothing). */
function messageFor(code: string | null): string {
  switch (code) {
    case null:
      return '';
    case 'access_denied':
      return 'The sign-in was cancelled.';
    case 'state_mismatch':
      return 'That sign-in was not started on this page, or it finished already. Sign in again.';
    case 'issuer_mismatch':
      return 'That sign-in answer did not come from the Sigil auth server. Sign in again.';
    case 'network_error':
    case 'unavailable':
    case 'temporarily_unavailable':
      return 'The auth server cannot be reached right now. Try again in a moment.';
    default:
      return 'The sign-in did not complete. Sign in again.';
  }
}
