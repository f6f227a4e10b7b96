/** Where the demo's servers run (docs/architecture.md, "Parts"); `npm start` starts all three. */
export const AUTH_ISSUER = 'http://localhost:4000';
export const API_ORIGIN = 'http://localhost:3000';
/** The demo's OAuth client at the auth server (seeded by `npm start`), for the redirect flow. */
export const DEMO_CLIENT_ID = 'sigil-demo';

type StorageMode = 'memory' | 'local' | 'cookie';
const MODES: readonly StorageMode[] = ['memory', 'local', 'cookie'];
const KEY = 'sigil-demo:storage';

/**
 * The session storage mode for this tab: `?storage=memory|local|cookie` picks one (kept for the
 * tab's later reloads, so each mode can be tried and tested), else the recommended `cookie`.
 * Reads browser globals only when they exist: this runs on the server too under SSR.
 */
export function demoStorageMode(): StorageMode {
  return tabChoice('storage', MODES, KEY) ?? 'cookie';
}

/**
 * How the demo signs in. `same-site`: its own sign-in form (`/login`), the refresh token in the
 * auth server's cookie. `redirect`: the auth server's page (`/signin` has the button), OAuth
 * authorization code with PKCE as the client `sigil-demo`, the app free to live on another site
 * (http://127.0.0.1:4200 against http://localhost:4000).
 */
export type DemoFlow = 'same-site' | 'redirect';
const FLOWS: readonly DemoFlow[] = ['same-site', 'redirect'];

/**
 * The flow for this tab: `?flow=redirect|same-site` picks one (kept for the tab's reloads and the
 * auth server's redirects back), else the web server's default (`npm start -- --flow=redirect`
 * sets the `sigil-demo-flow` cookie), else `same-site`. On the server (SSR) always `same-site`:
 * the only page it renders, `/login`, is that flow's; the redirect flow's pages render in the browser.
 */
export function demoFlow(): DemoFlow {
  if (typeof window === 'undefined') return 'same-site';
  const fromServer = /(?:^|;\s*)sigil-demo-flow=([^;]*)/.exec(document.cookie)?.[1];
  return tabChoice('flow', FLOWS, 'sigil-demo:flow') ?? (fromServer === 'redirect' ? 'redirect' : 'same-site');
}

/** The app's sign-in page in this tab's flow. */
export function demoLoginRoute(): string {
  return demoFlow() === 'redirect' ? '/signin' : '/login';
}

/** `?name=` of the page's URL when it is one of `values` (kept in the tab's sessionStorage), else the kept one. */
function tabChoice<T extends string>(name: string, values: readonly T[], key: string): T | undefined {
  if (typeof window === 'undefined') return undefined;
  try {
    const asked = new URLSearchParams(window.location.search).get(name);
    if (asked !== null && (values as readonly string[]).includes(asked)) {
      window.sessionStorage.setItem(key, asked);
      return asked as T;
    }
    const kept = window.sessionStorage.getItem(key);
    if (kept !== null && (values as readonly string[]).includes(kept)) return kept as T;
  } catch {
    // Storage disabled (privacy mode): the default is fine.
  }
  return undefined;
}
