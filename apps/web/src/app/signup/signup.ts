import { ChangeDetectionStrategy, Component, type ElementRef, Injector, inject, signal, viewChild } from '@angular/core';
import { Router, RouterLink } from '@angular/router';
import { AuthService } from '@sigil/angular';
import { errorMessage, PASSWORD_HINT, refusedField } from '../account/messages';
import { focusAfterRender } from '../focus';

type Field = 'email' | 'password';

/**
 * "Create account". When the auth server wants the address verified first, the form gives way to
 * "check your inbox"; otherwise the new user is signed in and goes to the lessons.
 */
@Component({
  selector: 'app-signup',
  imports: [RouterLink],
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `
    <section class="card login-card" aria-labelledby="signup-title">
      @if (sentTo(); as email) {
        <h1 id="signup-title" tabindex="-1" #result>Check your inbox</h1>
        <p role="status">
          We sent a link to <strong>{{ email }}</strong>. Follow it to verify your address, then sign in.
        </p>
        <p><a routerLink="/login">Go to sign in</a></p>
      } @else {
        <h1 id="signup-title">Create account</h1>
        <form method="post" (submit)="submit($event)" novalidate [attr.aria-busy]="pending()">
          <div class="field">
            <label for="signup-name">Name <span class="muted">(optional)</span></label>
            <input id="signup-name" name="name" type="text" autocomplete="name" maxlength="200" />
          </div>
          <div class="field">
            <label for="signup-email">Email</label>
            <input
              #email
              id="signup-email"
              name="email"
              type="email"
              autocomplete="username"
              required
              [attr.aria-invalid]="invalid() === 'email' ? true : null"
              aria-describedby="signup-error"
            />
          </div>
          <div class="field">
            <label for="signup-password">Password</label>
            <input
              #password
              id="signup-password"
              name="password"
              type="password"
              autocomplete="new-password"
              required
              [attr.aria-invalid]="invalid() === 'password' ? true : null"
              aria-describedby="signup-password-hint signup-error"
            />
            <span id="signup-password-hint" class="hint">{{ hint }}</span>
          </div>
          <p id="signup-error" class="form-error" role="alert" aria-live="assertive">{{ error() }}</p>
          <button type="submit" class="button button-primary" [disabled]="pending()">
            {{ pending() ? 'Creating account…' : 'Create account' }}
          </button>
        </form>
        <p class="form-links">Already have an account? <a routerLink="/login">Sign in</a></p>
      }
    </section>
  `,
})
export class Signup {
  readonly #auth = inject(AuthService);
  readonly #router = inject(Router);
  readonly #injector = inject(Injector);
  protected readonly hint = PASSWORD_HINT;
  protected readonly error = signal('');
  protected readonly invalid = signal<Field | null>(null);
  protected readonly pending = signal(false);
  /** The address the verification link went to, once the account exists but is not signed in. */
  protected readonly sentTo = signal<string | null>(null);
  private readonly result = viewChild<ElementRef<HTMLElement>>('result');
  private readonly emailField = viewChild<ElementRef<HTMLInputElement>>('email');
  private readonly passwordField = viewChild<ElementRef<HTMLInputElement>>('password');

  protected async submit(event: Event): Promise<void> {
    event.preventDefault();
    if (this.pending()) return;
    const data = new FormData(event.target as HTMLFormElement);
    const name = String(data.get('name') ?? '').trim();
    const email = String(data.get('email') ?? '').trim();
    const password = String(data.get('password') ?? '');
    if (email === '' || password === '') return this.fail(email === '' ? 'email' : 'password', 'Enter your email and a password.');
    this.error.set('');
    this.invalid.set(null);
    this.pending.set(true);
    try {
      const { verificationRequired } = await this.#auth.signup({ email, password, name: name || undefined });
      if (!verificationRequired) {
        await this.#router.navigateByUrl('/lessons');
        return;
      }
      this.sentTo.set(email);
      focusAfterRender(this.#injector, () => this.result()?.nativeElement);
    } catch (error) {
      const field: Field = refusedField(error, 'password') ? 'password' : 'email';
      this.fail(
        field,
        errorMessage(error, {
          email_taken: 'An account with this email already exists. Sign in, or reset its password.',
          invalid_request:
            field === 'password' ? `Choose a longer password: ${PASSWORD_HINT.toLowerCase()}` : 'Enter a valid email address.',
        }),
      );
    } finally {
      this.pending.set(false);
    }
  }

  private fail(field: Field, message: string): void {
    this.error.set(message);
    this.invalid.set(field);
    (field === 'email' ? this.emailField() : this.passwordField())?.nativeElement.focus();
  }
}
