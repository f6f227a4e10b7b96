import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { request, signup, startTestServer, type TestServer } from './helpers/auth-server.ts';
import { createSoftwareAuthenticator, type SoftwareAuthenticator } from './support/software-authenticator.ts';

// The hosted login page's passkey sign-in, as its script drives it: the assertion arrives as a
// form post, and the answer is the same 303 with the refresh cookie as the password form's.

const ISSUER = 'http://localhost:4000';
const APP = 'http://localhost:4200';
let t: TestServer;
beforeAll(async () => {
  t = await startTestServer({ issuer: ISSUER, allowedOrigins: [APP] });
});
afterAll(() => t?.close());

async function openPage() {
  const res = await fetch(`${t.url}/login?return_to=${encodeURIComponent(`${APP}/lessons`)}`);
  const html = await res.text();
  const cookie = /sigil_csrf=([^;]+)/.exec(res.headers.get('set-cookie') ?? '')?.[1];
  const section = /<section id="passkey" hidden>[\s\S]*?<\/section>/.exec(html)?.[0] ?? '';
  const csrf = /name="csrf_token" value="([^"]+)"/.exec(section)?.[1];
  return { res, html, section, csrf, cookie };
}

function post(fields: Record<string, string>, cookie: string | undefined, headers: Record<string, string> = {}) {
  return fetch(`${t.url}/login/passkey`, {
    method: 'POST',
    redirect: 'manual',
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      origin: ISSUER,
      ...(cookie ? { cookie: `sigil_csrf=${cookie}` } : {}),
      ...headers,
    },
    body: new URLSearchParams(fields).toString(),
  });
}

/** A user with a passkey of `authenticator` (registered from the hosted page's origin). */
async function userWithPasskey(): Promise<{ authenticator: SoftwareAuthenticator }> {
  const user = await signup(t.url);
  const authenticator = createSoftwareAuthenticator({ origin: ISSUER });
  const headers = { authorization: `Bearer ${user.access_token}` };
  const options = await request(`${t.url}/auth/passkeys/registration/options`, { method: 'POST', headers });
  const registered = await request(`${t.url}/auth/passkeys/registration`, {
    body: { response: authenticator.register(options.body) },
    headers,
  });
  expect(registered.status).toBe(201);
  return { authenticator };
}

/** The assertion the page's script would submit, for options fetched as it fetches them. */
async function assertion(authenticator: SoftwareAuthenticator) {
  const options = await request(`${t.url}/auth/passkeys/login/options`, { body: {} });
  return JSON.stringify(authenticator.assert(options.body));
}

describe('passkeys on the hosted login page', () => {
  it('offers the passkey button hidden until the script runs; the email field asks for passkey autofill', async () => {
    const { section, html, csrf, cookie } = await openPage();
    expect(section).toContain('<form id="passkey-form" method="post" action="/login/passkey">');
    expect(section).toContain(`<input type="hidden" name="return_to" value="${APP}/lessons">`);
    expect(section).toContain('<button type="button" id="passkey-button" class="secondary">Sign in with a passkey</button>');
    expect(csrf).toBe(cookie);
    expect(html).toMatch(/id="email" name="email" type="email" autocomplete="username webauthn"/);
  });

  it('serves its script: the browser library, then the sign-in code, as JavaScript', async () => {
    const res = await fetch(`${t.url}/login/passkey.js`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/javascript/);
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    const script = await res.text();
    expect(script).toMatch(/^\/\* \[@simplewebauthn\/browser@14\./);
    expect(script).toContain('SimpleWebAuthnBrowser');
    expect(script).toContain("fetch('/auth/passkeys/login/options'");
    expect(script).toContain('useBrowserAutofill: conditional');
    // It parses as a script (the page runs it as one).
    expect(() => new Function(script)).not.toThrow();
  });

  it('a posted assertion signs in: refresh cookie and 303 to return_to, then the app refreshes with it', async () => {
    const { authenticator } = await userWithPasskey();
    const { csrf, cookie } = await openPage();
    const res = await post({ csrf_token: csrf!, return_to: `${APP}/lessons`, response: await assertion(authenticator) }, cookie);
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toBe(`${APP}/lessons`);
    const refresh = /sigil_refresh=([^;]+)/.exec(res.headers.getSetCookie().join('\n'))?.[1];
    expect(refresh).toBeDefined();
    const tokens = await request(`${t.url}/auth/refresh`, {
      method: 'POST',
      headers: { cookie: `sigil_refresh=${refresh}; sigil_csrf=${cookie}`, origin: APP, 'x-csrf-token': cookie! },
    });
    expect(tokens.status).toBe(200);
  });

  it('a refused assertion shows the sign-in page again (401), with no cookie; bad forms are refused', async () => {
    const { authenticator } = await userWithPasskey();
    const { csrf, cookie } = await openPage();
    const fields = { csrf_token: csrf!, return_to: `${APP}/lessons` };
    const used = await assertion(authenticator);
    expect((await post({ ...fields, response: used }, cookie)).status).toBe(303);
    const replay = await post({ ...fields, response: used }, cookie);
    expect(replay.status).toBe(401);
    expect(replay.headers.getSetCookie().some((c) => c.startsWith('sigil_refresh='))).toBe(false);
    const page = await replay.text();
    expect(page).toContain('Your passkey could not be used. Try again, or sign in with your password.');
    expect(page).toMatch(/<form method="post" action="\/login">/);

    expect((await post({ ...fields, response: 'not json' }, cookie)).status).toBe(400);
    expect((await post({ ...fields, response: '{"id":1}' }, cookie)).status).toBe(400);
    expect((await post({ ...fields, response: await assertion(authenticator) }, undefined)).status).toBe(400);
    expect((await post({ ...fields, response: await assertion(authenticator) }, cookie, { origin: 'https://evil.example' })).status).toBe(
      400,
    );
    expect((await post({ ...fields, return_to: 'https://evil.example/', response: await assertion(authenticator) }, cookie)).status).toBe(
      400,
    );
  });
});
