import { ChangeDetectionStrategy, Component, type ElementRef, afterNextRender, effect, inject, signal, viewChild } from '@angular/core';
import { ActivatedRoute, Router, RouterLink } from '@angular/router';
import { AuthService, SigilClientError, safeReturnUrl } from '@sigil/angular';

/**
 * The sign-in page. The error text lives in an always-present live region, so screen readers
 * announce it when it appears; it never says which of email or password was wrong.
 */
@Component({
  selector: 'app-login',
  imports: [RouterLink],
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `
    <section class="card login-card" aria-labelledby="login-title">
      <h1 id="login-title">Sign in</h1>
      <p class="muted">Use your Sigil account to see the lessons.</p>
      <!-- method=post: should the form ever be submitted natively, the password stays out of the URL. -->
      <form method="post" (submit)="submit($event)" novalidate [attr.aria-busy]="pending()">
        <div class="field">
          <label for="email">Email</label>
          <input
            #emailInput
            id="email"
            name="email"
            type="email"
            autocomplete="username"
            required
            [value]="email()"
            (input)="email.set(value($event))"
            [attr.aria-invalid]="error() ? true : null"
            aria-describedby="login-error"
          />
        </div>
        <div class="field">
          <label for="password">Password</label>
          <input
            #passwordInput
            id="password"
            name="password"
            type="password"
            autocomplete="current-password"
            required
            [value]="password()"
            (input)="password.set(value($event))"
            [attr.aria-invalid]="error() ? true : null"
            aria-describedby="login-error"
          />
        </div>
        <p id="login-error" class="form-error" role="alert" aria-live="assertive">{{ error() }}</p>
        <button type="submit" class="button button-primary" [disabled]="pending() || !interactive()">
          {{ pending() ? 'Signing in…' : 'Sign in' }}
        </button>
      </form>
      <p class="form-links">
        <a routerLink="/password/forgot">Forgot password?</a>
        <span aria-hidden="true">·</span>
        <a routerLink="/signup">Create account</a>
      </p>
    </section>
  `,
})
export class Login {
  readonly #auth = inject(AuthService);
  readonly #router = inject(Router);
  /** Where the guard found the user; checked by safeReturnUrl before use (no open redirect). */
  readonly #returnUrl = inject(ActivatedRoute).snapshot.queryParamMap.get('returnUrl');
  protected readonly email = signal('');
  protected readonly password = signal('');
  protected readonly error = signal('');
  protected readonly pending = signal(false);
  /** False in the server-rendered HTML until the app runs in the browser: no native submit. */
  protected readonly interactive = signal(false);
  private readonly emailInput = viewChild.required<ElementRef<HTMLInputElement>>('emailInput');
  private readonly passwordInput = viewChild.required<ElementRef<HTMLInputElement>>('passwordInput');

  constructor() {
    afterNextRender(() => this.interactive.set(true));
    // Already signed in (a reload in cookie mode, or another tab): go where the user was heading.
    effect(() => {
      if (this.#auth.isLoggedIn()) void this.#router.navigateByUrl(safeReturnUrl(this.#returnUrl, '/lessons'));
    });
  }

  protected value(event: Event): string {
    return (event.target as HTMLInputElement).value;
  }

  protected async submit(event: Event): Promise<void> {
    event.preventDefault();
    if (this.pending()) return;
    // Read the fields themselves: text typed into the server-rendered page before the app took
    // over is in the inputs but not yet in the signals.
    const data = new FormData(event.target as HTMLFormElement);
    const email = String(data.get('email') ?? '').trim();
    const password = String(data.get('password') ?? '');
    this.email.set(email);
    if (email === '' || password === '') {
      this.error.set('Enter your email and password.');
      this.emailInput().nativeElement.focus();
      return;
    }
    this.error.set('');
    this.pending.set(true);
    try {
      await this.#auth.login({ email, password });
      // The effect above navigates once the signals say we are signed in.
    } catch (error) {
      // Clear the field itself too: the binding may not have seen the typed value yet.
      this.password.set('');
      this.passwordInput().nativeElement.value = '';
      this.error.set(messageFor(error));
    } finally {
      this.pending.set(false);
    }
  }
}

/** A message a person can act on, from the client's stable error code (never from a message). */
function messageFor(error: unknown): string {
  if (!(error instanceof SigilClientError)) return 'Sign-in failed. Please try again.';
  switch (error.code) {
    case 'invalid_credentials':
    case 'invalid_request':
      return 'Invalid email or password';
    case 'email_not_verified':
      return 'Verify your email address first: we sent you a new link.';
    case 'rate_limited':
      return error.retryAfter !== undefined
        ? `Too many attempts. Try again in ${error.retryAfter} seconds.`
        : 'Too many attempts. Please wait a moment and try again.';
    case 'network_error':
      return 'Cannot reach the sign-in server. Check your connection and try again.';
    default:
      return 'Sign-in failed. Please try again.';
  }
}
