import { attempt } from './attempt.ts';
import type { StorageAdapter } from './strategy.ts';

/**
 * The session's latest ID token, kept beside the session for the end-session request
 * (`id_token_hint`) and the `sub` check of the next refresh. In the session's own store when it
 * has one (localStorage, the app's adapter), so every tab that shares the session can log it out
 * with the hint; else in this tab's memory.
 */
export interface IdTokenSlot {
  read(): string | undefined;
  write(idToken: string): void;
  clear(): void;
}

export function idTokenSlot(adapter: StorageAdapter | undefined, key: string): IdTokenSlot {
  let memory: string | undefined;
  return {
    read: () => (adapter ? (attempt(() => adapter.getItem(key)) ?? undefined) : memory),
    write(idToken) {
      memory = idToken;
      attempt(() => adapter?.setItem(key, idToken));
    },
    clear() {
      memory = undefined;
      attempt(() => adapter?.removeItem(key));
    },
  };
}
