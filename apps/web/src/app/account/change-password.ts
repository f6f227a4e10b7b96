import { ChangeDetectionStrategy, Component, type ElementRef, inject, signal, viewChild } from '@angular/core';
import { AccountService } from '@sigil/angular/account';
import { errorMessage, PASSWORD_HINT, refusedField } from './messages';

/** "Change password": the current one and a new one. The account's other devices are signed out. */
@Component({
  selector: 'app-change-password',
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `
    <section class="card account-section" aria-labelledby="password-title">
      <h2 id="password-title">Change password</h2>
      <form method="post" (submit)="submit($event)" novalidate [attr.aria-busy]="pending()">
        <div class="field">
          <label for="current-password">Current password</label>
          <input
            #current
            id="current-password"
            name="current"
            type="password"
            autocomplete="current-password"
            required
            [attr.aria-invalid]="invalid() === 'current' ? true : null"
            aria-describedby="password-error"
          />
        </div>
        <div class="field">
          <label for="new-password">New password</label>
          <input
            #next
            id="new-password"
            name="next"
            type="password"
            autocomplete="new-password"
            required
            [attr.aria-invalid]="invalid() === 'next' ? true : null"
            aria-describedby="new-password-hint password-error"
          />
          <span id="new-password-hint" class="hint">{{ hint }}</span>
        </div>
        <p id="password-error" class="form-error" role="alert" aria-live="assertive">{{ error() }}</p>
        <p class="form-success" role="status" aria-live="polite">{{ done() }}</p>
        <button type="submit" class="button button-primary" [disabled]="pending()">{{ pending() ? 'Saving…' : 'Change password' }}</button>
      </form>
    </section>
  `,
})
export class ChangePassword {
  readonly #account = inject(AccountService);
  protected readonly hint = PASSWORD_HINT;
  protected readonly error = signal('');
  protected readonly done = signal('');
  protected readonly invalid = signal<'current' | 'next' | null>(null);
  protected readonly pending = signal(false);
  private readonly currentField = viewChild<ElementRef<HTMLInputElement>>('current');
  private readonly nextField = viewChild<ElementRef<HTMLInputElement>>('next');

  protected async submit(event: Event): Promise<void> {
    event.preventDefault();
    if (this.pending()) return;
    const form = event.target as HTMLFormElement;
    const data = new FormData(form);
    const currentPassword = String(data.get('current') ?? '');
    const newPassword = String(data.get('next') ?? '');
    this.done.set('');
    if (currentPassword === '') return this.fail('current', 'Enter your current password.');
    if (newPassword === '') return this.fail('next', 'Enter a new password.');
    this.error.set('');
    this.invalid.set(null);
    this.pending.set(true);
    try {
      await this.#account.changePassword({ currentPassword, newPassword });
      form.reset();
      this.done.set('Your password was changed. Your other devices were signed out.');
    } catch (error) {
      // The server answers invalid_request for both; its per-field errors name a policy failure.
      const weak = refusedField(error, 'new_password');
      this.fail(
        weak ? 'next' : 'current',
        errorMessage(error, {
          invalid_request: weak ? `Choose a longer password: ${PASSWORD_HINT.toLowerCase()}` : 'The current password is not correct.',
        }),
      );
    } finally {
      this.pending.set(false);
    }
  }

  private fail(field: 'current' | 'next', message: string): void {
    this.error.set(message);
    this.invalid.set(field);
    (field === 'current' ? this.currentField() : this.nextField())?.nativeElement.focus();
  }
}
