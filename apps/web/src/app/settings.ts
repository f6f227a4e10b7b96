/** Where the demo's servers run (docs/architecture.md, "Parts"); `npm start` starts all three. */
export const AUTH_ISSUER = 'http://localhost:4000';
export const API_ORIGIN = 'http://localhost:3000';

type StorageMode = 'memory' | 'local' | 'cookie';
const MODES: readonly StorageMode[] = ['memory', 'local', 'cookie'];
const KEY = 'sigil-demo:storage';

/**
 * The session storage mode for this tab: `?storage=memory|local|cookie` picks one (kept for the
 * tab's later reloads, so each mode can be tried and tested), else the recommended `cookie`.
 * Reads browser globals only when they exist: this runs on the server too under SSR.
 */
export function demoStorageMode(): StorageMode {
  if (typeof window === 'undefined') return 'cookie';
  try {
    const asked = new URLSearchParams(window.location.search).get('storage');
    if (asked !== null && (MODES as readonly string[]).includes(asked)) {
      window.sessionStorage.setItem(KEY, asked);
      return asked as StorageMode;
    }
    const kept = window.sessionStorage.getItem(KEY);
    if (kept !== null && (MODES as readonly string[]).includes(kept)) return kept as StorageMode;
  } catch {
    // Storage disabled (privacy mode): the default is fine.
  }
  return 'cookie';
}
