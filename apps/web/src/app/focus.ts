import { afterNextRender, type Injector } from '@angular/core';

/**
 * Moves focus to the element `find` returns once Angular has rendered the change just made (a
 * result that replaced a form, an error under a field), so screen readers read it and keyboard
 * users go on from there rather than from a button that is gone.
 *
 * @example
 * this.sent.set(email);
 * focusAfterRender(this.#injector, () => this.heading()?.nativeElement);
 */
export function focusAfterRender(injector: Injector, find: () => HTMLElement | undefined): void {
  afterNextRender(() => find()?.focus(), { injector });
}
