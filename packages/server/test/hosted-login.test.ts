import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PASSWORD, request, signup, startTestServer, type TestServer } from './helpers/auth-server.ts';

const APP = 'http://localhost:4200';
let t: TestServer;
beforeAll(async () => {
  t = await startTestServer({ allowedOrigins: [APP], loginMaxFailures: 3 });
});
afterAll(() => t?.close());

function setCookies(res: Response): Record<string, string> {
  const out: Record<string, string> = {};
  for (const header of res.headers.getSetCookie()) {
    const [pair] = header.split(';');
    const index = pair!.indexOf('=');
    out[pair!.slice(0, index)] = pair!.slice(index + 1);
  }
  return out;
}

async function openForm(returnTo = `${APP}/lessons`) {
  const res = await fetch(`${t.url}/login?return_to=${encodeURIComponent(returnTo)}`);
  const html = await res.text();
  const csrf = /name="csrf_token" value="([^"]+)"/.exec(html)?.[1];
  return { res, html, csrf, cookie: setCookies(res).sigil_csrf };
}

function submit(fields: Record<string, string>, cookie: string | undefined, headers: Record<string, string> = {}) {
  return fetch(`${t.url}/login`, {
    method: 'POST',
    redirect: 'manual',
    headers: { 'content-type': 'application/x-www-form-urlencoded', ...(cookie ? { cookie: `sigil_csrf=${cookie}` } : {}), ...headers },
    body: new URLSearchParams(fields).toString(),
  });
}

describe('hosted login page', () => {
  it('renders a plain HTML form (no inline script) with a strict CSP and no framing', async () => {
    const { res, html, csrf, cookie } = await openForm();
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/text\/html/);
    expect(html).toMatch(/<form method="post" action="\/login">/);
    expect(html).toMatch(/type="email"/);
    expect(html).toMatch(/type="password"/);
    expect(csrf).toBe(cookie);
    const csp = res.headers.get('content-security-policy')!;
    // One script, the passkey enhancement: external, admitted by the page's nonce, nothing inline.
    const nonce = /script-src 'nonce-([^']+)';/.exec(csp)?.[1];
    expect(nonce).toBeDefined();
    expect([...html.matchAll(/<script[^>]*>/gi)].map((m) => m[0])).toEqual([`<script nonce="${nonce}" src="/login/passkey.js" defer>`]);
    expect(html).toMatch(/<script[^>]*><\/script>/);
    expect(csp).not.toMatch(/unsafe-inline|unsafe-eval/);
    expect(csp).toMatch(/connect-src 'self'/);
    expect(csp).toMatch(/default-src 'none'/);
    expect(csp).toMatch(/frame-ancestors 'none'/);
    // The post-login redirect target must be allowed, or browsers block the 303 (form-action applies to it).
    expect(csp).toMatch(/form-action 'self' http:\/\/localhost:4200;/);
    expect(html).toContain('<meta name="referrer" content="same-origin">');
    expect(res.headers.get('x-frame-options')).toBe('SAMEORIGIN');
  });

  it('signs in: sets the HttpOnly refresh cookie and redirects (303) to return_to; the app then refreshes with it', async () => {
    const user = await signup(t.url);
    const form = await openForm();
    const res = await submit({ email: user.email, password: PASSWORD, csrf_token: form.csrf!, return_to: `${APP}/lessons` }, form.cookie, {
      origin: t.url,
    });
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toBe(`${APP}/lessons`);
    const refresh = setCookies(res).sigil_refresh!;
    expect(res.headers.getSetCookie().find((c) => c.startsWith('sigil_refresh='))).toMatch(/HttpOnly/);
    const tokens = await request(`${t.url}/auth/refresh`, {
      method: 'POST',
      headers: { cookie: `sigil_refresh=${refresh}; sigil_csrf=${form.cookie}`, origin: APP, 'x-csrf-token': form.cookie! },
    });
    expect(tokens.status).toBe(200);
    expect(tokens.body.user.email).toBe(user.email);
  });

  it('shows "Invalid email or password" for a wrong password, keeping the email, and no cookie', async () => {
    const user = await signup(t.url);
    const form = await openForm();
    const res = await submit(
      { email: user.email, password: 'not the password', csrf_token: form.csrf!, return_to: `${APP}/lessons` },
      form.cookie,
    );
    expect(res.status).toBe(401);
    const html = await res.text();
    expect(html).toContain('Invalid email or password');
    expect(html).toContain(`value="${user.email}"`);
    expect(setCookies(res).sigil_refresh).toBeUndefined();
  });

  it.each([
    ['another host', 'https://evil.example/steal'],
    ['protocol-relative', '//evil.example/'],
    ['javascript:', 'javascript:alert(1)'],
    ['userinfo trick', `http://localhost:4200@evil.example/`],
    ['relative path', '/lessons'],
    ['allowed host on another port', 'http://localhost:4201/'],
  ])('refuses an open redirect to %s', async (_label, target) => {
    const page = await openForm(target);
    expect(page.res.status).toBe(400);
    expect(page.html).not.toContain('<form');
    const user = await signup(t.url);
    const valid = await openForm();
    const res = await submit({ email: user.email, password: PASSWORD, csrf_token: valid.csrf!, return_to: target }, valid.cookie);
    expect(res.status).toBe(400);
    expect(res.headers.get('location')).toBeNull();
  });

  it('refuses a post without the CSRF cookie, with a mismatched token, or from another origin', async () => {
    const user = await signup(t.url);
    const form = await openForm();
    const fields = { email: user.email, password: PASSWORD, csrf_token: form.csrf!, return_to: `${APP}/` };
    expect((await submit(fields, undefined)).status).toBe(400);
    expect((await submit({ ...fields, csrf_token: 'x'.repeat(43) }, form.cookie)).status).toBe(400);
    expect((await submit(fields, form.cookie, { origin: 'https://evil.example' })).status).toBe(400);
  });

  it('escapes what it echoes (no HTML injection through the email field)', async () => {
    const form = await openForm();
    const res = await submit(
      { email: '"><img src=x onerror=alert(1)>', password: 'x', csrf_token: form.csrf!, return_to: `${APP}/` },
      form.cookie,
    );
    const html = await res.text();
    expect(html).not.toContain('<img src=x');
    expect(html).toContain('&quot;&gt;&lt;img');
  });

  it('applies the brute-force lockout to the form too', async () => {
    const user = await signup(t.url);
    const form = await openForm();
    const fields = { email: user.email, password: 'not the password', csrf_token: form.csrf!, return_to: `${APP}/` };
    for (let i = 0; i < 3; i++) expect((await submit(fields, form.cookie)).status).toBe(401);
    const locked = await submit({ ...fields, password: PASSWORD }, form.cookie);
    expect(locked.status).toBe(429);
    expect(Number(locked.headers.get('retry-after'))).toBeGreaterThan(0);
  });

  it('shares one failure count with POST /auth/login: failures on either lock both', async () => {
    const user = await signup(t.url);
    const form = await openForm();
    const fields = { email: user.email, password: 'not the password', csrf_token: form.csrf!, return_to: `${APP}/` };
    expect((await request(`${t.url}/auth/login`, { body: { email: user.email, password: 'not the password' } })).status).toBe(401);
    for (let i = 0; i < 2; i++) expect((await submit(fields, form.cookie)).status).toBe(401);
    const json = await request(`${t.url}/auth/login`, { body: { email: user.email, password: PASSWORD } });
    expect(json.status).toBe(429);
    expect(json.headers.get('content-type')).toMatch(/application\/problem\+json/);
    const page = await submit({ ...fields, password: PASSWORD }, form.cookie);
    expect(page.status).toBe(429);
    expect(page.headers.get('content-type')).toMatch(/text\/html/);
    expect(await page.text()).toContain('Too many attempts. Try again later.');
  });
});
