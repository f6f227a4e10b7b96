import { ChangeDetectionStrategy, Component, type ElementRef, Injector, inject, signal, viewChild } from '@angular/core';
import { DatePipe } from '@angular/common';
import { SigilClientError } from '@sigil/angular';
import { AccountService, type AccountSession } from '@sigil/angular/account';
import { focusAfterRender } from '../focus';
import { describeDevice } from './device';
import { errorMessage } from './messages';

/** A session as the list shows it. */
interface Row extends AccountSession {
  readonly device: string;
}

/**
 * "Your sessions": every device signed in to the account, this one marked, the others with a
 * button that signs them out (at their next token renewal, within the access token's lifetime).
 */
@Component({
  selector: 'app-sessions-list',
  imports: [DatePipe],
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `
    <section class="card account-section" aria-labelledby="sessions-title">
      <h2 id="sessions-title" tabindex="-1" #heading>Your sessions</h2>
      @if (rows(); as rows) {
        <ul class="session-list">
          @for (row of rows; track row.id) {
            <li class="session">
              <div>
                <strong>{{ row.device }}</strong>
                @if (row.current) {
                  <span class="badge">This device</span>
                }
                <div class="muted">
                  Last used {{ row.lastUsedAt | date: 'medium' }} · signed in {{ row.createdAt | date: 'mediumDate' }}
                </div>
              </div>
              @if (!row.current) {
                <button
                  type="button"
                  class="button button-secondary"
                  [attr.aria-label]="'Sign out ' + row.device"
                  (click)="revoke(row)"
                  [disabled]="revoking() === row.id"
                >
                  Sign out
                </button>
              }
            </li>
          }
        </ul>
      } @else if (!error()) {
        <p class="muted">Loading your sessions…</p>
      }
      <p class="form-error" role="alert" aria-live="assertive">{{ error() }}</p>
      <p class="form-success" role="status" aria-live="polite">{{ done() }}</p>
    </section>
  `,
})
export class SessionsList {
  readonly #account = inject(AccountService);
  readonly #injector = inject(Injector);
  protected readonly rows = signal<readonly Row[] | null>(null);
  protected readonly error = signal('');
  protected readonly done = signal('');
  protected readonly revoking = signal<string | null>(null);
  private readonly heading = viewChild<ElementRef<HTMLElement>>('heading');

  constructor() {
    void this.load();
  }

  private async load(): Promise<void> {
    try {
      const sessions = await this.#account.sessions();
      // This device first, then the most recently used.
      const sorted = [...sessions].sort((a, b) => Number(b.current) - Number(a.current) || b.lastUsedAt.getTime() - a.lastUsedAt.getTime());
      this.rows.set(sorted.map((session) => ({ ...session, device: describeDevice(session.userAgent) })));
    } catch (error) {
      this.error.set(errorMessage(error, { internal_error: 'Could not load your sessions.' }));
    }
  }

  protected async revoke(row: Row): Promise<void> {
    this.revoking.set(row.id);
    this.error.set('');
    this.done.set('');
    try {
      await this.#account.revokeSession(row.id);
      this.rows.update((rows) => rows?.filter((r) => r.id !== row.id) ?? null);
      this.done.set(`${row.device} was signed out.`);
      // Its button is gone: focus goes back to the list rather than to the page's top.
      focusAfterRender(this.#injector, () => this.heading()?.nativeElement);
    } catch (error) {
      // Already ended elsewhere: it is gone either way.
      if (error instanceof SigilClientError && error.code === 'not_found')
        this.rows.update((rows) => rows?.filter((r) => r.id !== row.id) ?? null);
      this.error.set(errorMessage(error, { not_found: `${row.device} was already signed out.` }));
    } finally {
      this.revoking.set(null);
    }
  }
}
