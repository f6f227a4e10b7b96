import { ChangeDetectionStrategy, Component, type ElementRef, Injector, inject, signal, viewChild } from '@angular/core';
import { DOCUMENT, DatePipe } from '@angular/common';
import { SigilClientError } from '@sigil/angular';
import { PasskeyService, type Passkey } from '@sigil/angular/passkeys';
import { errorMessage } from '../account/messages';
import { focusAfterRender } from '../focus';

/**
 * "Passkeys": the account's passkeys (sign in with one instead of the password, or after it), with
 * an "Add a passkey" form (the browser asks where to keep it), rename and delete per passkey.
 */
@Component({
  selector: 'app-passkeys-settings',
  imports: [DatePipe],
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `
    <section class="card account-section" aria-labelledby="passkeys-title">
      <h2 id="passkeys-title" tabindex="-1" #heading>Passkeys</h2>
      <p class="muted">Sign in with your fingerprint, face or screen lock instead of your password.</p>
      @if (!supported) {
        <p>This browser does not support passkeys.</p>
      } @else {
        @if (list(); as list) {
          <ul class="passkey-list" aria-label="Your passkeys">
            @for (passkey of list; track passkey.id) {
              <li class="passkey">
                @if (renaming() === passkey.id) {
                  <form class="rename" (submit)="rename($event, passkey)" novalidate>
                    <label [for]="'rename-' + passkey.id">New name for {{ passkey.name }}</label>
                    <input
                      #renameInput
                      [id]="'rename-' + passkey.id"
                      name="name"
                      type="text"
                      maxlength="100"
                      required
                      [value]="passkey.name"
                    />
                    <button type="submit" class="button button-primary" [disabled]="pending()">Save</button>
                    <button type="button" class="button button-secondary" (click)="stopRenaming(passkey)">Cancel</button>
                  </form>
                } @else {
                  <div>
                    <strong>{{ passkey.name }}</strong>
                    <div class="muted">
                      Added {{ passkey.createdAt | date: 'mediumDate' }} ·
                      {{ passkey.lastUsedAt ? 'last used ' + (passkey.lastUsedAt | date: 'medium') : 'not used yet' }}
                    </div>
                  </div>
                  <div>
                    <button
                      type="button"
                      class="button button-secondary"
                      [id]="'rename-button-' + passkey.id"
                      [attr.aria-label]="'Rename ' + passkey.name"
                      (click)="startRenaming(passkey)"
                    >
                      Rename
                    </button>
                    <button
                      type="button"
                      class="button button-danger"
                      [attr.aria-label]="'Delete ' + passkey.name"
                      [disabled]="pending()"
                      (click)="remove(passkey)"
                    >
                      Delete
                    </button>
                  </div>
                }
              </li>
            } @empty {
              <li class="muted">No passkeys yet.</li>
            }
          </ul>
        } @else if (!error()) {
          <p class="muted">Loading your passkeys…</p>
        }
        <form (submit)="add($event)" novalidate [attr.aria-busy]="pending()">
          <div class="field">
            <label for="passkey-name">Name <span class="muted">(optional, e.g. "Work laptop")</span></label>
            <input id="passkey-name" name="name" type="text" maxlength="100" autocomplete="off" aria-describedby="passkeys-error" />
          </div>
          <button type="submit" class="button button-primary" [disabled]="pending()">
            {{ pending() ? 'Waiting for your browser…' : 'Add a passkey' }}
          </button>
        </form>
      }
      <p id="passkeys-error" class="form-error" role="alert" aria-live="assertive">{{ error() }}</p>
      <p class="form-success" role="status" aria-live="polite">{{ done() }}</p>
    </section>
  `,
})
export class PasskeysSettings {
  readonly #passkeys = inject(PasskeyService);
  readonly #injector = inject(Injector);
  readonly #document = inject(DOCUMENT);
  protected readonly supported = this.#passkeys.supported();
  protected readonly list = signal<readonly Passkey[] | null>(null);
  protected readonly renaming = signal<string | null>(null);
  protected readonly pending = signal(false);
  protected readonly error = signal('');
  protected readonly done = signal('');
  private readonly heading = viewChild<ElementRef<HTMLElement>>('heading');
  private readonly renameInput = viewChild<ElementRef<HTMLInputElement>>('renameInput');

  constructor() {
    if (this.supported) void this.load();
  }

  private async load(): Promise<void> {
    try {
      this.list.set(await this.#passkeys.listPasskeys());
    } catch (error) {
      this.error.set(errorMessage(error, { internal_error: 'Could not load your passkeys.' }));
    }
  }

  protected async add(event: Event): Promise<void> {
    event.preventDefault();
    const form = event.target as HTMLFormElement;
    const name = String(new FormData(form).get('name') ?? '').trim();
    await this.run(async () => {
      const passkey = await this.#passkeys.registerPasskey(name === '' ? undefined : name);
      form.reset();
      this.list.update((list) => [...(list ?? []), passkey]);
      this.done.set(`Passkey “${passkey.name}” added. You can sign in with it now.`);
    });
  }

  protected startRenaming(passkey: Passkey): void {
    this.renaming.set(passkey.id);
    focusAfterRender(this.#injector, () => this.renameInput()?.nativeElement);
  }

  protected stopRenaming(passkey: Passkey): void {
    this.renaming.set(null);
    focusAfterRender(this.#injector, () => this.#document.getElementById(`rename-button-${passkey.id}`) ?? undefined);
  }

  protected async rename(event: Event, passkey: Passkey): Promise<void> {
    event.preventDefault();
    const name = String(new FormData(event.target as HTMLFormElement).get('name') ?? '').trim();
    if (name === '') {
      this.error.set('Give the passkey a name.');
      this.renameInput()?.nativeElement.focus();
      return;
    }
    await this.run(async () => {
      const renamed = await this.#passkeys.renamePasskey(passkey.id, name);
      this.list.update((list) => list?.map((p) => (p.id === renamed.id ? renamed : p)) ?? null);
      this.done.set(`Passkey renamed to “${renamed.name}”.`);
      this.stopRenaming(renamed);
    });
  }

  protected async remove(passkey: Passkey): Promise<void> {
    await this.run(async () => {
      await this.#passkeys.deletePasskey(passkey.id).catch((error: unknown) => {
        // Already deleted elsewhere: it is gone either way.
        if (!(error instanceof SigilClientError && error.code === 'not_found')) throw error;
      });
      this.list.update((list) => list?.filter((p) => p.id !== passkey.id) ?? null);
      this.done.set(`Passkey “${passkey.name}” deleted. It no longer signs in.`);
      // Its buttons are gone: focus goes back to the section's heading.
      focusAfterRender(this.#injector, () => this.heading()?.nativeElement);
    });
  }

  private async run(call: () => Promise<void>): Promise<void> {
    if (this.pending()) return;
    this.pending.set(true);
    this.error.set('');
    this.done.set('');
    try {
      await call();
    } catch (error) {
      this.error.set(
        errorMessage(error, {
          passkey_cancelled: 'No passkey was created: the browser request was cancelled or timed out.',
          passkey_error: 'Your browser could not create a passkey here (does this device already have one for your account?).',
          invalid_request: 'Check the name (up to 100 characters).',
          not_found: 'That passkey no longer exists.',
        }),
      );
    } finally {
      this.pending.set(false);
    }
  }
}
