import { Injectable, signal } from '@angular/core';

/** One toast. `error` toasts are announced assertively, the others politely. */
export interface Toast {
  readonly id: number;
  readonly kind: 'info' | 'success' | 'error';
  readonly text: string;
}

/** Short-lived notices (welcome, errors, session expired). */
@Injectable({ providedIn: 'root' })
export class ToastService {
  readonly #toasts = signal<readonly Toast[]>([]);
  #next = 1;
  readonly toasts = this.#toasts.asReadonly();

  /** Shows `text` for `ms` milliseconds (errors stay twice as long: they take longer to read). */
  show(text: string, kind: Toast['kind'] = 'info', ms = kind === 'error' ? 10_000 : 5_000): void {
    const toast: Toast = { id: this.#next++, kind, text };
    this.#toasts.update((list) => [...list.slice(-3), toast]);
    setTimeout(() => this.dismiss(toast.id), ms);
  }

  dismiss(id: number): void {
    this.#toasts.update((list) => list.filter((t) => t.id !== id));
  }
}
