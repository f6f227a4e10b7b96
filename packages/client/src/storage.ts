import type { ResolvedOptions } from './options.ts';
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

/** Built-in strategies; see docs/client.md for the trade-offs. */
export type StorageStrategy = 'memory' | 'local' | 'cookie';

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
  try {
    const storage = (globalThis as { localStorage?: StorageAdapter }).localStorage;
    return storage && typeof storage.getItem === 'function' ? storage : undefined;
  } catch {
    return undefined;
  }
}

/** The session slot: one key, validated on every read, and no exception ever escapes. */
export interface SessionStore {
  read(nowMs: number): Session | undefined;
  write(session: Session): void;
  clear(): void;
}

export function createSessionStore({ adapter, storageKey: key, issuer }: Pick<ResolvedOptions, 'adapter' | 'storageKey' | 'issuer'>): SessionStore {
  return {
    read(nowMs) {
      let raw: string | null;
      try {
        raw = adapter.getItem(key);
      } catch {
        return undefined;
      }
      const session = parseStoredSession(raw, issuer, nowMs);
      // Corrupt or stale data under our own key is dropped so it is not re-read forever.
      if (session === undefined && raw !== null) this.clear();
      return session;
    },
    write(session) {
      try {
        adapter.setItem(key, serializeSession(session, issuer));
      } catch {
        // Quota or privacy mode: the session still lives in memory for this tab.
      }
    },
    clear() {
      try {
        adapter.removeItem(key);
      } catch {
        // Nothing more we can do; reads treat unreadable storage as empty.
      }
    },
  };
}
