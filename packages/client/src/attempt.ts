/**
 * `task()`, or undefined if it throws. For the browser APIs that may throw where they are missing,
 * disabled or sandboxed (storage, BroadcastChannel, Web Locks) and for parsing, where a failure
 * only means "not available": the call site then reads as the value it wants.
 *
 * @example
 * const url = attempt(() => new URL(value)); // undefined when `value` does not parse
 */
export function attempt<T>(task: () => T): T | undefined {
  try {
    return task();
  } catch {
    return undefined;
  }
}
