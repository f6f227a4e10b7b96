import { browserLocalStorage, memoryStorage, type StorageAdapter, type StorageStrategy } from './storage.ts';

/** Options of `createSigilClient`. Only `issuer` and `apiOrigins` are required. */
export interface SigilClientOptions {
  /** Base URL of the Sigil auth server, e.g. `https://auth.example.com`. */
  issuer: string;
  /**
   * Exact origins (`https://api.example.com`) whose requests get `Authorization: Bearer`.
   * Nothing else ever sees the token, the auth server included unless you list it.
   */
  apiOrigins: readonly string[];
  /**
   * Where the session lives: `'memory'` (default), `'local'` (localStorage, survives reloads, readable
   * by any XSS), `'cookie'` (refresh token in the server's HttpOnly cookie, access token in memory:
   * recommended for browsers), or your own `StorageAdapter`.
   * @default 'memory'
   */
  storage?: StorageStrategy | StorageAdapter;
  /** The `fetch` to use for every request. @default globalThis.fetch, looked up per call */
  fetch?: typeof globalThis.fetch;
  /**
   * Seconds before expiry at which the access token counts as expiring: it is then renewed in the
   * background (plus a little jitter so tabs do not all fire at once) or before the next request.
   * Capped at half the token's lifetime.
   * @default 60
   */
  refreshLeeway?: number;
  /** Web Locks name shared by every tab refreshing this session. @default `sigil:refresh:<issuer>` */
  lockName?: string;
  /** BroadcastChannel name used for multi-tab sync. @default `sigil:auth:<issuer>` */
  channelName?: string;
  /** Clock in epoch milliseconds, for tests. @default Date.now */
  now?: () => number;
  /**
   * Cookie mode only: on creation, ask the server for an access token with the refresh cookie, so
   * a reload keeps the user signed in. Turn off during server-side rendering.
   * @default true
   */
  restore?: boolean;
}

/** Options after validation: every default applied once, frozen. */
export interface ResolvedOptions {
  readonly issuer: string;
  readonly apiOrigins: ReadonlySet<string>;
  readonly mode: 'body' | 'cookie';
  readonly adapter: StorageAdapter;
  /** True for localStorage or a custom adapter, which other tabs or clients may share. */
  readonly sharedStorage: boolean;
  readonly usesLocalStorage: boolean;
  readonly fetch: typeof globalThis.fetch;
  readonly refreshLeewayMs: number;
  readonly lockName: string;
  readonly channelName: string;
  readonly storageKey: string;
  readonly now: () => number;
  readonly restore: boolean;
}

/** Validates options; a caller's mistake is a `TypeError` here, never a failure per request. */
export function resolveOptions(options: SigilClientOptions): ResolvedOptions {
  if (options === null || typeof options !== 'object') throw new TypeError('createSigilClient: options object required');
  const issuer = parseIssuer(options.issuer);

  if (!Array.isArray(options.apiOrigins)) throw new TypeError('createSigilClient: apiOrigins must be an array of origins');
  const apiOrigins = new Set(options.apiOrigins.map(parseOrigin));

  const storage = options.storage ?? 'memory';
  let adapter: StorageAdapter;
  let mode: 'body' | 'cookie' = 'body';
  let sharedStorage = false;
  let usesLocalStorage = false;
  if (storage === 'memory') adapter = memoryStorage();
  else if (storage === 'cookie') {
    // The access token stays in this tab's memory; the refresh token never reaches JavaScript.
    adapter = memoryStorage();
    mode = 'cookie';
  } else if (storage === 'local') {
    const local = browserLocalStorage();
    // Under SSR or with storage disabled there is nothing to persist to: behave as memory.
    adapter = local ?? memoryStorage();
    sharedStorage = usesLocalStorage = local !== undefined;
  } else if (
    storage !== null &&
    typeof storage === 'object' &&
    typeof storage.getItem === 'function' &&
    typeof storage.setItem === 'function' &&
    typeof storage.removeItem === 'function'
  ) {
    adapter = storage;
    sharedStorage = true;
  } else {
    throw new TypeError("createSigilClient: storage must be 'memory', 'local', 'cookie' or a StorageAdapter");
  }

  if (options.fetch !== undefined && typeof options.fetch !== 'function') throw new TypeError('createSigilClient: fetch must be a function');
  const customFetch = options.fetch;
  // Resolved per call and called unbound from globalThis: browsers throw "Illegal invocation"
  // for a detached `window.fetch`.
  const fetchFn: typeof globalThis.fetch = customFetch ?? ((input, init) => globalThis.fetch(input, init));

  const leeway = options.refreshLeeway ?? 60;
  if (typeof leeway !== 'number' || !Number.isFinite(leeway) || leeway < 0) {
    throw new TypeError('createSigilClient: refreshLeeway must be a number of seconds >= 0');
  }
  const lockName = options.lockName ?? `sigil:refresh:${issuer}`;
  const channelName = options.channelName ?? `sigil:auth:${issuer}`;
  if (typeof lockName !== 'string' || lockName === '') throw new TypeError('createSigilClient: lockName must be a non-empty string');
  if (typeof channelName !== 'string' || channelName === '') throw new TypeError('createSigilClient: channelName must be a non-empty string');
  const now = options.now ?? Date.now;
  if (typeof now !== 'function') throw new TypeError('createSigilClient: now must be a function returning epoch milliseconds');
  const restore = options.restore ?? true;
  if (typeof restore !== 'boolean') throw new TypeError('createSigilClient: restore must be a boolean');

  return Object.freeze({
    issuer,
    apiOrigins,
    mode,
    adapter,
    sharedStorage,
    usesLocalStorage,
    fetch: fetchFn,
    refreshLeewayMs: leeway * 1000,
    lockName,
    channelName,
    storageKey: `sigil:session:${issuer}`,
    now,
    restore,
  });
}

function parseIssuer(value: unknown): string {
  let url: URL;
  try {
    url = new URL(String(value));
  } catch {
    throw new TypeError('createSigilClient: issuer must be an absolute http(s) URL');
  }
  if (typeof value !== 'string' || (url.protocol !== 'http:' && url.protocol !== 'https:') || url.search || url.hash) {
    throw new TypeError('createSigilClient: issuer must be an absolute http(s) URL without query or fragment');
  }
  return url.href.replace(/\/+$/, '');
}

function parseOrigin(value: unknown): string {
  let url: URL | undefined;
  try {
    url = new URL(String(value));
  } catch {
    url = undefined;
  }
  // Only a bare origin: a path here would suggest prefix matching, which we deliberately do not do.
  if (
    typeof value !== 'string' ||
    url === undefined ||
    (url.protocol !== 'http:' && url.protocol !== 'https:') ||
    url.pathname !== '/' ||
    url.search ||
    url.hash ||
    url.username ||
    url.password
  ) {
    throw new TypeError(`createSigilClient: apiOrigins entries must be origins like https://api.example.com (got ${String(value)})`);
  }
  return url.origin;
}
