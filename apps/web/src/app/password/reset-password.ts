import { ChangeDetectionStrategy, Component, type ElementRef, Injector, inject, signal, viewChild } from '@angular/core';
import { ActivatedRoute, Router, RouterLink } from '@angular/router';
import { SigilClientError } from '@sigil/angular';
import { AccountService } from '@sigil/angular/account';
import { errorMessage, PASSWORD_HINT } from '../account/messages';
import { focusAfterRender } from '../focus';
import { demoLoginRoute } from '../settings';
import { ToastService } from '../toast/toast.service';

/**
 * The page a reset link opens (`/password/reset?token=...`): a new password, twice. Success ends
 * every session of the account (this browser's included) and leads to the sign-in page.
 */
@Component({
  selector: 'app-reset-password',
  imports: [RouterLink],
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `
    <section class="card login-card" aria-labelledby="reset-title">
      <h1 id="reset-title">Choose a new password</h1>
      @if (!token || expired()) {
        <p role="alert" class="form-error">
          {{ token ? 'This link has expired or was used already.' : 'This page needs the link from your email.' }}
        </p>
        <p><a routerLink="/password/forgot" #again>Send a new link</a></p>
      } @else {
        <form method="post" (submit)="submit($event)" novalidate [attr.aria-busy]="pending()">
          <div class="field">
            <label for="reset-password">New password</label>
            <input
              #password
              id="reset-password"
              name="password"
              type="password"
              autocomplete="new-password"
              required
              [attr.aria-invalid]="error() ? true : null"
              aria-describedby="reset-password-hint reset-error"
            />
            <span id="reset-password-hint" class="hint">{{ hint }}</span>
          </div>
          <div class="field">
            <label for="reset-confirm">Repeat the new password</label>
            <input id="reset-confirm" name="confirm" type="password" autocomplete="new-password" required aria-describedby="reset-error" />
          </div>
          <p id="reset-error" class="form-error" role="alert" aria-live="assertive">{{ error() }}</p>
          <button type="submit" class="button button-primary" [disabled]="pending()">
            {{ pending() ? 'Saving…' : 'Set new password' }}
          </button>
        </form>
      }
    </section>
  `,
})
export class ResetPassword {
  readonly #account = inject(AccountService);
  readonly #router = inject(Router);
  readonly #toasts = inject(ToastService);
  readonly #injector = inject(Injector);
  protected readonly token = inject(ActivatedRoute).snapshot.queryParamMap.get('token') ?? '';
  protected readonly hint = PASSWORD_HINT;
  protected readonly error = signal('');
  protected readonly pending = signal(false);
  /** The server refused the link's token (unknown, used or expired): only a new link helps. */
  protected readonly expired = signal(false);
  private readonly password = viewChild<ElementRef<HTMLInputElement>>('password');
  private readonly again = viewChild<ElementRef<HTMLElement>>('again');

  protected async submit(event: Event): Promise<void> {
    event.preventDefault();
    if (this.pending()) return;
    const data = new FormData(event.target as HTMLFormElement);
    const newPassword = String(data.get('password') ?? '');
    if (newPassword === '') return this.fail('Enter a new password.');
    if (newPassword !== String(data.get('confirm') ?? '')) return this.fail('The two passwords are not the same.');
    this.error.set('');
    this.pending.set(true);
    try {
      await this.#account.resetPassword({ token: this.token, newPassword });
      this.#toasts.show('Your password was changed. Sign in with the new one.', 'success');
      await this.#router.navigateByUrl(demoLoginRoute());
    } catch (error) {
      if (error instanceof SigilClientError && error.code === 'invalid_grant') {
        this.expired.set(true);
        focusAfterRender(this.#injector, () => this.again()?.nativeElement);
      } else this.fail(errorMessage(error, { invalid_request: `Choose a longer password: ${PASSWORD_HINT.toLowerCase()}` }));
    } finally {
      this.pending.set(false);
    }
  }

  private fail(message: string): void {
    this.error.set(message);
    this.password()?.nativeElement.focus();
  }
}
