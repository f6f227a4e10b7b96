import { createAuthApi, type AuthApi } from './auth-api.ts';
import { createAuthFetch } from './auth-fetch.ts';
import { bindRequests } from './client-requests.ts';
import { openSyncChannel, type SyncMessage } from './channel.ts';
import { cookieSession } from './cookie-session.ts';
import { hasCode, SigilClientError } from './errors.ts';
import { createEmitter, type AuthEvent, type AuthEventReason, type AuthListener } from './events.ts';
import { localSession } from './local-session.ts';
import type { LoginResult, MfaInput } from './mfa.ts';
import { withLock } from './lock.ts';
import {
  resolveOptions,
  sessionOptions,
  type CommonOptions,
  type ResolvedOptions,
  type SessionOptions,
  type SigilClientOptions,
} from './options.ts';
import { isExpiring, oneTimer, proactiveDelay } from './refresh-timer.ts';
import { parseStoredSession, serializeSession, type Session, type SigilUser } from './session.ts';
import { createSessionStore } from './session-store.ts';

/** How long a tab that queued for the refresh lock waits for the holder's broadcast. */
const BROADCAST_WAIT_MS = 300;

/** Credentials for `login`. */
export interface LoginInput {
  email: string;
  password: string;
}

/** A new account for `signup`. */
export interface SignupInput extends LoginInput {
  name?: string;
}

/** What `signup` resolves to. */
export interface SignupResult {
  /** The new account. */
  readonly user: SigilUser;
  /**
   * True when the auth server requires a verified address before sign-in
   * (`SIGIL_EMAIL_VERIFICATION=required`): no session was started, a link was mailed to the user,
   * and `login` answers `email_not_verified` until it is followed. False: signed in.
   */
  readonly verificationRequired: boolean;
}

/** The client `createSigilClient` returns. Plain object; every method may be passed around unbound. */
export interface SigilClient {
  /**
   * Creates an account and signs in, unless the server wants the address verified first (see
   * `SignupResult.verificationRequired`). Rejects with `email_taken`, `invalid_request`, `rate_limited`…
   */
  signup(input: SignupInput): Promise<SignupResult>;
  /**
   * Signs in with email and password. Resolves to `{ status: 'signed_in', user }`, or, for an
   * account with a second factor, to `{ status: 'mfa_required', mfaToken, methods }`: no session
   * yet, call `verifyMfa` with the user's code. Rejects with `invalid_credentials`, `rate_limited`
   * (see `retryAfter`), `email_not_verified`, `network_error`…
   */
  login(input: LoginInput): Promise<LoginResult>;
  /**
   * The second step of a `mfa_required` login: the code of the authenticator app (`totp`) or a
   * recovery code (`recovery_code`, each works once). Resolves to the signed-in user. Rejects with
   * `invalid_mfa` (a wrong code: ask again with the same `mfaToken`), `invalid_grant` (the `mfaToken`
   * expired, was used, or took too many wrong codes: sign in again), `rate_limited`, `network_error`…
   */
  verifyMfa(input: MfaInput): Promise<SigilUser>;
  /** Signs out here and in every synced tab, then revokes the session at the server (best effort). */
  logout(): Promise<void>;
  /**
   * Renews the tokens now (joining a refresh already in flight) and resolves to the new access
   * token. Rejects with `not_logged_in`, `invalid_grant` (the client has then logged out),
   * `network_error`...
   */
  refresh(): Promise<string>;
  /** A valid access token, refreshed first when it is about to expire; null when logged out. */
  getAccessToken(): Promise<string | null>;
  /** `fetch` that authenticates requests to `apiOrigins` and recovers once from a 401. */
  fetch: typeof globalThis.fetch;
  /** The signed-in user, or null. */
  readonly user: SigilUser | null;
  /** When the access token expires, in epoch ms on this client's clock, or null. */
  readonly expiresAt: number | null;
  readonly isLoggedIn: boolean;
  /** Settles once the initial state is known (cookie mode restores asynchronously). Never rejects. */
  readonly ready: Promise<void>;
  /** Calls `listener` on every auth state change; returns the unsubscribe function. */
  subscribe(listener: AuthListener): () => void;
  /** Stops timers and cross-tab sync and drops listeners. The session itself is kept. */
  destroy(): void;
}

/** A client without `fetch`, from `createSigilSession`. */
export type SigilSession = Omit<SigilClient, 'fetch'>;

/**
 * Creates a Sigil browser client. Touches no browser global until called, so it imports under SSR.
 *
 * @example
 * const auth = createSigilClient({
 *   issuer: 'https://auth.example.com',
 *   apiOrigins: ['https://api.example.com'],
 *   storage: 'cookie',
 * });
 * const result = await auth.login({ email, password });
 * if (result.status === 'mfa_required') await auth.verifyMfa({ mfaToken: result.mfaToken, method: 'totp', code });
 * const lessons = await auth.fetch('https://api.example.com/api/lessons').then((r) => r.json());
 */
export function createSigilClient(options: SigilClientOptions): SigilClient {
  const opts = resolveOptions(withStrategyByName(options));
  const session = createSession(opts);
  // Added to the session object itself: a copy would freeze the values of its getters (`user`...).
  return Object.assign(session, { fetch: createAuthFetch(opts, session) });
}

/**
 * The names `'local'` and `'cookie'` as their strategies. Only `createSigilClient` takes names:
 * `createSigilSession` (and so @sigil/angular) takes the factories, so an app there includes the
 * code of the mode it uses only.
 */
function withStrategyByName(options: SigilClientOptions): SessionOptions {
  switch (options?.storage) {
    case 'local':
      return { ...options, storage: localSession() };
    case 'cookie':
      return { ...options, storage: cookieSession() };
    default:
      return options as SessionOptions;
  }
}

/**
 * `createSigilClient` without `fetch`, for @sigil/angular, whose interceptor attaches tokens to
 * `HttpClient` requests instead. Takes options already checked by `resolveCommonOptions` (as
 * `provideSigilAuth` did at startup), so they are not checked twice; `fetch`, `now`, `restore`,
 * `lockName` and `channelName` take their defaults.
 *
 * @example
 * const session = createSigilSession(resolveCommonOptions({ issuer, apiOrigins, storage: cookieSession() }));
 */
export function createSigilSession(options: CommonOptions): SigilSession {
  return createSession(sessionOptions(options));
}

/**
 * The client's session machinery (storage, refresh timer, single refresh across tabs, sync,
 * events) over `api`, the requests that obtain and renew its tokens: the Sigil token endpoints by
 * default, the OAuth token endpoint for `@sigil/client/redirect` (redirect-client.ts).
 */
export function createSession(opts: ResolvedOptions, api: AuthApi = createAuthApi(opts)): SigilSession {
  const listeners = createEmitter();
  const timer = oneTimer();
  const { now, issuer, cookie, refreshLeewayMs, storageKey } = opts;
  const local = opts.local?.open(storageKey, () => syncFromStorage());
  // localStorage or a custom adapter, which other tabs or clients may write to too. Memory (and
  // cookie mode) has no store at all: `session` below is the memory.
  const shared = opts.adapter ?? local?.adapter;
  const store = shared && createSessionStore(shared, storageKey, issuer);

  let session: Session | undefined = store?.read(now());
  // Bumped by every change of session (login, logout, another tab's session): a refresh that started
  // before one must not resurrect or overwrite the session when its answer arrives.
  let epoch = 0;
  let inflight: Promise<Session | undefined> | undefined;
  let destroyed = false;
  // Wakes the refresh waiting in `sessionChange`: there is at most one, refreshes being single-flight.
  let wakeOnChange: (() => void) | undefined;

  /**
   * Resolves on the next session change or after `ms`, whichever comes first. The other one then
   * resolves a settled promise, which does nothing: no need to cancel it.
   */
  const sessionChange = (ms: number) =>
    new Promise<void>((resolve) => {
      setTimeout(resolve, ms);
      wakeOnChange = resolve;
    });

  const expiring = (current: Session) => isExpiring(current, refreshLeewayMs, now());

  const channel = openSyncChannel(opts.channelName, onSyncMessage);

  const emit = (type: AuthEvent['type'], reason: AuthEventReason, error?: SigilClientError) =>
    // `error` is undefined but for `session_expired`.
    listeners.emit({ type, reason, user: session?.user ?? null, expiresAt: session?.expiresAt ?? null, error });

  /**
   * Makes `next` the current session, or logs out when it is undefined. `here` means this tab
   * decided it: the change is persisted and other tabs are told (else it came from elsewhere).
   */
  function setSession(next: Session | undefined, reason: AuthEventReason, here?: boolean, error?: SigilClientError): void {
    epoch++;
    const previous = session;
    session = next;
    if (here && store) {
      if (next) store.write(next);
      else store.clear();
    }
    // A cookie-mode tab that merely failed to restore had nothing to end: it must not log out others.
    if (here && (next || previous || reason === 'logout')) {
      channel.post(next ? { type: 'session', data: serializeSession(next, issuer) } : { type: 'logout' });
    }
    schedule();
    wakeOnChange?.();
    if (next) emit(previous?.user.id === next.user.id && (reason === 'refresh' || reason === 'sync') ? 'refresh' : 'login', reason);
    else if (previous) emit('logout', reason, error);
  }

  /** Shared storage is the truth other tabs write to: follow it when it differs from memory. */
  function syncFromStorage(): void {
    if (!store || destroyed) return;
    const stored = store.read(now());
    if (stored?.accessToken !== session?.accessToken) setSession(stored, 'sync');
  }

  function onSyncMessage(message: SyncMessage): void {
    if (destroyed) return;
    if (message.type === 'logout') {
      if (session) setSession(undefined, 'sync');
      return;
    }
    const incoming = parseStoredSession(message.data, issuer, now());
    // Messages may arrive late: never step back to an older session than the one we hold.
    if (incoming && incoming.accessToken !== session?.accessToken && !(session && incoming.receivedAt < session.receivedAt))
      setSession(incoming, 'sync');
  }

  function schedule(): void {
    timer.cancel();
    const current = session;
    if (!current || destroyed) return;
    timer.arm(proactiveDelay(current, refreshLeewayMs, now()), () => {
      if (session !== current) return;
      // Long delays are capped by the timer; a wake-up before the window just re-arms.
      if (!expiring(current)) return schedule();
      refreshShared(current.accessToken).catch((error: unknown) => {
        // Network trouble: try again later while the token still has life; requests will retry too.
        const left = current.expiresAt - now();
        if (session === current && !hasCode(error, 'invalid_grant') && left > 1000) timer.arm(Math.min(30_000, left / 2), schedule);
      });
    });
  }

  /**
   * The single refresh. In this tab, every caller joins the promise in flight; across tabs, the
   * Web Lock queues them. Whoever gets the lock after a refresh finds a session newer than the
   * `stale` token it wanted to replace (from shared storage or a broadcast) and uses it instead of
   * presenting the already-rotated refresh token again.
   */
  const refreshShared = (stale: string | undefined): Promise<Session | undefined> =>
    (inflight ??= withLock(opts.lockName, (waited) => refreshLocked(stale, waited)).finally(() => (inflight = undefined)));

  async function refreshLocked(stale: string | undefined, waited: boolean): Promise<Session | undefined> {
    syncFromStorage();
    // We queued behind another tab, which broadcasts its new session before releasing the lock.
    // Without shared storage that message is our only way to learn of it: give it a moment.
    if (waited && !store && session?.accessToken === stale) await sessionChange(BROADCAST_WAIT_MS);
    const current = session;
    if (current ? current.accessToken !== stale && !expiring(current) : stale !== undefined || !cookie) return current;
    const startEpoch = epoch;
    try {
      const next = await api.refresh(current?.refreshToken);
      if (epoch !== startEpoch || destroyed) return session; // a login/logout overtook us
      setSession(next, current ? 'refresh' : 'restore', true);
      return next;
    } catch (error) {
      if (hasCode(error, 'invalid_grant')) {
        // Without Web Locks another tab may have rotated the token under us: take its result.
        syncFromStorage();
        if (session && session.accessToken !== current?.accessToken) return session;
        if (epoch === startEpoch) setSession(undefined, 'session_expired', true, error);
      }
      throw error;
    }
  }

  async function getAccessToken(): Promise<string | null> {
    await ready;
    const current = session;
    if (!current) return null;
    // A refresh under way is joined: no request should go out with the token it is replacing.
    if (!inflight && !expiring(current)) return current.accessToken;
    try {
      return (await refreshShared(current.accessToken))?.accessToken ?? null;
    } catch (error) {
      if (hasCode(error, 'invalid_grant')) return null;
      // Could not refresh (offline?): a token still inside its lifetime is better than none.
      if (session === current && now() < current.expiresAt) return current.accessToken;
      throw error;
    }
  }

  // Cookie mode restores the session at startup: the browser may hold a refresh cookie.
  const ready: Promise<void> = (opts.restore && !session && api.restore?.(() => refreshShared(undefined))) || Promise.resolve();
  schedule();

  /**
   * A sign-in's new session (login, second factor, an entry point's passkey): set, shared with the
   * other tabs, announced.
   */
  const signIn = (next: Session): SigilUser => (setSession(next, 'login', true), next.user);

  // Only the fields the server expects are sent, whatever else the caller's object holds.
  const client: SigilSession = {
    async signup({ email, password, name }) {
      const { user, session: next } = await api.signup({ email, password, name });
      if (next) setSession(next, 'signup', true);
      return { user, verificationRequired: !next };
    },
    async login({ email, password }) {
      const next = await api.login({ email, password });
      // `mfa_required`: no session yet, the second factor comes first.
      return 'status' in next ? next : { status: 'signed_in', user: signIn(next) };
    },
    async verifyMfa({ mfaToken, method, code }) {
      return signIn(await api.verifyMfa({ mfa_token: mfaToken, method, code }));
    },
    async logout() {
      const current = session;
      setSession(undefined, 'logout', true);
      // Local state is gone whatever happens next; revoking at the server is best effort.
      if (cookie || current?.refreshToken) await api.logout(current?.refreshToken).catch(() => {});
    },
    async refresh() {
      await ready;
      const current = session;
      // Only cookie mode can start from nothing: the browser may hold a refresh cookie.
      const next = current || cookie ? await refreshShared(current?.accessToken) : undefined;
      if (!next) throw new SigilClientError('not_logged_in', 'No session to refresh');
      return next.accessToken;
    },
    getAccessToken,
    get user() {
      return session?.user ?? null;
    },
    get expiresAt() {
      return session?.expiresAt ?? null;
    },
    get isLoggedIn() {
      return !!session;
    },
    ready,
    subscribe: listeners.subscribe,
    destroy() {
      destroyed = true;
      timer.cancel();
      channel.close();
      listeners.clear();
      local?.close();
    },
  };
  bindRequests(client, api.requests, signIn);
  return client;
}
