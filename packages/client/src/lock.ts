/**
 * Runs `task` while holding the cross-tab lock `name`. With the Web Locks API every tab (and every
 * client in this realm) queues on the same lock; without it we fall back to running the task
 * directly: the client's in-tab single-flight and the storage re-read still apply.
 */
export async function withLock<T>(name: string, task: () => Promise<T>): Promise<T> {
  const locks = webLocks();
  if (!locks) return task();
  return locks.request(name, task) as Promise<T>;
}

interface LockManagerLike {
  request(name: string, callback: () => Promise<unknown>): Promise<unknown>;
}

// Looked up per call, never at import: the module must load under SSR, where `navigator` may be
// missing or a stub without `locks`.
function webLocks(): LockManagerLike | undefined {
  try {
    const locks = (globalThis as { navigator?: { locks?: LockManagerLike } }).navigator?.locks;
    return locks && typeof locks.request === 'function' ? locks : undefined;
  } catch {
    return undefined;
  }
}
