import { createSigilClient, memoryStorage, type SigilClient } from '@sigil/client';
import { createSigilRedirectClient, type SigilRedirectClient, type SigilRedirectClientOptions } from '@sigil/client/redirect';

export const ISSUER = 'http://auth.test';
export const API = 'http://api.test';
/** The redirect flow's app (another site than the auth server) and its callback page. */
export const APP = 'http://app.test';
export const CALLBACK = `${APP}/auth/callback`;

/** A user as the auth server returns it. */
export const ALICE = {
  id: '6f1c1f59-4f7e-4d0e-9a8b-0c1d2e3f4a5b',
  email: 'alice@example.com',
  name: 'Alice',
  roles: ['admin'],
  email_verified: false,
};
export const BOB = {
  id: '7a2d2a6a-5a8f-4e1f-8b9c-1d2e3f4a5b6c',
  email: 'bob@example.com',
  name: 'Bob',
  roles: [] as string[],
  email_verified: true,
};

/** A user with TOTP: her password answers `mfa_required`, then `MFA.code` or a recovery code signs her in. */
export const CAROL = {
  id: '8b3e3b7b-6b9a-4f2a-9cad-2e3f4a5b6c7d',
  email: 'carol@example.com',
  name: 'Carol',
  roles: [] as string[],
  email_verified: true,
};

/** The second factor of the fake server: the TOTP code it accepts, Carol's recovery codes, the enrolment it hands out. */
export const MFA = {
  password: 'staple battery',
  code: '123456',
  recoveryCodes: Array.from({ length: 10 }, (_, i) => `rc-${i}`),
  secret: 'JBSWY3DPEHPK3PXP',
  otpauthUrl: 'otpauth://totp/Sigil:alice%40example.com?secret=JBSWY3DPEHPK3PXP&issuer=Sigil',
  qrSvg: '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 21 21"><path d="M0 0h7v7H0z"/></svg>',
};

/** An API's step-up refusal (RFC 9470), as @sigil/express answers `requireAuthLevel({ amr: ['mfa'], maxAge: 300 })`. */
export const STEP_UP = {
  challenge:
    'Bearer realm="sigil", error="insufficient_user_authentication", error_description="A stronger authentication method is required", max_age=300',
  body: {
    type: 'https://sigil.dev/errors/insufficient_user_authentication',
    title: 'Stronger or more recent authentication required',
    status: 401,
    detail: 'A stronger authentication method is required',
    code: 'insufficient_user_authentication',
  },
};

/** The passkey ceremony of the fake server: the options it hands out, the credential its browser stub makes. */
export const PASSKEY = {
  credentialId: 'Y3JlZC0x',
  creationOptions: {
    challenge: 'cmVnaXN0ZXItY2hhbGxlbmdl',
    rp: { id: 'auth.test', name: 'Sigil' },
    user: { id: 'dXNlci1oYW5kbGU', name: 'alice@example.com', displayName: 'Alice' },
    pubKeyCredParams: [{ alg: -7, type: 'public-key' }],
    timeout: 300_000,
    attestation: 'none',
    excludeCredentials: [],
    authenticatorSelection: { residentKey: 'required', requireResidentKey: true, userVerification: 'required' },
  },
  requestOptions: {
    challenge: 'bG9naW4tY2hhbGxlbmdl',
    rpId: 'auth.test',
    allowCredentials: [],
    userVerification: 'required',
    timeout: 300_000,
  },
};

/** The tokens of the links the fake server "mails": each accepted once. */
export const LINKS = { verify: 'verify-token', reset: 'reset-token' };

/** The sessions `GET /auth/sessions` lists for anyone signed in; `s-1` is the current one. */
export const SESSIONS = [
  {
    id: 's-1',
    created_at: '2026-01-02T10:00:00.000Z',
    last_used_at: '2026-01-03T09:30:00.000Z',
    user_agent: 'Mozilla/5.0 (X11; Linux x86_64) Firefox/140.0',
    current: true,
  },
  { id: 's-2', created_at: '2026-01-01T08:00:00.000Z', last_used_at: '2026-01-01T08:05:00.000Z', user_agent: null, current: false },
];

/**
 * The auth server's token and account endpoints as a `fetch`, speaking its wire format (docs/server.md), so the tests
 * drive the real `@sigil/client` rather than a stand-in. Access tokens are `at-1`, `at-2`, ...
 */
export function fakeAuthServer() {
  let issued = 0;
  const users = new Map([
    // Copies: a test that verifies Alice's address must not change the next test's Alice.
    [ALICE.email, { user: { ...ALICE }, password: 'correct horse' }],
    [BOB.email, { user: { ...BOB }, password: 'battery staple' }],
    [CAROL.email, { user: { ...CAROL }, password: MFA.password }],
  ]);
  /** The `mfa_token`s of password steps not yet completed; each works once. */
  const mfaTokens = new Map<string, typeof ALICE>();
  const usedRecoveryCodes = new Set<string>();
  const refreshTokens = new Map<string, typeof ALICE>();
  const accessTokens = new Map<string, typeof ALICE>();
  const usedLinks = new Set<string>();
  /** Registered passkeys by credential ID, with their owner. */
  const passkeys = new Map<
    string,
    { view: { id: string; name: string; created_at: string; last_used_at: string | null }; user: typeof ALICE }
  >();
  const state = {
    /** Every body posted to the passkey endpoints (`POST /auth/passkeys/...`), by path. */
    passkeyCalls: [] as Array<{ path: string; body: Record<string, unknown> }>,
    /** `SIGIL_EMAIL_VERIFICATION=required`: signup answers the user without tokens. */
    verificationRequired: false,
    /** Every `POST /auth/mfa/verify` body, in order. */
    mfaVerifyCalls: [] as Array<Record<string, string>>,
    /** Every account call (method, path, JSON body), in order. */
    accountCalls: [] as Array<{ method: string; path: string; body: Record<string, string> }>,
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
    /** The redirect flow: every form posted to `/oauth/token`, in order. */
    tokenCalls: [] as Array<Record<string, string>>,
    /** Every form posted to `/oauth/revoke`. */
    revokeCalls: [] as Array<Record<string, string>>,
    /** Where redirect clients of `redirectClient()` sent the browser (authorize, end-session URLs). */
    navigations: [] as string[],
  };
  /** Authorization codes not yet exchanged, with what the authorization request said. */
  const codes = new Map<string, { user: typeof ALICE; clientId: string; redirectUri: string; challenge: string; nonce: string }>();
  /** Refresh tokens of the redirect flow's sessions, with their client. */
  const oauthRefresh = new Map<string, { user: typeof ALICE; clientId: string }>();

  /** The token endpoint's answer (RFC 6749 5.1), with Sigil's JWT access token and an ID token. */
  function oauthTokens(user: typeof ALICE, clientId: string, nonce?: string): Response {
    issued++;
    const refresh = `ort-${issued}`;
    oauthRefresh.set(refresh, { user, clientId });
    state.lastAccessToken = unsignedJwt({ iss: ISSUER, sub: user.id, client_id: clientId, roles: user.roles, n: issued });
    accessTokens.set(state.lastAccessToken, user);
    const idToken = unsignedJwt({
      iss: ISSUER,
      aud: clientId,
      sub: user.id,
      email: user.email,
      email_verified: user.email_verified,
      name: user.name,
      sid: 'sid-1',
      ...(nonce ? { nonce } : {}),
    });
    return json(200, {
      access_token: state.lastAccessToken,
      token_type: 'Bearer',
      expires_in: 900,
      refresh_token: refresh,
      id_token: idToken,
    });
  }

  /** `/oauth/token`: the code (with its PKCE verifier) and refresh grants of a public client. */
  async function tokenEndpoint(form: Record<string, string>): Promise<Response> {
    state.tokenCalls.push(form);
    const clientId = form['client_id'] ?? '';
    if (form['grant_type'] === 'authorization_code') {
      const code = codes.get(form['code'] ?? '');
      codes.delete(form['code'] ?? '');
      if (!code || code.clientId !== clientId || code.redirectUri !== form['redirect_uri']) return oauthError(400, 'invalid_grant');
      if ((await s256(form['code_verifier'] ?? '')) !== code.challenge) return oauthError(400, 'invalid_grant');
      return oauthTokens(code.user, clientId, code.nonce);
    }
    if (form['grant_type'] === 'refresh_token') {
      state.refreshCalls++;
      await state.holdRefresh;
      const session = oauthRefresh.get(form['refresh_token'] ?? '');
      oauthRefresh.delete(form['refresh_token'] ?? '');
      if (state.refuseRefresh || !session || session.clientId !== clientId) return oauthError(400, 'invalid_grant');
      return oauthTokens(session.user, clientId);
    }
    return oauthError(400, 'unsupported_grant_type');
  }

  function tokens(user: typeof ALICE, status = 200): Response {
    issued++;
    const refresh = `rt-${issued}`;
    refreshTokens.set(refresh, user);
    state.lastAccessToken = `at-${issued}`;
    accessTokens.set(state.lastAccessToken, user);
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
    const form = init?.body instanceof URLSearchParams ? Object.fromEntries(init.body) : undefined;
    const body = form ?? (init?.body ? (JSON.parse(String(init.body)) as Record<string, string>) : {});
    switch (url.pathname) {
      case '/.well-known/openid-configuration':
        return json(200, {
          issuer: ISSUER,
          authorization_endpoint: `${ISSUER}/oauth/authorize`,
          token_endpoint: `${ISSUER}/oauth/token`,
          revocation_endpoint: `${ISSUER}/oauth/revoke`,
          end_session_endpoint: `${ISSUER}/oauth/logout`,
          authorization_response_iss_parameter_supported: true,
        });
      case '/oauth/token':
        return tokenEndpoint(body);
      case '/oauth/revoke':
        state.revokeCalls.push(body);
        oauthRefresh.delete(body['token'] ?? '');
        return new Response(null, { status: 200 });
      case '/auth/login': {
        const entry = users.get(body['email'] ?? '');
        if (entry === undefined || entry.password !== body['password']) return problem(401, 'invalid_credentials');
        if (entry.user.email !== CAROL.email) return tokens(entry.user);
        const mfaToken = `mfa-${mfaTokens.size + 1}`;
        mfaTokens.set(mfaToken, entry.user);
        return problem(403, 'mfa_required', {}, { mfa_token: mfaToken, methods: ['totp', 'recovery_code'] });
      }
      case '/auth/mfa/verify': {
        state.mfaVerifyCalls.push(body);
        const user = mfaTokens.get(body['mfa_token'] ?? '');
        const right =
          body['method'] === 'totp'
            ? body['code'] === MFA.code
            : body['method'] === 'recovery_code' && MFA.recoveryCodes.includes(body['code'] ?? '') && !usedRecoveryCodes.has(body['code']!);
        // As the real server: an unknown or used token is the grant's fault, a wrong code the user's.
        if (!user) return problem(400, 'invalid_grant');
        if (!right) return problem(401, 'invalid_mfa');
        mfaTokens.delete(body['mfa_token']!);
        if (body['method'] === 'recovery_code') usedRecoveryCodes.add(body['code']!);
        return tokens(user);
      }
      case '/auth/passkeys/login/options':
        state.passkeyCalls.push({ path: url.pathname, body });
        return json(200, PASSKEY.requestOptions);
      case '/auth/passkeys/login': {
        state.passkeyCalls.push({ path: url.pathname, body });
        const response = body['response'] as unknown as { id?: string } | undefined;
        const passkey = passkeys.get(response?.id ?? '');
        if (!passkey) return problem(401, 'invalid_credentials');
        if (body['mfa_token'] !== undefined) {
          if (mfaTokens.get(body['mfa_token']) !== passkey.user) return problem(400, 'invalid_grant');
          mfaTokens.delete(body['mfa_token']);
        }
        passkey.view.last_used_at = '2026-01-04T12:00:00.000Z';
        return tokens(passkey.user);
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
      case '/auth/signup': {
        const user = {
          id: 'a3c1b9e0-1d2e-4f5a-8b6c-7d8e9f0a1b2c',
          email: body['email'] ?? '',
          name: body['name'] ?? null,
          roles: [],
          email_verified: false,
        };
        if (users.has(user.email)) return problem(409, 'email_taken');
        users.set(user.email, { user: user as typeof ALICE, password: body['password'] ?? '' });
        return state.verificationRequired ? json(201, { user, email_verification_required: true }) : tokens(user as typeof ALICE, 201);
      }
      default:
        return account(init?.method ?? 'GET', url.pathname, body, new Headers(init?.headers).get('authorization'));
    }
  };

  /** The account endpoints (docs/server.md), with the Bearer check of the real ones. */
  function account(method: string, path: string, body: Record<string, string>, authorization: string | null): Response {
    state.accountCalls.push({ method, path, body });
    const caller = accessTokens.get(authorization?.replace(/^Bearer /, '') ?? '');
    const entry = caller && users.get(caller.email);
    const link = (token: string | undefined, valid: string) => {
      if (token !== valid || usedLinks.has(token)) return false;
      usedLinks.add(token);
      return true;
    };
    const empty = (status: number) => new Response(null, { status });
    switch (`${method} ${path}`) {
      case 'POST /auth/email/verify': {
        if (!body['token']) return problem(400, 'invalid_request');
        if (!link(body['token'], LINKS.verify)) return problem(400, 'invalid_grant');
        const alice = users.get(ALICE.email)!.user;
        alice.email_verified = true;
        return json(200, { user: alice });
      }
      case 'POST /auth/password/forgot':
        return body['email']?.includes('@') ? empty(202) : problem(400, 'invalid_request');
      case 'POST /auth/password/reset':
        if ((body['new_password'] ?? '').length < 8) return problem(400, 'invalid_request');
        if (!link(body['token'], LINKS.reset)) return problem(400, 'invalid_grant');
        refreshTokens.clear();
        accessTokens.clear();
        return empty(204);
    }
    if (!entry) return problem(401, 'invalid_token');
    switch (`${method} ${path}`) {
      case 'POST /auth/email/verification':
        return empty(202);
      case 'POST /auth/email/change':
        if (body['password'] !== entry.password) return wrongPassword('password');
        return users.has(body['new_email'] ?? '') ? problem(409, 'email_taken') : empty(202);
      case 'POST /auth/password':
        if (body['current_password'] !== entry.password || (body['new_password'] ?? '').length < 8) return problem(400, 'invalid_request');
        entry.password = body['new_password']!;
        return empty(204);
      case 'DELETE /auth/account':
        if (body['password'] !== entry.password) return wrongPassword('password');
        users.delete(entry.user.email);
        return empty(204);
      case 'GET /auth/sessions':
        return json(200, { sessions: SESSIONS });
      case 'DELETE /auth/sessions/s-2':
        return empty(204);
      case 'GET /auth/mfa':
        return json(200, { methods: [], totp: 'off', recovery_codes_remaining: 0 });
      case 'POST /auth/mfa/totp':
        return json(200, { secret: MFA.secret, otpauth_url: MFA.otpauthUrl, qr_svg: MFA.qrSvg });
      case 'POST /auth/mfa/totp/confirm':
        return body['code'] === MFA.code ? json(200, { recovery_codes: MFA.recoveryCodes }) : problem(400, 'invalid_mfa');
      case 'DELETE /auth/mfa/totp':
        return body['password'] === entry.password ? empty(204) : wrongPassword('password');
      case 'POST /auth/passkeys/registration/options':
        return json(200, PASSKEY.creationOptions);
      case 'POST /auth/passkeys/registration': {
        state.passkeyCalls.push({ path, body });
        const response = body['response'] as unknown as { id?: string } | undefined;
        if (!response?.id || passkeys.has(response.id)) return problem(400, 'invalid_request');
        const view = {
          id: `pk-${passkeys.size + 1}`,
          name: body['name'] ?? `Passkey ${passkeys.size + 1}`,
          created_at: '2026-01-04T10:00:00.000Z',
          last_used_at: null,
        };
        passkeys.set(response.id, { view, user: entry.user });
        return json(201, { passkey: view });
      }
      case 'GET /auth/passkeys':
        return json(200, { passkeys: [...passkeys.values()].filter((p) => p.user === entry.user).map((p) => p.view) });
      case 'POST /auth/mfa/recovery-codes':
        return body['password'] === entry.password
          ? json(200, { recovery_codes: MFA.recoveryCodes.map((c) => `new-${c}`) })
          : wrongPassword('password');
    }
    const own = [...passkeys.entries()].find(([, p]) => p.user === entry.user && path === `/auth/passkeys/${p.view.id}`);
    if (own && method === 'PATCH') {
      if (!body['name']) return problem(400, 'invalid_request');
      own[1].view.name = body['name'];
      return json(200, { passkey: own[1].view });
    }
    if (own && method === 'DELETE') {
      passkeys.delete(own[0]);
      return empty(204);
    }
    return problem(404, 'not_found');
  }

  /** A real client talking to this server. */
  function client(): SigilClient {
    return createSigilClient({ issuer: ISSUER, apiOrigins: [API, ISSUER], fetch });
  }

  /** A real redirect-flow client (`sigil-demo`-like public client `app`) of this server, in a tab of its own. */
  function redirectClient(options: Partial<SigilRedirectClientOptions> = {}): SigilRedirectClient {
    return createSigilRedirectClient({
      issuer: ISSUER,
      apiOrigins: [API, ISSUER],
      clientId: 'app',
      redirectUri: CALLBACK,
      fetch,
      transactionStorage: memoryStorage(),
      navigate: (url) => void state.navigations.push(url),
      ...options,
    });
  }

  /**
   * The user's part on the auth server's pages: signs `user` in for the authorization request
   * `authorizeUrl` and returns where the server sends the browser back (the redirect URI with
   * `code`, `state` and `iss`).
   */
  function authorize(authorizeUrl: string, user: typeof ALICE = ALICE): string {
    const request = new URL(authorizeUrl).searchParams;
    const code = `code-${codes.size + 1}-${issued}`;
    codes.set(code, {
      user,
      clientId: request.get('client_id') ?? '',
      redirectUri: request.get('redirect_uri') ?? '',
      challenge: request.get('code_challenge') ?? '',
      nonce: request.get('nonce') ?? '',
    });
    const back = new URL(request.get('redirect_uri') ?? '');
    back.search = new URLSearchParams({ code, state: request.get('state') ?? '', iss: ISSUER }).toString();
    return back.href;
  }

  return { state, fetch, client, redirectClient, authorize };
}

/** A JWT whose claims the client reads (it verifies no signature of a token from the token endpoint). */
function unsignedJwt(claims: object): string {
  const part = (value: object) => btoa(JSON.stringify(value)).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
  return `${part({ alg: 'RS256', typ: 'JWT' })}.${part(claims)}.sig`;
}

/** The S256 challenge of a PKCE verifier (RFC 7636 4.2). */
async function s256(verifier: string): Promise<string> {
  const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(verifier)));
  return btoa(String.fromCharCode(...digest))
    .replace(/\+/g, '-')
    .replace(/\//g, '_')
    .replace(/=+$/, '');
}

/** An OAuth error answer (RFC 6749 5.2). */
function oauthError(status: number, error: string): Response {
  return json(status, { error, error_description: `${error} (fake server)` });
}

function json(status: number, body: unknown): Response {
  return new Response(JSON.stringify(body), { status, headers: { 'Content-Type': 'application/json' } });
}

/** A wrong password where an action confirms it: 400 `invalid_request` naming the field, as the server answers. */
function wrongPassword(field: string): Response {
  const body = {
    type: 'about:blank',
    title: 'Invalid request',
    status: 400,
    code: 'invalid_request',
    errors: [{ path: field, message: 'incorrect password' }],
  };
  return new Response(JSON.stringify(body), { status: 400, headers: { 'Content-Type': 'application/problem+json' } });
}

function problem(status: number, code: string, headers: Record<string, string> = {}, extra: object = {}): Response {
  return new Response(JSON.stringify({ type: 'about:blank', title: code, status, code, ...extra }), {
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
