import type { CookieTransportFactory } from './auth-api.ts';
import { attempt } from './attempt.ts';
import { parseStoredSession, serializeSession, type Session } from './session.ts';

/**
 * Where the client keeps its session: anything with Web Storage's three methods, so
 * `localStorage`, `sessionStorage` or your own encrypted/native store all fit.
 * Methods may throw (quota, privacy modes): the client treats that as "nothing stored".
 */
export interface StorageAdapter {
  getItem(key: string): string | null;
  setItem(key: string, value: string): void;
  removeItem(key: string): void;
}

/**
 * Built-in strategies by name, for `createSigilClient`; see docs/client.md for the trade-offs.
 * `'local'` and `'cookie'` are `localSession()` and `cookieSession()`: passing those instead lets a
 * bundler leave out the modes an app does not use (`provideSigilAuth` takes only them).
 */
export type StorageStrategy = 'memory' | 'local' | 'cookie';

/**
 * A session strategy other than the default memory: from `localSession()` or `cookieSession()`.
 * Opaque: each carries the code of its mode, so an app that does not call the factory does not
 * ship that code.
 */
export interface SessionStrategy {
  /** @internal opens localStorage for `key`; `onChange` runs when another tab changed it */
  readonly local?: (key: string, onChange: () => void) => LocalSession | undefined;
  /** @internal cookie mode: the CSRF-protected, cookie-authenticated requests */
  readonly cookie?: CookieTransportFactory;
}

/** @internal what `localSession()` opened: the store, and how to stop watching it */
export interface LocalSession {
  readonly adapter: StorageAdapter;
  readonly close: () => void;
}

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
    local(key, onChange) {
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
 * A private in-memory store, the default. Pass one instance to several clients to let them share
 * a session (as tabs share `localStorage`).
 *
 * @example
 * const storage = memoryStorage();
 * const auth = createSigilClient({ issuer, apiOrigins, storage });
 */
export function memoryStorage(): StorageAdapter {
  const items = new Map<string, string>();
  return {
    getItem: (key) => items.get(key) ?? null,
    setItem: (key, value) => void items.set(key, String(value)),
    removeItem: (key) => void items.delete(key),
  };
}

/**
 * `localStorage` if this environment has a usable one. Looked up on call, never at import, so the
 * module loads under SSR; reading the property itself throws in some sandboxed iframes.
 */
export function browserLocalStorage(): StorageAdapter | undefined {
  const storage = attempt(() => (globalThis as { localStorage?: StorageAdapter }).localStorage);
  return storage && typeof storage.getItem === 'function' ? storage : undefined;
}

/** The session slot: one key, validated on every read, and no exception ever escapes. */
export interface SessionStore {
  read(nowMs: number): Session | undefined;
  write(session: Session): void;
  clear(): void;
}

export function createSessionStore(adapter: StorageAdapter, key: string, issuer: string): SessionStore {
  // A failed write (quota, privacy mode) leaves the session in this tab's memory; a failed read
  // counts as nothing stored; a failed removal is all we could do anyway.
  const clear = () => attempt(() => adapter.removeItem(key));
  return {
    read(nowMs) {
      const raw = attempt(() => adapter.getItem(key));
      const session = parseStoredSession(raw, issuer, nowMs);
      // Corrupt or stale data under our own key is dropped so it is not re-read forever.
      if (session === undefined && raw != null) clear();
      return session;
    },
    write: (session) => attempt(() => adapter.setItem(key, serializeSession(session, issuer))),
    clear,
  };
}
