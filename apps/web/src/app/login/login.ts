import {
  ChangeDetectionStrategy,
  Component,
  DestroyRef,
  type ElementRef,
  Injector,
  afterNextRender,
  effect,
  inject,
  signal,
  viewChild,
} from '@angular/core';
import { ActivatedRoute, Router, RouterLink } from '@angular/router';
import { AuthService, SigilClientError, safeReturnUrl, type MfaMethod } from '@sigil/angular';
import { PasskeyService } from '@sigil/angular/passkeys';
import { focusAfterRender } from '../focus';

/** The second step of a sign-in, once the password was right: the token to finish it with. */
interface SecondStep {
  readonly mfaToken: string;
  /** What the account accepts (`totp`, `recovery_code`), as the server listed it. */
  readonly methods: readonly string[];
}

/**
 * The sign-in page: email and password, then, for an account with a second factor, a code from
 * the authenticator app or a recovery code. Or a passkey alone: "Sign in with a passkey", or the
 * passkeys the browser offers in the email field's autofill (`autocomplete="username webauthn"`,
 * a conditional request waiting from the page's start until it goes away). Each step's error text lives in an always-present live
 * region, so screen readers announce it when it appears; the first never says which of email or
 * password was wrong.
 */
@Component({
  selector: 'app-login',
  imports: [RouterLink],
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `
    <section class="card login-card" aria-labelledby="login-title">
      @if (secondStep(); as step) {
        <h1 id="login-title">Two-step verification</h1>
        <p class="muted" id="code-hint">
          {{ method() === 'totp' ? 'Enter the 6-digit code from your authenticator app.' : 'Enter one of the recovery codes you saved.' }}
        </p>
        <form method="post" (submit)="verify($event)" novalidate [attr.aria-busy]="pending()">
          <div class="field">
            <label for="code">{{ method() === 'totp' ? 'Authentication code' : 'Recovery code' }}</label>
            <input
              #codeInput
              id="code"
              name="code"
              type="text"
              required
              [attr.inputmode]="method() === 'totp' ? 'numeric' : null"
              [attr.autocomplete]="method() === 'totp' ? 'one-time-code' : 'off'"
              autocapitalize="off"
              spellcheck="false"
              [attr.aria-invalid]="error() ? true : null"
              aria-describedby="code-hint code-error"
            />
          </div>
          <p id="code-error" class="form-error" role="alert" aria-live="assertive">{{ error() }}</p>
          <button type="submit" class="button button-primary" [disabled]="pending()">{{ pending() ? 'Verifying…' : 'Verify' }}</button>
        </form>
        <p class="form-links">
          @if (otherMethod(step); as other) {
            <button type="button" class="button button-secondary" (click)="useMethod(other)">
              {{ other === 'recovery_code' ? 'Use a recovery code instead' : 'Use your authenticator app instead' }}
            </button>
          }
          @if (passkeys() && step.methods.includes('passkey')) {
            <button type="button" class="button button-secondary" (click)="verifyWithPasskey(step)" [disabled]="pending()">
              Use a passkey instead
            </button>
          }
          <button type="button" class="button button-secondary" (click)="startOver('')">Start over</button>
        </p>
      } @else {
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
              autocomplete="username webauthn"
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
              [attr.aria-invalid]="error() ? true : null"
              aria-describedby="login-error"
            />
          </div>
          <p id="login-error" class="form-error" role="alert" aria-live="assertive">{{ error() }}</p>
          <button type="submit" class="button button-primary" [disabled]="pending() || !interactive()">
            {{ pending() ? 'Signing in…' : 'Sign in' }}
          </button>
        </form>
        @if (passkeys()) {
          <button type="button" class="button button-secondary passkey-button" (click)="loginWithPasskey()" [disabled]="pending()">
            Sign in with a passkey
          </button>
        }
        <p class="form-links">
          <a routerLink="/password/forgot">Forgot password?</a>
          <span aria-hidden="true">·</span>
          <a routerLink="/signup">Create account</a>
        </p>
      }
    </section>
  `,
})
export class Login {
  readonly #auth = inject(AuthService);
  readonly #router = inject(Router);
  readonly #injector = inject(Injector);
  readonly #passkeys = inject(PasskeyService);
  /** Where the guard found the user; checked by safeReturnUrl before use (no open redirect). */
  readonly #returnUrl = inject(ActivatedRoute).snapshot.queryParamMap.get('returnUrl');
  protected readonly email = signal('');
  protected readonly error = signal('');
  protected readonly pending = signal(false);
  /** Set once the password was right and the account asks for its second factor. */
  protected readonly secondStep = signal<SecondStep | null>(null);
  protected readonly method = signal<MfaMethod>('totp');
  /** False in the server-rendered HTML until the app runs in the browser: no native submit. */
  protected readonly interactive = signal(false);
  /** Whether this browser has passkeys (known in the browser only: false in the server's HTML). */
  protected readonly passkeys = signal(false);
  private readonly emailInput = viewChild<ElementRef<HTMLInputElement>>('emailInput');
  private readonly passwordInput = viewChild<ElementRef<HTMLInputElement>>('passwordInput');
  private readonly codeInput = viewChild<ElementRef<HTMLInputElement>>('codeInput');

  constructor() {
    afterNextRender(() => {
      this.interactive.set(true);
      this.passkeys.set(this.#passkeys.supported());
      void this.offerPasskeysInAutofill();
    });
    // The autofill's request waits as long as the page is open: end it with the page.
    inject(DestroyRef).onDestroy(() => this.#passkeys.cancel());
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
      this.emailInput()?.nativeElement.focus();
      return;
    }
    this.error.set('');
    this.pending.set(true);
    try {
      const result = await this.#auth.login({ email, password });
      // Signed in: the effect above navigates once the signals say so.
      if (result.status === 'mfa_required') {
        // The email field is gone: so is the autofill's passkey request.
        this.#passkeys.cancel();
        this.method.set(result.methods.includes('totp') || result.methods.length === 0 ? 'totp' : 'recovery_code');
        this.secondStep.set({ mfaToken: result.mfaToken, methods: result.methods });
        focusAfterRender(this.#injector, () => this.codeInput()?.nativeElement);
      }
    } catch (error) {
      this.clearPassword();
      this.error.set(messageFor(error));
    } finally {
      this.pending.set(false);
    }
  }

  protected async verify(event: Event): Promise<void> {
    event.preventDefault();
    const step = this.secondStep();
    if (this.pending() || !step) return;
    const code = String(new FormData(event.target as HTMLFormElement).get('code') ?? '').replace(/\s+/g, '');
    if (code === '') {
      this.error.set(this.method() === 'totp' ? 'Enter the code from your authenticator app.' : 'Enter a recovery code.');
      this.codeInput()?.nativeElement.focus();
      return;
    }
    this.error.set('');
    this.pending.set(true);
    try {
      await this.#auth.verifyMfa({ mfaToken: step.mfaToken, method: this.method(), code });
      // The effect above navigates once the signals say we are signed in.
    } catch (error) {
      if (error instanceof SigilClientError && error.code === 'invalid_grant') {
        // The password step expired (5 minutes), was used, or took too many wrong codes.
        this.startOver('Your sign-in timed out. Enter your password again.');
        return;
      }
      const input = this.codeInput()?.nativeElement;
      if (input) input.value = '';
      this.error.set(codeMessageFor(error, this.method()));
      input?.focus();
    } finally {
      this.pending.set(false);
    }
  }

  /** The second step with one of the account's passkeys instead of a code. */
  protected async verifyWithPasskey(step: SecondStep): Promise<void> {
    if (this.pending()) return;
    this.error.set('');
    this.pending.set(true);
    try {
      await this.#passkeys.loginWithPasskey({ mfaToken: step.mfaToken });
      // The effect above navigates once the signals say we are signed in.
    } catch (error) {
      if (error instanceof SigilClientError && error.code === 'invalid_grant') {
        this.startOver('Your sign-in timed out. Enter your password again.');
        return;
      }
      this.error.set(passkeyMessageFor(error));
    } finally {
      this.pending.set(false);
    }
  }

  /** The other factor the account offers, for the "use … instead" button. */
  protected otherMethod(step: SecondStep): MfaMethod | null {
    const other: MfaMethod = this.method() === 'totp' ? 'recovery_code' : 'totp';
    return step.methods.includes(other) ? other : null;
  }

  protected useMethod(method: MfaMethod): void {
    this.method.set(method);
    this.error.set('');
    focusAfterRender(this.#injector, () => this.codeInput()?.nativeElement);
  }

  /** Back to email and password, with `message` (if any) in the error region. */
  protected startOver(message: string): void {
    this.secondStep.set(null);
    this.method.set('totp');
    this.error.set(message);
    focusAfterRender(this.#injector, () => this.passwordInput()?.nativeElement);
    void this.offerPasskeysInAutofill();
  }

  /**
   * "Sign in with a passkey": the browser's own passkey dialog (it ends the autofill's request,
   * which is offered again when this one fails). Signed in, the effect above navigates.
   */
  protected async loginWithPasskey(): Promise<void> {
    if (this.pending()) return;
    this.error.set('');
    this.pending.set(true);
    try {
      await this.#passkeys.loginWithPasskey();
    } catch (error) {
      this.error.set(passkeyMessageFor(error));
      void this.offerPasskeysInAutofill();
    } finally {
      this.pending.set(false);
    }
  }

  /**
   * Waits for the user to pick a passkey from the email field's autofill (a conditional request:
   * no dialog unless they do). A request ended on purpose (another one, the page going away) says
   * nothing; any other failure is shown like a sign-in's.
   */
  private async offerPasskeysInAutofill(): Promise<void> {
    if (!(await this.#passkeys.autofillSupported())) return;
    try {
      await this.#passkeys.loginWithPasskey({ conditional: true });
    } catch (error) {
      if (error instanceof SigilClientError && error.code === 'passkey_cancelled') return;
      this.error.set(passkeyMessageFor(error));
    }
  }

  private clearPassword(): void {
    // Clear the field itself: the password never lives in a signal.
    const input = this.passwordInput()?.nativeElement;
    if (input) input.value = '';
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

/** A passkey sign-in's message. */
function passkeyMessageFor(error: unknown): string {
  if (error instanceof SigilClientError) {
    if (error.code === 'invalid_credentials') return 'This passkey does not belong to an account here. Try another one, or your password.';
    if (error.code === 'invalid_mfa') return 'That passkey is not one of this account’s. Try another one, or a code.';
    if (error.code === 'passkey_cancelled') return 'The passkey sign-in was cancelled. Try again, or use your password.';
    if (error.code === 'passkey_error') return 'Your browser could not use a passkey. Use your password instead.';
  }
  return messageFor(error);
}

/** The second step's message for a refused code. */
function codeMessageFor(error: unknown, method: MfaMethod): string {
  if (error instanceof SigilClientError && (error.code === 'invalid_mfa' || error.code === 'invalid_request'))
    return method === 'totp' ? 'That code is not right. Check your authenticator app and try again.' : 'That recovery code is not valid.';
  return messageFor(error);
}
