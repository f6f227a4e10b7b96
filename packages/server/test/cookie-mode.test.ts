import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PASSWORD, expectProblem, request, signup, startTestServer, uniqueEmail, type TestServer } from './helpers/auth-server.ts';

const ORIGIN = 'http://localhost:4200';

function cookiesOf(res: { headers: Headers }): Record<string, string> {
  const out: Record<string, string> = {};
  for (const header of res.headers.getSetCookie()) {
    const [pair] = header.split(';');
    const [name, value] = pair!.split('=');
    out[name!.trim()] = value ?? '';
  }
  return out;
}

describe('cookie delivery (SIGIL_COOKIE_MODE=allow)', () => {
  let t: TestServer;
  beforeAll(async () => {
    t = await startTestServer({ allowedOrigins: [ORIGIN] });
  });
  afterAll(() => t?.close());

  async function loginWithCookie() {
    const user = await signup(t.url);
    const res = await request(`${t.url}/auth/login`, {
      body: { email: user.email, password: PASSWORD },
      headers: { 'x-sigil-token-delivery': 'cookie', origin: ORIGIN },
    });
    return { user, res };
  }

  it('puts the refresh token only in an HttpOnly, SameSite=Strict cookie scoped to /auth', async () => {
    const { res } = await loginWithCookie();
    expect(res.status).toBe(200);
    expect(res.body.refresh_token).toBeUndefined();
    expect(res.body.access_token).toEqual(expect.any(String));
    const header = res.headers.getSetCookie().find((c) => c.startsWith('sigil_refresh='))!;
    expect(header).toMatch(/HttpOnly/);
    expect(header).toMatch(/SameSite=Strict/);
    expect(header).toMatch(/Path=\/auth/);
    // http://127.0.0.1 issuer: Secure is relaxed for local development only.
    expect(header).not.toMatch(/Secure/);
  });

  it('refreshes with the cookie only with an allowed Origin and a matching CSRF token', async () => {
    const { res } = await loginWithCookie();
    const refreshCookie = cookiesOf(res).sigil_refresh!;
    const csrf = await request(`${t.url}/auth/csrf`, { headers: { origin: ORIGIN } });
    const csrfToken = csrf.body.csrf_token as string;
    expect(cookiesOf(csrf).sigil_csrf).toBe(csrfToken);
    const cookie = `sigil_refresh=${refreshCookie}; sigil_csrf=${csrfToken}`;

    expectProblem(await request(`${t.url}/auth/refresh`, { method: 'POST', headers: { cookie, origin: ORIGIN } }), 403, 'invalid_request');
    expectProblem(
      await request(`${t.url}/auth/refresh`, { method: 'POST', headers: { cookie, origin: ORIGIN, 'x-csrf-token': 'wrong'.repeat(9) } }),
      403,
      'invalid_request',
    );
    expectProblem(
      await request(`${t.url}/auth/refresh`, {
        method: 'POST',
        headers: { cookie, origin: 'https://evil.example', 'x-csrf-token': csrfToken },
      }),
      403,
      'invalid_request',
    );
    expectProblem(
      await request(`${t.url}/auth/refresh`, { method: 'POST', headers: { cookie, 'x-csrf-token': csrfToken } }),
      403,
      'invalid_request',
    );

    const ok = await request(`${t.url}/auth/refresh`, { method: 'POST', headers: { cookie, origin: ORIGIN, 'x-csrf-token': csrfToken } });
    expect(ok.status).toBe(200);
    expect(ok.body.refresh_token).toBeUndefined();
    expect(cookiesOf(ok).sigil_refresh).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(cookiesOf(ok).sigil_refresh).not.toBe(refreshCookie);
  });

  it('logout with the cookie revokes the session and clears the cookie', async () => {
    const { res } = await loginWithCookie();
    const refreshCookie = cookiesOf(res).sigil_refresh!;
    const csrfToken = (await request(`${t.url}/auth/csrf`)).body.csrf_token as string;
    const cookie = `sigil_refresh=${refreshCookie}; sigil_csrf=${csrfToken}`;
    const out = await request(`${t.url}/auth/logout`, { method: 'POST', headers: { cookie, origin: ORIGIN, 'x-csrf-token': csrfToken } });
    expect(out.status).toBe(204);
    expect(out.headers.getSetCookie().some((c) => c.startsWith('sigil_refresh=;') && /Expires=Thu, 01 Jan 1970/.test(c))).toBe(true);
    expectProblem(await request(`${t.url}/auth/refresh`, { body: { refresh_token: refreshCookie } }), 401, 'invalid_grant');
  });

  it('without the delivery header the refresh token stays in the body', async () => {
    const user = await signup(t.url);
    expect(user.refresh_token).toEqual(expect.any(String));
  });
});

describe('SIGIL_COOKIE_MODE=off and only', () => {
  let off: TestServer;
  let only: TestServer;
  beforeAll(async () => {
    [off, only] = await Promise.all([startTestServer({ cookieMode: 'off' }), startTestServer({ cookieMode: 'only' })]);
  });
  afterAll(() => Promise.all([off?.close(), only?.close()]));

  it('off: the delivery header is ignored and cookies are never read', async () => {
    const res = await request(`${off.url}/auth/signup`, {
      body: { email: uniqueEmail(), password: PASSWORD },
      headers: { 'x-sigil-token-delivery': 'cookie' },
    });
    expect(res.body.refresh_token).toEqual(expect.any(String));
    expect(res.headers.getSetCookie()).toEqual([]);
  });

  it('only: the refresh token never appears in a body, and body tokens are not accepted', async () => {
    const res = await request(`${only.url}/auth/signup`, { body: { email: uniqueEmail(), password: PASSWORD } });
    expect(res.status).toBe(201);
    expect(res.body.refresh_token).toBeUndefined();
    const token = cookiesOf(res).sigil_refresh!;
    expectProblem(await request(`${only.url}/auth/refresh`, { body: { refresh_token: token } }), 401, 'invalid_grant');
  });
});
