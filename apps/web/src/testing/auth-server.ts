import { TestBed } from '@angular/core/testing';
import { provideRouter, type Routes } from '@angular/router';
import { RouterTestingHarness } from '@angular/router/testing';
import { createSigilClient, memoryStorage, type SigilClient } from '@sigil/client';
import { createSigilRedirectClient } from '@sigil/client/redirect';
import { AuthService, provideSigilAuth } from '@sigil/angular';
import { provideSigilAuth as provideSigilRedirectAuth } from '@sigil/angular/redirect';

export const ISSUER = 'http://auth.test';
export const PASSWORD = 'the right password';
export const USER = { id: 'u1', email: 'demo@sigil.dev', name: 'Demo User', roles: [] as string[], email_verified: false };

/** One request the pages made to the auth server. */
export interface Call {
  method: string;
  path: string;
  body: Record<string, unknown>;
  authorization: string | null;
}

/**
 * The auth server as a `fetch`, for the pages' specs: it signs `USER` in with `PASSWORD`, answers
 * every other endpoint with its documented success (202, 204, the sessions list), and a test
 * makes one answer something else with `answer('POST /auth/password/reset', 400, 'invalid_grant')`.
 * Every request is recorded in `calls`.
 */
export function fakeAuthServer() {
  const calls: Call[] = [];
  const overrides = new Map<string, () => Response>();
  let issued = 0;
  const user = { ...USER };
  let totp: 'off' | 'pending' | 'on' = 'off';
  let recoveryBatch = 0;
  /** The account's passkeys (their views); the browser stub's one credential signs in while any is left. */
  const passkeys: { id: string; name: string; created_at: string; last_used_at: string | null }[] = [];

  const tokens = (status = 200) =>
    json(status, {
      access_token: `at-${++issued}`,
      token_type: 'Bearer',
      expires_in: 900,
      expires_at: 0,
      refresh_token: `rt-${issued}`,
      user,
    });

  const fetch: typeof globalThis.fetch = async (input, init) => {
    const url = new URL(String(input));
    const method = init?.method ?? 'GET';
    const body = (init?.body ? JSON.parse(String(init.body)) : {}) as Record<string, unknown>;
    calls.push({ method, path: url.pathname, body, authorization: new Headers(init?.headers).get('authorization') });
    const override = overrides.get(`${method} ${url.pathname}`);
    if (override) return override();
    switch (`${method} ${url.pathname}`) {
      // The redirect flow's discovery (the sign-in page only needs the authorization endpoint).
      case 'GET /.well-known/openid-configuration':
        return json(200, {
          issuer: ISSUER,
          authorization_endpoint: `${ISSUER}/oauth/authorize`,
          token_endpoint: `${ISSUER}/oauth/token`,
          authorization_response_iss_parameter_supported: true,
        });
      case 'POST /auth/login':
        return body['password'] === PASSWORD ? tokens() : problem(401, 'invalid_credentials');
      case 'POST /auth/signup':
        return tokens(201);
      case 'POST /auth/refresh':
        return tokens();
      case 'POST /auth/email/verify':
        user.email_verified = true;
        return json(200, { user });
      case 'GET /auth/sessions':
        return json(200, { sessions: SESSIONS });
      case 'GET /auth/mfa':
        return json(200, {
          methods: totp === 'on' ? ['totp', 'recovery_code'] : [],
          totp,
          recovery_codes_remaining: totp === 'on' ? 10 : 0,
        });
      case 'POST /auth/mfa/totp':
        totp = 'pending';
        return json(200, { secret: TOTP_SECRET, otpauth_url: `otpauth://totp/Sigil:${user.email}?secret=${TOTP_SECRET}`, qr_svg: QR_SVG });
      case 'POST /auth/mfa/totp/confirm':
        if (body['code'] !== TOTP_CODE) return problem(400, 'invalid_mfa');
        totp = 'on';
        return json(200, { recovery_codes: recoveryCodes(++recoveryBatch) });
      case 'POST /auth/mfa/recovery-codes':
        return json(200, { recovery_codes: recoveryCodes(++recoveryBatch) });
      case 'DELETE /auth/mfa/totp':
        totp = 'off';
        return new Response(null, { status: 204 });
      case 'POST /auth/passkeys/registration/options':
        return json(200, PASSKEY_OPTIONS.creation);
      case 'POST /auth/passkeys/registration': {
        const passkey = {
          id: `pk-${passkeys.length + 1}`,
          name: String(body['name'] ?? `Passkey ${passkeys.length + 1}`),
          created_at: '2026-03-01T09:00:00.000Z',
          last_used_at: null,
        };
        passkeys.push(passkey);
        return json(201, { passkey });
      }
      case 'GET /auth/passkeys':
        return json(200, { passkeys });
      case 'POST /auth/passkeys/login/options':
        return json(200, PASSKEY_OPTIONS.request);
      case 'POST /auth/passkeys/login':
        return passkeys.length > 0 ? tokens() : problem(401, 'invalid_credentials');
      case 'POST /auth/logout':
      case 'POST /auth/password':
      case 'POST /auth/password/reset':
      case 'DELETE /auth/account':
        return new Response(null, { status: 204 });
      default:
        if (url.pathname.startsWith('/auth/sessions/')) return new Response(null, { status: 204 });
        if (url.pathname.startsWith('/auth/passkeys/')) {
          const index = passkeys.findIndex((p) => url.pathname === `/auth/passkeys/${p.id}`);
          if (index === -1) return problem(404, 'not_found');
          if (method === 'DELETE') return (passkeys.splice(index, 1), new Response(null, { status: 204 }));
          passkeys[index] = { ...passkeys[index]!, name: String(body['name']) };
          return json(200, { passkey: passkeys[index] });
        }
        return new Response(null, { status: 202 });
    }
  };

  return {
    calls,
    /** The calls to `path` (with any method), in order. */
    callsTo: (path: string) => calls.filter((call) => call.path === path),
    /** From now on, `route` ("METHOD /path") answers a wrong password as the server does: 400 naming `field`. */
    wrongPassword(route: string, field = 'password') {
      overrides.set(route, () =>
        json(400, {
          type: 'about:blank',
          title: 'Invalid request',
          status: 400,
          code: 'invalid_request',
          errors: [{ path: field, message: 'incorrect password' }],
        }),
      );
    },
    /** From now on, `route` ("METHOD /path") answers `status` with `code` (problem+json) or `body`. */
    answer(route: string, status: number, codeOrBody?: string | object, headers: Record<string, string> = {}) {
      overrides.set(route, () =>
        typeof codeOrBody === 'string'
          ? problem(status, codeOrBody, headers)
          : codeOrBody
            ? json(status, codeOrBody)
            : new Response(null, { status }),
      );
    },
    /** Adds a passkey to the account, as if registered earlier. */
    addPasskey: (name: string) =>
      void passkeys.push({
        id: `pk-${passkeys.length + 1}`,
        name,
        created_at: '2026-02-01T09:00:00.000Z',
        last_used_at: '2026-02-02T10:00:00.000Z',
      }),
    /** The user's address counts as verified from now on. */
    verify: () => void (user.email_verified = true),
    fetch,
  };
}
export type FakeAuthServer = ReturnType<typeof fakeAuthServer>;

/** The WebAuthn options the fake server hands out (the browser stub does not check them). */
const PASSKEY_OPTIONS = {
  creation: {
    challenge: 'cmVnaXN0ZXItY2hhbGxlbmdl',
    rp: { id: 'auth.test', name: 'Sigil' },
    user: { id: 'dXNlci1oYW5kbGU', name: USER.email, displayName: USER.name },
    pubKeyCredParams: [{ alg: -7, type: 'public-key' }],
    timeout: 300_000,
    attestation: 'none',
    excludeCredentials: [],
    authenticatorSelection: { residentKey: 'required', requireResidentKey: true, userVerification: 'required' },
  },
  request: { challenge: 'bG9naW4tY2hhbGxlbmdl', rpId: 'auth.test', allowCredentials: [], userVerification: 'required', timeout: 300_000 },
};

/** The TOTP enrolment the fake server hands out, and the one code it accepts to confirm it. */
export const TOTP_SECRET = 'JBSWY3DPEHPK3PXP';
export const TOTP_CODE = '123456';
/** A QR code stand-in with a script in it: the page must show it as an image, never run it. */
export const QR_SVG =
  '<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><script>window.qrRan = true</script><rect width="10" height="10"/></svg>';
/** Batch `n` of recovery codes: distinct per batch so a test sees the new ones replace the old. */
export const recoveryCodes = (n: number) => Array.from({ length: 10 }, (_, i) => `code-${n}-${i}`);

/** The sessions the fake server lists: this browser (current) and a phone. */
export const SESSIONS = [
  {
    id: 's-this',
    created_at: '2026-03-01T09:00:00.000Z',
    last_used_at: '2026-03-02T10:30:00.000Z',
    user_agent: 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/140.0.0.0 Safari/537.36',
    current: true,
  },
  {
    id: 's-phone',
    created_at: '2026-02-20T18:00:00.000Z',
    last_used_at: '2026-02-21T07:15:00.000Z',
    user_agent:
      'Mozilla/5.0 (iPhone; CPU iPhone OS 18_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.0 Mobile/15E148 Safari/604.1',
    current: false,
  },
];

function json(status: number, body: unknown): Response {
  return new Response(JSON.stringify(body), { status, headers: { 'Content-Type': 'application/json' } });
}

function problem(status: number, code: string, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify({ type: 'about:blank', title: code, status, code }), {
    status,
    headers: { 'Content-Type': 'application/problem+json', ...headers },
  });
}

/**
 * A page under test: the app's real Sigil setup against the fake server, routed by `routes`, with
 * the user signed in when `signedIn`; `prepare` sets the server's answers before the page opens.
 * `destroy()` ends the client.
 */
export async function renderPage(
  routes: Routes,
  url: string,
  { signedIn = false, prepare }: { signedIn?: boolean; prepare?: (server: FakeAuthServer) => void } = {},
) {
  const server = fakeAuthServer();
  prepare?.(server);
  const client: SigilClient = createSigilClient({ issuer: ISSUER, apiOrigins: [], fetch: server.fetch });
  TestBed.configureTestingModule({ providers: [provideRouter(routes), provideSigilAuth({ issuer: ISSUER, apiOrigins: [], client })] });
  if (signedIn) await TestBed.inject(AuthService).login({ email: USER.email, password: PASSWORD });
  const harness = await RouterTestingHarness.create();
  await harness.navigateByUrl(url);
  const page = () => harness.routeNativeElement!;
  return {
    server,
    client,
    harness,
    page,
    /** The element for `selector`, which must exist. */
    get: <E extends Element = HTMLElement>(selector: string) => {
      const element = page().querySelector<E>(selector);
      if (!element) throw new Error(`no ${selector} on the page`);
      return element;
    },
    /** Types `value` into the field `selector`. */
    fill(selector: string, value: string) {
      const input = page().querySelector<HTMLInputElement>(selector)!;
      input.value = value;
      input.dispatchEvent(new Event('input'));
    },
    /** Submits the form `selector` and waits until the page has settled. */
    async submit(selector = 'form') {
      page().querySelector<HTMLFormElement>(selector)!.requestSubmit();
      await settle(harness);
    },
    /** Clicks `selector` and waits until the page has settled. */
    async click(selector: string) {
      page().querySelector<HTMLElement>(selector)!.click();
      await settle(harness);
    },
    destroy: () => client.destroy(),
  };
}

/**
 * A page of the redirect flow under test (`?flow=redirect`): the app's redirect-flow Sigil setup
 * against the fake server, with `navigations` recording where the page sent the browser.
 */
export async function renderRedirectPage(routes: Routes, url: string) {
  const server = fakeAuthServer();
  const navigations: string[] = [];
  const client = createSigilRedirectClient({
    issuer: ISSUER,
    apiOrigins: [],
    clientId: 'sigil-demo',
    redirectUri: 'http://127.0.0.1:4200/auth/callback',
    fetch: server.fetch,
    transactionStorage: memoryStorage(),
    navigate: (to) => void navigations.push(to),
  });
  TestBed.configureTestingModule({
    providers: [
      provideRouter(routes),
      provideSigilRedirectAuth({
        flow: 'redirect',
        issuer: ISSUER,
        apiOrigins: [],
        clientId: 'sigil-demo',
        redirectUri: 'http://127.0.0.1:4200/auth/callback',
        loginRoute: '/signin',
        client,
      }),
    ],
  });
  const harness = await RouterTestingHarness.create();
  await harness.navigateByUrl(url);
  const page = () => harness.routeNativeElement!;
  return {
    server,
    navigations,
    harness,
    page,
    /** Clicks `selector` and waits until the page has settled. */
    async click(selector: string) {
      page().querySelector<HTMLElement>(selector)!.click();
      await settle(harness);
    },
    destroy: () => client.destroy(),
  };
}

/** The fake server answers at once; a few turns of the event loop let the page render the result. */
async function settle(harness: RouterTestingHarness): Promise<void> {
  for (let i = 0; i < 5; i++) {
    await new Promise((resolve) => setTimeout(resolve, 0));
    await harness.fixture.whenStable();
  }
}
