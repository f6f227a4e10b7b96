import { ChangeDetectionStrategy, Component, computed, inject } from '@angular/core';
import { ToastService } from './toast.service';

/**
 * The toast stack. Both live regions are always in the DOM (a region added together with its text
 * is not announced); errors go to the assertive one.
 */
@Component({
  selector: 'app-toasts',
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `
    <div class="toasts" role="status" aria-live="polite">
      @for (toast of polite(); track toast.id) {
        <div class="toast" [class]="'toast toast-' + toast.kind">
          <span>{{ toast.text }}</span>
          <button type="button" class="toast-close" (click)="toasts.dismiss(toast.id)" aria-label="Dismiss notification">×</button>
        </div>
      }
    </div>
    <div class="toasts toasts-errors" role="alert" aria-live="assertive">
      @for (toast of errors(); track toast.id) {
        <div class="toast toast-error">
          <span>{{ toast.text }}</span>
          <button type="button" class="toast-close" (click)="toasts.dismiss(toast.id)" aria-label="Dismiss notification">×</button>
        </div>
      }
    </div>
  `,
})
export class Toasts {
  protected readonly toasts = inject(ToastService);
  protected readonly polite = computed(() => this.toasts.toasts().filter((t) => t.kind !== 'error'));
  protected readonly errors = computed(() => this.toasts.toasts().filter((t) => t.kind === 'error'));
}
