import { ChangeDetectionStrategy, Component, type ElementRef, inject, signal, viewChild } from '@angular/core';
import { Router } from '@angular/router';
import { AccountService } from '@sigil/angular/account';
import { ToastService } from '../toast/toast.service';
import { errorMessage } from './messages';
import { demoLoginRoute } from '../settings';

/** "Delete account", confirmed with the password; then back to the sign-in page. */
@Component({
  selector: 'app-delete-account',
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `
    <section class="card account-section danger-zone" aria-labelledby="delete-title">
      <h2 id="delete-title">Delete account</h2>
      <p>This erases your account and signs you out everywhere. It cannot be undone.</p>
      <form method="post" (submit)="submit($event)" novalidate [attr.aria-busy]="pending()">
        <div class="field">
          <label for="delete-password">Password, to confirm</label>
          <input
            #password
            id="delete-password"
            name="password"
            type="password"
            autocomplete="current-password"
            required
            [attr.aria-invalid]="error() ? true : null"
            aria-describedby="delete-error"
          />
        </div>
        <p id="delete-error" class="form-error" role="alert" aria-live="assertive">{{ error() }}</p>
        <button type="submit" class="button button-danger" [disabled]="pending()">
          {{ pending() ? 'Deleting…' : 'Delete my account' }}
        </button>
      </form>
    </section>
  `,
})
export class DeleteAccount {
  readonly #account = inject(AccountService);
  readonly #router = inject(Router);
  readonly #toasts = inject(ToastService);
  protected readonly error = signal('');
  protected readonly pending = signal(false);
  private readonly password = viewChild<ElementRef<HTMLInputElement>>('password');

  protected async submit(event: Event): Promise<void> {
    event.preventDefault();
    if (this.pending()) return;
    const password = String(new FormData(event.target as HTMLFormElement).get('password') ?? '');
    if (password === '') return this.fail('Enter your password to confirm.');
    this.error.set('');
    this.pending.set(true);
    try {
      await this.#account.deleteAccount({ password });
      this.#toasts.show('Your account was deleted.', 'success');
      await this.#router.navigateByUrl(demoLoginRoute());
    } catch (error) {
      // A wrong password is the only 400 this form can get.
      this.fail(errorMessage(error, { invalid_request: 'The password is not correct.' }));
    } finally {
      this.pending.set(false);
    }
  }

  private fail(message: string): void {
    this.error.set(message);
    this.password()?.nativeElement.focus();
  }
}
