import { ChangeDetectionStrategy, Component, type ElementRef, Injector, inject, signal, viewChild } from '@angular/core';
import { ActivatedRoute, RouterLink } from '@angular/router';
import { AuthService, SigilClientError } from '@sigil/angular';
import { AccountService } from '@sigil/angular/account';
import { errorMessage } from '../account/messages';
import { focusAfterRender } from '../focus';

type State = 'verifying' | 'verified' | 'expired' | 'failed';

/**
 * The page a verification link opens (`/email/verify?token=...`), also the one confirming a new
 * address: it follows the link once, on load, and says how it went.
 */
@Component({
  selector: 'app-verify-email',
  imports: [RouterLink],
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `
    <section class="card login-card" aria-labelledby="verify-title">
      <h1 id="verify-title" tabindex="-1" #heading>{{ titles[state()] }}</h1>
      <div role="status" aria-live="polite">
        @switch (state()) {
          @case ('verifying') {
            <p class="muted">One moment…</p>
          }
          @case ('verified') {
            <p>
              <strong>{{ email() }}</strong> is verified.
            </p>
          }
          @case ('expired') {
            <p>This link has expired or was used already.</p>
          }
          @case ('failed') {
            <p class="form-error">{{ error() }}</p>
          }
        }
      </div>
      @if (state() !== 'verifying') {
        <p class="form-links">
          @if (auth.isLoggedIn()) {
            <a routerLink="/lessons">Go to the lessons</a>
          } @else {
            <a routerLink="/login">Sign in</a>
          }
        </p>
      }
    </section>
  `,
})
export class VerifyEmail {
  protected readonly auth = inject(AuthService);
  readonly #account = inject(AccountService);
  readonly #injector = inject(Injector);
  protected readonly titles: Record<State, string> = {
    verifying: 'Verifying your email…',
    verified: 'Email verified',
    expired: 'Link expired',
    failed: 'Could not verify',
  };
  protected readonly state = signal<State>('verifying');
  protected readonly email = signal('');
  protected readonly error = signal('');
  private readonly heading = viewChild<ElementRef<HTMLElement>>('heading');

  constructor() {
    void this.verify(inject(ActivatedRoute).snapshot.queryParamMap.get('token') ?? '');
  }

  private async verify(token: string): Promise<void> {
    // A session restored first (cookie mode) is renewed by the verification, so the banner goes.
    await this.auth.ready;
    try {
      if (token === '') throw new SigilClientError('invalid_grant', 'No token in the link');
      const user = await this.#account.verifyEmail(token);
      this.email.set(user.email);
      this.state.set('verified');
    } catch (error) {
      if (error instanceof SigilClientError && (error.code === 'invalid_grant' || error.code === 'invalid_request'))
        this.state.set('expired');
      else {
        this.error.set(errorMessage(error));
        this.state.set('failed');
      }
    }
    focusAfterRender(this.#injector, () => this.heading()?.nativeElement);
  }
}
