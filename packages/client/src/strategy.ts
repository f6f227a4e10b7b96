/**
 * The types every session strategy shares: what `storage` may be, and what the client asks of a
 * strategy. The strategies themselves live one per file: memory-storage.ts, local-session.ts and
 * cookie-session.ts.
 */

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
 * `'local'` and `'cookie'` are `localSession()` and `cookieSession()`: passing those instead means
 * an app includes only the mode it uses (`provideSigilAuth` of @sigil/angular takes only them).
 */
export type StorageStrategy = 'memory' | 'local' | 'cookie';

/**
 * A session strategy other than the default memory, from `localSession()` or `cookieSession()`.
 * Treat it as opaque: pass it as `storage` and nothing else.
 */
export type SessionStrategy = LocalStrategy | CookieStrategy;

/** @internal `localSession()`: the session in localStorage, shared with the app's other tabs. */
export interface LocalStrategy {
  readonly kind: 'local';
  /** Opens localStorage for `key` (undefined where there is none); `onChange` runs when another tab changed it. */
  open(key: string, onChange: () => void): LocalSession | undefined;
}

/** @internal what `LocalStrategy.open` opened: the store, and how to stop watching it. */
export interface LocalSession {
  readonly adapter: StorageAdapter;
  close(): void;
}

/** @internal `cookieSession()`: the refresh token stays in the auth server's HttpOnly cookie. */
export interface CookieStrategy {
  readonly kind: 'cookie';
  /** The cookie-authenticated requests, built on the auth API's own ones. */
  transport(requests: AuthRequests): CookieTransport;
}

/** @internal cookie mode's part of the auth API. */
export interface CookieTransport {
  /** A cookie-authenticated POST (refresh, logout) with its CSRF proof. */
  post(path: string): Promise<Response>;
  /**
   * At startup: restores the session with `refresh` unless the server says this browser holds no
   * refresh cookie (HttpOnly, so the page cannot tell). Never rejects.
   */
  restore(refresh: () => Promise<unknown>): Promise<void>;
}

/** @internal the auth API's requests, which cookie mode builds on. Paths are under the issuer. */
export interface AuthRequests {
  /** The client's clock (its `now` option). */
  now(): number;
  request(path: string, init: RequestInit): Promise<Response>;
  /** POSTs `body` as JSON; `csrf` is the double-submit token for cookie-authenticated endpoints. */
  post(path: string, body: object, csrf?: string): Promise<Response>;
  /** The JSON object of a successful answer (undefined when there is none); a failed answer throws. */
  json(pending: Promise<Response>): Promise<Record<string, unknown> | undefined>;
}
