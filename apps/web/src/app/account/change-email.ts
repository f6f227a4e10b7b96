import { ChangeDetectionStrategy, Component, type ElementRef, inject, input, signal, viewChild } from '@angular/core';
import { AccountService } from '@sigil/angular/account';
import { errorMessage, refusedField } from './messages';

/** "Change email": the new address and the password. The address changes once its link is followed. */
@Component({
  selector: 'app-change-email',
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `
    <section class="card account-section" aria-labelledby="email-title">
      <h2 id="email-title">Change email</h2>
      <p class="muted">
        Now: <strong>{{ current() }}</strong>
      </p>
      <form method="post" (submit)="submit($event)" novalidate [attr.aria-busy]="pending()">
        <div class="field">
          <label for="new-email">New email</label>
          <input
            #email
            id="new-email"
            name="email"
            type="email"
            autocomplete="email"
            required
            [attr.aria-invalid]="invalid() === 'email' ? true : null"
            aria-describedby="email-error"
          />
        </div>
        <div class="field">
          <label for="email-password">Password</label>
          <input
            #password
            id="email-password"
            name="password"
            type="password"
            autocomplete="current-password"
            required
            [attr.aria-invalid]="invalid() === 'password' ? true : null"
            aria-describedby="email-error"
          />
        </div>
        <p id="email-error" class="form-error" role="alert" aria-live="assertive">{{ error() }}</p>
        <p class="form-success" role="status" aria-live="polite">{{ done() }}</p>
        <button type="submit" class="button button-primary" [disabled]="pending()">{{ pending() ? 'Sending…' : 'Change email' }}</button>
      </form>
    </section>
  `,
})
export class ChangeEmail {
  readonly #account = inject(AccountService);
  /** The address in use now. */
  readonly current = input.required<string>();
  protected readonly error = signal('');
  protected readonly done = signal('');
  protected readonly invalid = signal<'email' | 'password' | null>(null);
  protected readonly pending = signal(false);
  private readonly emailField = viewChild<ElementRef<HTMLInputElement>>('email');
  private readonly passwordField = viewChild<ElementRef<HTMLInputElement>>('password');

  protected async submit(event: Event): Promise<void> {
    event.preventDefault();
    if (this.pending()) return;
    const form = event.target as HTMLFormElement;
    const data = new FormData(form);
    const newEmail = String(data.get('email') ?? '').trim();
    const password = String(data.get('password') ?? '');
    this.done.set('');
    if (!newEmail.includes('@')) return this.fail('email', 'Enter the new email address.');
    if (password === '') return this.fail('password', 'Enter your password.');
    this.error.set('');
    this.invalid.set(null);
    this.pending.set(true);
    try {
      await this.#account.changeEmail({ newEmail, password });
      form.reset();
      this.done.set(`We sent a link to ${newEmail}. Your address changes when you follow it.`);
    } catch (error) {
      // A wrong password is a 400 whose per-field errors name `password`.
      const wrongPassword = refusedField(error, 'password');
      this.fail(
        wrongPassword ? 'password' : 'email',
        errorMessage(error, {
          email_taken: 'Another account uses this address.',
          invalid_request: wrongPassword ? 'The password is not correct.' : 'Enter a valid email address.',
        }),
      );
    } finally {
      this.pending.set(false);
    }
  }

  private fail(field: 'email' | 'password', message: string): void {
    this.error.set(message);
    this.invalid.set(field);
    (field === 'email' ? this.emailField() : this.passwordField())?.nativeElement.focus();
  }
}
