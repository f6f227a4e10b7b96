import { attempt } from './attempt.ts';

/**
 * Runs `task` while holding the cross-tab lock `name`. With the Web Locks API every tab (and every
 * client in this realm) queues on the same lock; `task` learns whether it had to wait, i.e.
 * whether another holder may just have done its work. Without the API the task runs directly: the
 * client's in-tab single flight and its storage re-read still apply.
 */
export async function withLock<T>(name: string, task: (waited: boolean) => Promise<T>): Promise<T> {
  const locks = webLocks();
  if (!locks) return task(false);
  // First try without queueing, so we know whether someone else held the lock.
  const immediate = (await locks.request(name, { ifAvailable: true }, async (lock) =>
    lock === null ? undefined : { value: await task(false) },
  )) as { value: T } | undefined;
  if (immediate !== undefined) return immediate.value;
  return (await locks.request(name, {}, () => task(true))) as T;
}

interface LockManagerLike {
  request(name: string, options: { ifAvailable?: boolean }, callback: (lock: unknown) => Promise<unknown>): Promise<unknown>;
}

// Looked up per call, never at import: the module must load under SSR, where `navigator` may be
// missing or a stub without `locks`.
function webLocks(): LockManagerLike | undefined {
  const locks = attempt(() => (globalThis as { navigator?: { locks?: LockManagerLike } }).navigator?.locks);
  return locks && typeof locks.request === 'function' ? locks : undefined;
}
