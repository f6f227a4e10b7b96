import { attempt } from './attempt.ts';
import { isRecord } from './session.ts';
import type { StorageAdapter } from './strategy.ts';

/**
 * What `loginWithRedirect` keeps for its callback: the secrets only this tab knows (`state`, the
 * PKCE verifier, the ID token's `nonce`), the exact `redirect_uri` the token request repeats, and
 * where the app wants to go afterwards.
 */
export interface PendingLogin {
  readonly state: string;
  readonly codeVerifier: string;
  readonly nonce: string;
  readonly redirectUri: string;
  readonly returnTo: string | undefined;
}

/** The slot of a tab's sign-in under way: written before the redirect, taken once by the callback. */
export interface PendingLoginStore {
  save(login: PendingLogin): void;
  /** The pending sign-in, removed as it is read: a callback URL works once. */
  take(): PendingLogin | undefined;
}

/**
 * The pending sign-in in `adapter` (the tab's `sessionStorage` by default: the page that comes
 * back from the auth server is this tab's, and no other tab can finish its sign-in) under `key`.
 * Unreadable, corrupt or foreign data is "nothing pending": the callback then refuses the answer
 * with `state_mismatch`.
 */
export function pendingLoginStore(adapter: StorageAdapter | undefined, key: string): PendingLoginStore {
  return {
    save(login) {
      // Without a store the callback could not be checked: better to fail before leaving the page.
      if (!adapter) throw new TypeError('Sigil: the redirect flow needs sessionStorage (or the transactionStorage option)');
      adapter.setItem(key, JSON.stringify(login));
    },
    take() {
      const raw = attempt(() => adapter?.getItem(key));
      attempt(() => adapter?.removeItem(key));
      const data: unknown = attempt(() => JSON.parse(raw ?? ''));
      return isRecord(data) && isPendingLogin(data) ? data : undefined;
    },
  };
}

/**
 * The tab's `sessionStorage`, looked up on call (never at import, for SSR); reading the property
 * itself throws in some sandboxed iframes.
 */
export function browserSessionStorage(): StorageAdapter | undefined {
  const storage = attempt(() => (globalThis as { sessionStorage?: StorageAdapter }).sessionStorage);
  return storage && typeof storage.getItem === 'function' ? storage : undefined;
}

const isText = (value: unknown): value is string => typeof value === 'string' && value !== '';

function isPendingLogin(data: Record<string, unknown>): data is Record<string, unknown> & PendingLogin {
  const { state, codeVerifier, nonce, redirectUri, returnTo } = data;
  return (
    isText(state) &&
    isText(codeVerifier) &&
    isText(nonce) &&
    isText(redirectUri) &&
    (returnTo === undefined || typeof returnTo === 'string')
  );
}
