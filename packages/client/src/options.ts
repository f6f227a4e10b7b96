import { attempt } from './attempt.ts';
import { invalidArgument } from './invalid-argument.ts';
import type { CookieStrategy, LocalStrategy, SessionStrategy, StorageAdapter, StorageStrategy } from './strategy.ts';

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
   * Where the session lives: `'memory'` (default), `localSession()` or `'local'` (localStorage,
   * survives reloads, readable by any XSS), `cookieSession()` or `'cookie'` (refresh token in the
   * server's HttpOnly cookie, access token in memory: recommended for browsers), or your own
   * `StorageAdapter`. With a factory, an app includes the code of that mode only; the names bring
   * every mode along.
   * @default 'memory'
   */
  storage?: StorageStrategy | SessionStrategy | StorageAdapter;
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

/** Options after validation: every default applied once. */
export interface ResolvedOptions {
  readonly issuer: string;
  readonly apiOrigins: ReadonlySet<string>;
  /** A custom store, which other clients may share. */
  readonly adapter: StorageAdapter | undefined;
  /** `localSession()`: localStorage, shared with other tabs. */
  readonly local: LocalStrategy | undefined;
  /** Cookie mode (`cookieSession()`): the refresh token stays in the server's HttpOnly cookie. */
  readonly cookie: CookieStrategy | undefined;
  readonly fetch: typeof globalThis.fetch;
  readonly refreshLeewayMs: number;
  readonly lockName: string;
  readonly channelName: string;
  readonly storageKey: string;
  readonly now: () => number;
  readonly restore: boolean;
}

/** The options `createSigilSession` takes: `storage` without the names that bring every mode along. */
export type SessionOptions = Omit<SigilClientOptions, 'storage'> & { storage?: 'memory' | SessionStrategy | StorageAdapter };

/** Options checked by type alone: `undefined` takes the default. */
const TYPED_OPTIONS = { fetch: 'function', now: 'function', restore: 'boolean', lockName: 'string', channelName: 'string' } as const;

/**
 * The options only `createSigilClient` offers (`provideSigilAuth` of @sigil/angular has none of
 * them), checked, and only those given: they override the defaults of `sessionOptions`.
 * `resolveCommonOptions` checks the rest.
 */
function clientOnlyOptions(options: Pick<SigilClientOptions, keyof typeof TYPED_OPTIONS>): Partial<ResolvedOptions> {
  const given: Record<string, unknown> = {};
  for (const [name, type] of Object.entries(TYPED_OPTIONS)) {
    const value = options[name as keyof typeof TYPED_OPTIONS];
    if (value === undefined) continue;
    // The names key a lock and a channel: an empty one would be shared with unrelated code.
    if (typeof value !== type || value === '') invalidArgument(name, type === 'string' ? 'a non-empty string' : `a ${type}`);
    given[name] = value;
  }
  return given;
}

/** Validates options; a caller's mistake is a `TypeError` here, never a failure per request. */
export function resolveOptions(options: SessionOptions): ResolvedOptions {
  return { ...sessionOptions(resolveCommonOptions(options)), ...clientOnlyOptions(options) };
}

/**
 * The options with every default applied, from the shared part `resolveCommonOptions` has already
 * checked: @sigil/angular resolves its config once at startup and passes it here as it is.
 */
export function sessionOptions({ issuer, apiOrigins, refreshLeeway, storage }: CommonOptions): ResolvedOptions {
  const strategy = storage && isStrategy(storage) ? storage : undefined;
  return {
    issuer,
    apiOrigins,
    adapter: storage && !isStrategy(storage) ? storage : undefined,
    local: strategy?.kind === 'local' ? strategy : undefined,
    cookie: strategy?.kind === 'cookie' ? strategy : undefined,
    // Resolved per call and called unbound from globalThis: browsers throw "Illegal invocation"
    // for a detached `window.fetch`.
    fetch: (input, init) => globalThis.fetch(input, init),
    refreshLeewayMs: (refreshLeeway ?? 60) * 1000,
    lockName: `sigil:refresh:${issuer}`,
    channelName: `sigil:auth:${issuer}`,
    storageKey: `sigil:session:${issuer}`,
    now: Date.now,
    restore: true,
  };
}

/** The shared options after `resolveCommonOptions`. */
export interface CommonOptions {
  readonly issuer: string;
  readonly apiOrigins: ReadonlySet<string>;
  /** Seconds; undefined when not given (the client's default applies). */
  readonly refreshLeeway: number | undefined;
  /** undefined: memory. */
  readonly storage: SessionStrategy | StorageAdapter | undefined;
}

/**
 * The options `createSigilClient` shares with `provideSigilAuth` of @sigil/angular, checked in one
 * place so both report a mistake alike.
 *
 * @example
 * const common = resolveCommonOptions({ issuer: 'https://auth.example.com', apiOrigins: [] });
 */
export function resolveCommonOptions(options: Pick<SessionOptions, 'issuer' | 'apiOrigins' | 'refreshLeeway' | 'storage'>): CommonOptions {
  // No options at all fails here too, as a missing issuer.
  const issuer = httpUrl(options?.issuer);
  // Query, fragment or credentials in the issuer would corrupt every endpoint URL built from it.
  if (!issuer || issuer.href !== issuer.origin + issuer.pathname)
    invalidArgument('issuer', 'an http(s) URL without query, fragment or credentials');
  if (!Array.isArray(options.apiOrigins)) invalidArgument('apiOrigins', `an array of ${ORIGINS}`);
  const refreshLeeway = options.refreshLeeway ?? undefined;
  if (refreshLeeway !== undefined && !(Number.isFinite(refreshLeeway) && refreshLeeway >= 0))
    invalidArgument('refreshLeeway', 'a number of seconds >= 0');
  const storage = options.storage === 'memory' ? undefined : options.storage;
  if (storage !== undefined && !isStorageAdapter(storage) && !isStrategy(storage)) {
    invalidArgument('storage', "'memory', localSession(), cookieSession() or a StorageAdapter");
  }
  return { issuer: issuer.href.replace(/\/+$/, ''), apiOrigins: new Set(options.apiOrigins.map(parseOrigin)), refreshLeeway, storage };
}

function isStrategy(value: unknown): value is SessionStrategy {
  const strategy = value as { kind?: unknown; open?: unknown; transport?: unknown } | null;
  switch (strategy?.kind) {
    case 'local':
      return typeof strategy.open === 'function';
    case 'cookie':
      return typeof strategy.transport === 'function';
    default:
      return false;
  }
}

function isStorageAdapter(value: unknown): value is StorageAdapter {
  const adapter = value as Partial<StorageAdapter> | null;
  return (
    typeof adapter === 'object' && [adapter?.getItem, adapter?.setItem, adapter?.removeItem].every((method) => typeof method === 'function')
  );
}

const ORIGINS = 'origins like https://api.example.com';

function httpUrl(value: unknown): URL | undefined {
  // `new URL` would stringify a non-string; it throws on what it cannot parse.
  const url = typeof value === 'string' ? attempt(() => new URL(value)) : undefined;
  return url && /^https?:$/.test(url.protocol) ? url : undefined;
}

function parseOrigin(value: unknown): string {
  const url = httpUrl(value);
  // Only a bare origin (no path, query, fragment or credentials): a path here would suggest prefix
  // matching, which we deliberately do not do.
  if (!url || url.href !== `${url.origin}/`) invalidArgument('apiOrigins entries', `${ORIGINS} (got ${String(value)})`);
  return url!.origin;
}
