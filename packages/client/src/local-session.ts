import { attempt } from './attempt.ts';
import type { SessionStrategy, StorageAdapter } from './strategy.ts';

/**
 * `storage: localSession()` (the `'local'` strategy): the session in localStorage, so it survives
 * reloads and is shared by the app's tabs; readable by any script that runs in the page (XSS).
 * Where there is no usable localStorage (SSR, privacy modes) it behaves as memory.
 *
 * @example
 * createSigilClient({ issuer, apiOrigins, storage: localSession() });
 */
export function localSession(): SessionStrategy {
  return {
    kind: 'local',
    open(key, onChange) {
      const adapter = browserLocalStorage();
      if (!adapter) return undefined;
      // `storage` events tell this tab that another one changed localStorage (key null: cleared).
      // Optional calls: a runtime may have localStorage but no window events (Node's flag).
      const target: Partial<EventTarget> = globalThis;
      const listener = (event: Event) => {
        const changed = (event as StorageEvent).key;
        if (changed === key || changed === null) onChange();
      };
      target.addEventListener?.('storage', listener);
      return { adapter, close: () => target.removeEventListener?.('storage', listener) };
    },
  };
}

/**
 * `localStorage` if this environment has a usable one. Looked up on call, never at import, so the
 * module loads under SSR; reading the property itself throws in some sandboxed iframes.
 */
function browserLocalStorage(): StorageAdapter | undefined {
  const storage = attempt(() => (globalThis as { localStorage?: StorageAdapter }).localStorage);
  return storage && typeof storage.getItem === 'function' ? storage : undefined;
}
