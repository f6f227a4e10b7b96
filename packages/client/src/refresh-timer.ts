import type { Session } from './session.ts';

/**
 * The window before expiry in which a token counts as expiring: `leeway`, capped at half the
 * token's lifetime so short-lived tokens (tests, strict deployments) do not refresh in a loop.
 */
export function expiringWindow(session: Session, leewayMs: number): number {
  return Math.min(leewayMs, (session.expiresAt - session.receivedAt) / 2);
}

export function isExpiring(session: Session, leewayMs: number, nowMs: number): boolean {
  return nowMs >= session.expiresAt - expiringWindow(session, leewayMs);
}

/**
 * Milliseconds until a proactive refresh: the start of the expiring window plus random jitter over
 * its first quarter, so tabs that loaded the same session do not all wake at once (the cross-tab
 * lock would serialise them anyway; the jitter just saves the queueing).
 */
export function proactiveDelay(session: Session, leewayMs: number, nowMs: number, random: () => number = Math.random): number {
  const window = expiringWindow(session, leewayMs);
  const start = session.expiresAt - window - nowMs;
  return Math.max(0, start) + Math.floor(random() * window * 0.25);
}

/** A single re-armable timer: `arm` replaces whatever task was armed before, `cancel` drops it. */
export interface OneTimer {
  arm(delayMs: number, task: () => void): void;
  cancel(): void;
}

/** A {@link OneTimer} that never keeps a Node process (SSR, tests) alive. */
export function oneTimer(): OneTimer {
  // clearTimeout ignores a handle that is undefined or already fired: no checks needed.
  let handle: ReturnType<typeof setTimeout> | undefined;
  const cancel = () => clearTimeout(handle);
  return {
    arm(delayMs, task) {
      cancel();
      // setTimeout overflows above 2^31-1 ms (~24.8 days) and would fire at once.
      handle = setTimeout(task, Math.min(delayMs, 2 ** 31 - 1));
      (handle as { unref?: () => void }).unref?.();
    },
    cancel,
  };
}
