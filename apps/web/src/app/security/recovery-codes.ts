import { ChangeDetectionStrategy, Component, type ElementRef, input, output, viewChild, afterNextRender } from '@angular/core';

/**
 * Recovery codes, shown once: the server keeps only their hashes, so this is the one time the user
 * can see them. The list gets focus when it appears so a screen reader reads the warning first.
 */
@Component({
  selector: 'app-recovery-codes',
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `
    <div class="recovery-codes" role="region" aria-labelledby="recovery-title">
      <h3 id="recovery-title" tabindex="-1" #heading>Your recovery codes</h3>
      <p>
        Save these {{ codes().length }} codes somewhere safe now: they are shown only once. Each one signs you in once if you lose your
        authenticator app.
      </p>
      <ul class="code-list" aria-label="Recovery codes">
        @for (code of codes(); track code) {
          <li>
            <code>{{ code }}</code>
          </li>
        }
      </ul>
      <button type="button" class="button button-secondary" (click)="done.emit()">I have saved my codes</button>
    </div>
  `,
})
export class RecoveryCodes {
  /** The codes the server just issued. */
  readonly codes = input.required<readonly string[]>();
  /** The user has saved them: the parent hides the list for good. */
  readonly done = output();
  private readonly heading = viewChild<ElementRef<HTMLElement>>('heading');

  constructor() {
    afterNextRender(() => this.heading()?.nativeElement.focus());
  }
}
