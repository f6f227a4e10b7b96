import { attempt } from './attempt.ts';
import { parseStoredSession, serializeSession, type Session } from './session.ts';
import type { StorageAdapter } from './strategy.ts';

/** The session slot: one key, validated on every read, and no exception ever escapes. */
export interface SessionStore {
  read(nowMs: number): Session | undefined;
  write(session: Session): void;
  clear(): void;
}

/** The session slot `key` of `adapter` (localStorage, `memoryStorage()` or the app's own store). */
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
