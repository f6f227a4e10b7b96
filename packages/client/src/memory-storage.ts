import type { StorageAdapter } from './strategy.ts';

/**
 * A private in-memory store. Memory is the default strategy without it (the session then lives in
 * the client alone); pass one instance to several clients to let them share a session, as tabs
 * share `localStorage`.
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
