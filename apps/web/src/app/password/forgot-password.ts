import { ChangeDetectionStrategy, Component, type ElementRef, Injector, inject, signal, viewChild } from '@angular/core';
import { RouterLink } from '@angular/router';
import { AccountService } from '@sigil/angular/account';
import { errorMessage } from '../account/messages';
import { focusAfterRender } from '../focus';

/**
 * "Forgot password?": asks for a reset link. The answer is the same whether or not an account
 * uses the address (the server never tells, and neither does this page).
 */
@Component({
  selector: 'app-forgot-password',
  imports: [RouterLink],
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `
    <section class="card login-card" aria-labelledby="forgot-title">
      @if (sentTo(); as email) {
        <h1 id="forgot-title" tabindex="-1" #result>Check your inbox</h1>
        <p role="status">
          If an account uses <strong>{{ email }}</strong>, we sent it a link to choose a new password. The link works for 30 minutes.
        </p>
        <p><a routerLink="/login">Back to sign in</a></p>
      } @else {
        <h1 id="forgot-title">Forgot your password?</h1>
        <p class="muted">Enter your email and we will send you a link to choose a new one.</p>
        <form method="post" (submit)="submit($event)" novalidate [attr.aria-busy]="pending()">
          <div class="field">
            <label for="forgot-email">Email</label>
            <input
              #email
              id="forgot-email"
              name="email"
              type="email"
              autocomplete="username"
              required
              [attr.aria-invalid]="error() ? true : null"
              aria-describedby="forgot-error"
            />
          </div>
          <p id="forgot-error" class="form-error" role="alert" aria-live="assertive">{{ error() }}</p>
          <button type="submit" class="button button-primary" [disabled]="pending()">
            {{ pending() ? 'Sending…' : 'Send reset link' }}
          </button>
        </form>
        <p class="form-links"><a routerLink="/login">Back to sign in</a></p>
      }
    </section>
  `,
})
export class ForgotPassword {
  readonly #account = inject(AccountService);
  readonly #injector = inject(Injector);
  protected readonly error = signal('');
  protected readonly pending = signal(false);
  protected readonly sentTo = signal<string | null>(null);
  private readonly email = viewChild<ElementRef<HTMLInputElement>>('email');
  private readonly result = viewChild<ElementRef<HTMLElement>>('result');

  protected async submit(event: Event): Promise<void> {
    event.preventDefault();
    if (this.pending()) return;
    const email = String(new FormData(event.target as HTMLFormElement).get('email') ?? '').trim();
    if (!email.includes('@')) return this.fail('Enter the email address of your account.');
    this.error.set('');
    this.pending.set(true);
    try {
      await this.#account.requestPasswordReset(email);
      this.sentTo.set(email);
      focusAfterRender(this.#injector, () => this.result()?.nativeElement);
    } catch (error) {
      this.fail(errorMessage(error, { invalid_request: 'Enter the email address of your account.' }));
    } finally {
      this.pending.set(false);
    }
  }

  private fail(message: string): void {
    this.error.set(message);
    this.email()?.nativeElement.focus();
  }
}
