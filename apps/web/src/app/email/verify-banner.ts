import { ChangeDetectionStrategy, Component, inject, input, signal } from '@angular/core';
import { AccountService } from '@sigil/angular/account';
import { errorMessage } from '../account/messages';

/**
 * "Verify your email" for a signed-in user whose address is not verified yet, with a button that
 * mails a new link. The app shell shows it while `AuthService.user().emailVerified` is false, so it
 * goes away on its own once the link is followed (here or in another tab, at the next refresh).
 */
@Component({
  selector: 'app-verify-banner',
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `
    <aside class="banner" aria-labelledby="verify-banner-text">
      <p id="verify-banner-text">
        Please verify your email address: follow the link we sent to <strong>{{ email() }}</strong>.
      </p>
      <button type="button" class="button button-secondary" (click)="resend()" [disabled]="pending()">
        {{ pending() ? 'Sending…' : 'Send a new link' }}
      </button>
      <p class="banner-status" role="status" aria-live="polite">{{ status() }}</p>
    </aside>
  `,
})
export class VerifyBanner {
  readonly #account = inject(AccountService);
  /** The address the link goes to. */
  readonly email = input.required<string>();
  protected readonly pending = signal(false);
  protected readonly status = signal('');

  protected async resend(): Promise<void> {
    this.pending.set(true);
    this.status.set('');
    try {
      await this.#account.requestEmailVerification();
      this.status.set(`We sent a new link to ${this.email()}.`);
    } catch (error) {
      this.status.set(errorMessage(error));
    } finally {
      this.pending.set(false);
    }
  }
}
