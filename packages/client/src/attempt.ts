/**
 * `task()`, or undefined if it throws. For the browser APIs that may throw where they are missing,
 * disabled or sandboxed (storage, BroadcastChannel, Web Locks) and for parsing: one helper rather
 * than a try/catch at each site, which an app's minifier cannot shorten.
 * @internal exported for @sigil/angular; not part of the documented API
 */
export function attempt<T>(task: () => T): T | undefined {
  try {
    return task();
  } catch {
    return undefined;
  }
}
