import { ChangeDetectionStrategy, Component, type ElementRef, Injector, inject, signal, viewChild } from '@angular/core';
import { AccountService, type MfaStatus, type TotpEnrolment } from '@sigil/angular/account';
import { errorMessage } from '../account/messages';
import { focusAfterRender } from '../focus';
import { qrImage } from './qr-image';
import { RecoveryCodes } from './recovery-codes';

/**
 * "Authenticator app": turning TOTP on (QR code or the secret typed by hand, confirmed by a first
 * code), the recovery codes shown once, and with the password: turning it off or issuing new
 * recovery codes (the old ones stop working).
 */
@Component({
  selector: 'app-totp-settings',
  imports: [RecoveryCodes],
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `
    <section class="card account-section" aria-labelledby="totp-title">
      <h2 id="totp-title">Authenticator app</h2>
      <p class="form-success" role="status" aria-live="polite">{{ done() }}</p>
      @if (codes(); as codes) {
        <app-recovery-codes [codes]="codes" (done)="codesSaved()" />
      } @else if (enrolment(); as enrolment) {
        <ol class="steps">
          <li>
            <p>Scan this QR code with your authenticator app.</p>
            <img
              class="qr"
              [src]="qrImage(enrolment.qrSvg)"
              alt="QR code to add Sigil to your authenticator app"
              width="200"
              height="200"
            />
          </li>
          <li>
            <p id="secret-label">Or enter this key by hand:</p>
            <p>
              <code class="secret" aria-labelledby="secret-label">{{ enrolment.secret }}</code>
            </p>
          </li>
        </ol>
        <form (submit)="confirm($event)" novalidate [attr.aria-busy]="pending()">
          <div class="field">
            <label for="totp-confirm-code">Code from the app</label>
            <input
              #confirmCode
              id="totp-confirm-code"
              name="code"
              type="text"
              inputmode="numeric"
              autocomplete="one-time-code"
              pattern="[0-9]{6}"
              maxlength="6"
              required
              [attr.aria-invalid]="error() ? true : null"
              aria-describedby="totp-error"
            />
          </div>
          <p id="totp-error" class="form-error" role="alert" aria-live="assertive">{{ error() }}</p>
          <button type="submit" class="button button-primary" [disabled]="pending()">{{ pending() ? 'Checking…' : 'Turn on' }}</button>
          <button type="button" class="button button-secondary" (click)="cancel()">Cancel</button>
        </form>
      } @else if (status(); as status) {
        @if (status.totp === 'on') {
          <p id="totp-state">
            <strong>On.</strong> Signing in asks for a code from your app. {{ status.recoveryCodesRemaining }} recovery codes left.
          </p>
          <form class="password-action" (submit)="regenerate($event)" novalidate [attr.aria-busy]="pending()">
            <h3 id="regenerate-title">New recovery codes</h3>
            <div class="field">
              <label for="regenerate-password">Password</label>
              <input
                id="regenerate-password"
                name="password"
                type="password"
                autocomplete="current-password"
                required
                aria-describedby="totp-error"
              />
            </div>
            <button type="submit" class="button button-secondary" [disabled]="pending()">Get new recovery codes</button>
          </form>
          <form class="password-action" (submit)="disable($event)" novalidate [attr.aria-busy]="pending()">
            <h3 id="disable-title">Turn off</h3>
            <div class="field">
              <label for="disable-totp-password">Password</label>
              <input
                id="disable-totp-password"
                name="password"
                type="password"
                autocomplete="current-password"
                required
                aria-describedby="totp-error"
              />
            </div>
            <button type="submit" class="button button-danger" [disabled]="pending()">Turn off authenticator app</button>
          </form>
          <p id="totp-error" class="form-error" role="alert" aria-live="assertive">{{ error() }}</p>
        } @else {
          <p id="totp-state">Off. Add a code from an authenticator app to your password, so a stolen password alone cannot sign in.</p>
          <p id="totp-error" class="form-error" role="alert" aria-live="assertive">{{ error() }}</p>
          <button type="button" class="button button-primary" (click)="start()" [disabled]="pending()">Set up authenticator app</button>
        }
      } @else if (!error()) {
        <p class="muted">Loading…</p>
      } @else {
        <p id="totp-error" class="form-error" role="alert" aria-live="assertive">{{ error() }}</p>
      }
    </section>
  `,
})
export class TotpSettings {
  readonly #account = inject(AccountService);
  readonly #injector = inject(Injector);
  protected readonly qrImage = qrImage;
  protected readonly status = signal<MfaStatus | null>(null);
  protected readonly enrolment = signal<TotpEnrolment | null>(null);
  protected readonly codes = signal<readonly string[] | null>(null);
  protected readonly error = signal('');
  protected readonly done = signal('');
  protected readonly pending = signal(false);
  private readonly confirmCode = viewChild<ElementRef<HTMLInputElement>>('confirmCode');

  constructor() {
    void this.load();
  }

  private async load(): Promise<void> {
    try {
      this.status.set(await this.#account.mfaStatus());
    } catch (error) {
      this.error.set(errorMessage(error, { internal_error: 'Could not load your second factors.' }));
    }
  }

  protected async start(): Promise<void> {
    await this.run(async () => {
      this.enrolment.set(await this.#account.startTotpEnrolment());
      focusAfterRender(this.#injector, () => this.confirmCode()?.nativeElement);
    });
  }

  protected async confirm(event: Event): Promise<void> {
    event.preventDefault();
    const code = String(new FormData(event.target as HTMLFormElement).get('code') ?? '').replace(/\s/g, '');
    if (!/^\d{6}$/.test(code)) {
      this.error.set('Enter the 6-digit code your app shows.');
      this.confirmCode()?.nativeElement.focus();
      return;
    }
    await this.run(
      async () => {
        const codes = await this.#account.confirmTotp(code);
        this.enrolment.set(null);
        this.codes.set(codes);
        this.done.set('Your authenticator app is on.');
        await this.load();
      },
      { invalid_mfa: 'That code is not right. Check the app and try the current code.' },
      () => this.confirmCode()?.nativeElement,
    );
  }

  protected cancel(): void {
    this.enrolment.set(null);
    this.error.set('');
  }

  protected async regenerate(event: Event): Promise<void> {
    event.preventDefault();
    const form = event.target as HTMLFormElement;
    const password = passwordOf(form);
    if (password === null) return this.missingPassword(form);
    await this.run(
      async () => {
        this.codes.set(await this.#account.regenerateRecoveryCodes(password));
        this.done.set('New recovery codes issued. The old ones no longer work.');
        await this.load();
      },
      { invalid_request: 'The password is not correct.' },
      () => form.querySelector('input') ?? undefined,
    );
  }

  protected async disable(event: Event): Promise<void> {
    event.preventDefault();
    const form = event.target as HTMLFormElement;
    const password = passwordOf(form);
    if (password === null) return this.missingPassword(form);
    await this.run(
      async () => {
        await this.#account.disableTotp(password);
        this.done.set('Your authenticator app is off. Signing in needs only your password.');
        await this.load();
      },
      { invalid_request: 'The password is not correct.' },
      () => form.querySelector('input') ?? undefined,
    );
  }

  protected codesSaved(): void {
    this.codes.set(null);
  }

  /** Runs one call with the form busy; a failure is shown and focus goes to `field`. */
  private async run(
    call: () => Promise<void>,
    specific: Parameters<typeof errorMessage>[1] = {},
    field?: () => HTMLElement | undefined,
  ): Promise<void> {
    if (this.pending()) return;
    this.pending.set(true);
    this.error.set('');
    this.done.set('');
    try {
      await call();
    } catch (error) {
      this.error.set(errorMessage(error, specific));
      if (field) focusAfterRender(this.#injector, field);
    } finally {
      this.pending.set(false);
    }
  }

  private missingPassword(form: HTMLFormElement): void {
    this.done.set('');
    this.error.set('Enter your password.');
    form.querySelector('input')?.focus();
  }
}

function passwordOf(form: HTMLFormElement): string | null {
  const password = String(new FormData(form).get('password') ?? '');
  return password === '' ? null : password;
}
