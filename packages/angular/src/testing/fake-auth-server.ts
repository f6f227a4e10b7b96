import { createSigilClient, type SigilClient } from '@sigil/client';

export const ISSUER = 'http://auth.test';
export const API = 'http://api.test';

/** A user as the auth server returns it. */
export const ALICE = { id: '6f1c1f59-4f7e-4d0e-9a8b-0c1d2e3f4a5b', email: 'alice@example.com', name: 'Alice', roles: ['admin'] };
export const BOB = { id: '7a2d2a6a-5a8f-4e1f-8b9c-1d2e3f4a5b6c', email: 'bob@example.com', name: 'Bob', roles: [] as string[] };

/**
 * The auth server's token endpoints as a `fetch`, speaking its wire format (docs/server.md), so the tests
 * drive the real `@sigil/client` rather than a stand-in. Access tokens are `at-1`, `at-2`, ...
 */
export function fakeAuthServer() {
  let issued = 0;
  const users = new Map([
    [ALICE.email, { user: ALICE, password: 'correct horse' }],
    [BOB.email, { user: BOB, password: 'battery staple' }],
  ]);
  const refreshTokens = new Map<string, typeof ALICE>();
  const state = {
    refreshCalls: 0,
    logoutCalls: 0,
    /** When set, /auth/refresh answers 401 invalid_grant. */
    refuseRefresh: false,
    /** When set, /auth/refresh cannot be reached (fetch rejects, as it does offline). */
    refreshUnreachable: false,
    /** When set, /auth/refresh answers 503 unavailable (storage down), with `Retry-After: 1`. */
    refreshUnavailable: false,
    /** When set, /auth/refresh waits for this promise before answering. */
    holdRefresh: undefined as Promise<void> | undefined,
    lastAccessToken: '',
  };

  function tokens(user: typeof ALICE, status = 200): Response {
    issued++;
    const refresh = `rt-${issued}`;
    refreshTokens.set(refresh, user);
    state.lastAccessToken = `at-${issued}`;
    const body = {
      access_token: state.lastAccessToken,
      token_type: 'Bearer',
      expires_in: 900,
      expires_at: 0,
      refresh_token: refresh,
      user,
    };
    return json(status, body);
  }

  const fetch: typeof globalThis.fetch = async (input, init) => {
    const url = new URL(String(input));
    const body = init?.body ? (JSON.parse(String(init.body)) as Record<string, string>) : {};
    switch (url.pathname) {
      case '/auth/login': {
        const entry = users.get(body['email'] ?? '');
        if (entry === undefined || entry.password !== body['password']) return problem(401, 'invalid_credentials');
        return tokens(entry.user);
      }
      case '/auth/refresh': {
        state.refreshCalls++;
        await state.holdRefresh;
        if (state.refreshUnreachable) throw new TypeError('Failed to fetch');
        if (state.refreshUnavailable) return problem(503, 'unavailable', { 'Retry-After': '1' });
        const user = refreshTokens.get(body['refresh_token'] ?? '');
        refreshTokens.delete(body['refresh_token'] ?? '');
        if (state.refuseRefresh || user === undefined) return problem(401, 'invalid_grant');
        return tokens(user);
      }
      case '/auth/logout':
        state.logoutCalls++;
        refreshTokens.delete(body['refresh_token'] ?? '');
        return new Response(null, { status: 204 });
      default:
        return problem(404, 'not_found');
    }
  };

  /** A real client talking to this server. */
  function client(): SigilClient {
    return createSigilClient({ issuer: ISSUER, apiOrigins: [API, ISSUER], fetch });
  }

  return { state, fetch, client };
}

function json(status: number, body: unknown): Response {
  return new Response(JSON.stringify(body), { status, headers: { 'Content-Type': 'application/json' } });
}

function problem(status: number, code: string, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify({ type: 'about:blank', title: code, status, code }), {
    status,
    headers: { 'Content-Type': 'application/problem+json', ...headers },
  });
}

/** A promise with its resolve function, to hold a fake response until the test lets it go. */
export function deferred(): { promise: Promise<void>; resolve: () => void } {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
}

/** `vi.waitFor` with room for a loaded 2-core CI machine. */
export function eventually<T>(check: () => T | Promise<T>): Promise<T> {
  return vi.waitFor(check, { timeout: 10_000, interval: 5 });
}
