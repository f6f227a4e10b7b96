import {
  ChangeDetectionStrategy,
  Component,
  type ElementRef,
  afterNextRender,
  inject,
  input,
  output,
  signal,
  viewChild,
} from '@angular/core';
import { SigilClientError } from '@sigil/angular';
import { AccountService } from '@sigil/angular/account';
import { errorMessage } from '../account/messages';

/**
 * "Confirm it's you": the step-up an API asked for (401 insufficient_user_authentication). The
 * user signs in again with the password and the authenticator code (`AccountService.stepUp`: a new
 * sign-in, so a new `auth_time` and `amr`); `confirmed` fires once that worked, and the caller
 * retries its request. A modal `<dialog>`: focus moves into it, stays there, and Escape cancels.
 */
@Component({
  selector: 'app-step-up-dialog',
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `
    <dialog #dialog class="card dialog" aria-labelledby="step-up-title" aria-describedby="step-up-reason" (cancel)="cancel($event)">
      <h2 id="step-up-title">Confirm it's you</h2>
      <p id="step-up-reason">{{ reason() }}</p>
      <form (submit)="submit($event)" novalidate [attr.aria-busy]="pending()">
        <div class="field">
          <label for="step-up-password">Password</label>
          <input
            #password
            id="step-up-password"
            name="password"
            type="password"
            autocomplete="current-password"
            required
            [attr.aria-invalid]="invalid() === 'password' ? true : null"
            aria-describedby="step-up-error"
          />
        </div>
        <div class="field">
          <label for="step-up-code">Code from your authenticator app</label>
          <input
            #code
            id="step-up-code"
            name="code"
            type="text"
            inputmode="numeric"
            autocomplete="one-time-code"
            maxlength="6"
            required
            [attr.aria-invalid]="invalid() === 'code' ? true : null"
            aria-describedby="step-up-error"
          />
        </div>
        <p id="step-up-error" class="form-error" role="alert" aria-live="assertive">{{ error() }}</p>
        <button type="submit" class="button button-primary" [disabled]="pending()">{{ pending() ? 'Checking…' : 'Confirm' }}</button>
        <button type="button" class="button button-secondary" (click)="cancel()">Cancel</button>
      </form>
    </dialog>
  `,
})
export class StepUpDialog {
  readonly #account = inject(AccountService);
  /** Why the app asks (what the user was doing). */
  readonly reason = input.required<string>();
  /** The step-up sign-in worked: retry the request. */
  readonly confirmed = output();
  /** The user closed the dialog without confirming. */
  readonly cancelled = output();
  protected readonly error = signal('');
  protected readonly invalid = signal<'password' | 'code' | null>(null);
  protected readonly pending = signal(false);
  private readonly dialog = viewChild.required<ElementRef<HTMLDialogElement>>('dialog');
  private readonly passwordField = viewChild.required<ElementRef<HTMLInputElement>>('password');
  private readonly codeField = viewChild.required<ElementRef<HTMLInputElement>>('code');

  constructor() {
    afterNextRender(() => {
      const dialog = this.dialog().nativeElement;
      // showModal makes the rest of the page inert; the `open` attribute is for environments without it.
      if (typeof dialog.showModal === 'function') dialog.showModal();
      else dialog.setAttribute('open', '');
      this.passwordField().nativeElement.focus();
    });
  }

  protected async submit(event: Event): Promise<void> {
    event.preventDefault();
    if (this.pending()) return;
    const data = new FormData(event.target as HTMLFormElement);
    const password = String(data.get('password') ?? '');
    const code = String(data.get('code') ?? '').replace(/\s/g, '');
    if (password === '') return this.fail('password', 'Enter your password.');
    if (code === '') return this.fail('code', 'Enter the code from your authenticator app.');
    this.pending.set(true);
    this.error.set('');
    this.invalid.set(null);
    try {
      await this.#account.stepUp({ password, code, method: 'totp' });
      this.close();
      this.confirmed.emit();
    } catch (error) {
      const code = error instanceof SigilClientError ? error.code : null;
      this.fail(
        code === 'invalid_mfa' || code === 'mfa_required' ? 'code' : 'password',
        errorMessage(error, {
          invalid_credentials: 'The password is not correct.',
          invalid_mfa: 'That code is not right. Try the current code from your app.',
          mfa_required: 'Enter the code from your authenticator app.',
        }),
      );
    } finally {
      this.pending.set(false);
    }
  }

  protected cancel(event?: Event): void {
    // Escape: close through the same path as the button, so the caller hears of it.
    event?.preventDefault();
    this.close();
    this.cancelled.emit();
  }

  private close(): void {
    const dialog = this.dialog().nativeElement;
    if (typeof dialog.close === 'function') dialog.close();
    else dialog.removeAttribute('open');
  }

  private fail(field: 'password' | 'code', message: string): void {
    this.error.set(message);
    this.invalid.set(field);
    (field === 'password' ? this.passwordField() : this.codeField()).nativeElement.focus();
  }
}
