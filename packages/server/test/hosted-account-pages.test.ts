import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PASSWORD, request, signup, uniqueEmail } from './helpers/auth-server.ts';
import { outboxOf, startMailingServer, tokenOf, until, type MailingServer } from './support/lifecycle.ts';

// The hosted account pages as a browser without JavaScript uses them: GET a page, then post its
// form (urlencoded, with the CSRF cookie the page set and the token it rendered).

const APP = 'http://localhost:4200';
const NEW_PASSWORD = 'a brand new passphrase';
let s: MailingServer;
beforeAll(async () => {
  s = await startMailingServer({ allowedOrigins: [APP] });
});
afterAll(() => s?.close());

interface Page {
  res: Response;
  html: string;
  csrf: string | undefined;
  cookie: string | undefined;
}

function setCookies(res: Response): Record<string, string> {
  const out: Record<string, string> = {};
  for (const header of res.headers.getSetCookie()) {
    const [pair] = header.split(';');
    const index = pair!.indexOf('=');
    out[pair!.slice(0, index)] = pair!.slice(index + 1);
  }
  return out;
}

async function open(path: string): Promise<Page> {
  const res = await fetch(`${s.t.url}${path}`, { redirect: 'manual' });
  const html = await res.text();
  return { res, html, csrf: /name="csrf_token" value="([^"]+)"/.exec(html)?.[1], cookie: setCookies(res).sigil_csrf };
}

async function post(path: string, fields: Record<string, string>, cookie: string | undefined, headers: Record<string, string> = {}) {
  const res = await fetch(`${s.t.url}${path}`, {
    method: 'POST',
    redirect: 'manual',
    headers: { 'content-type': 'application/x-www-form-urlencoded', ...(cookie ? { cookie: `sigil_csrf=${cookie}` } : {}), ...headers },
    body: new URLSearchParams(fields).toString(),
  });
  return { res, html: await res.text() };
}

/** Opens `path` and posts its form with `fields` (plus the CSRF token and every hidden field it rendered). */
async function submit(path: string, fields: Record<string, string>, headers: Record<string, string> = { origin: s.t.url }) {
  const page = await open(path);
  const hidden = Object.fromEntries(
    [...page.html.matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)">/g)].map((m) => [m[1]!, unescape(m[2]!)]),
  );
  const action = /<form method="post" action="([^"]+)">/.exec(page.html)![1]!;
  return post(action, { ...hidden, ...fields }, page.cookie, headers);
}

function unescape(value: string): string {
  return value
    .replace(/&amp;/g, '&')
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>');
}

const withReturn = (path: string, returnTo = `${APP}/lessons`) => `${path}?return_to=${encodeURIComponent(returnTo)}`;

function expectHostedHeaders(res: Response, formAction = "'self'"): void {
  expect(res.headers.get('content-type')).toMatch(/^text\/html/);
  const csp = res.headers.get('content-security-policy')!;
  expect(csp).toMatch(/^default-src 'none'; style-src 'nonce-[A-Za-z0-9+/=]+'; /);
  expect(csp).toContain(`form-action ${formAction};`);
  expect(csp).toContain("frame-ancestors 'none'");
  expect(csp).toContain("base-uri 'none'");
  expect(res.headers.get('x-frame-options')).toBe('SAMEORIGIN');
  expect(res.headers.get('cache-control')).toBe('no-store');
}

/** Every input has a label; every error is tied to its input. */
function expectAccessibleForm(html: string): void {
  expect(html).not.toMatch(/<script/i);
  for (const [, id] of html.matchAll(/<input id="([^"]+)"/g)) expect(html, `label for ${id}`).toContain(`<label for="${id}">`);
  for (const [, id] of html.matchAll(/<p class="field-error" id="([^"]+)"/g))
    expect(html).toMatch(new RegExp(`aria-describedby="[^"]*${id}`));
}

describe('the hosted login page links to the account pages', () => {
  it('"Forgot password?" and "Create account", keeping return_to', async () => {
    const page = await open(withReturn('/login'));
    expect(page.html).toContain(`<a href="/password/forgot?return_to=${encodeURIComponent(`${APP}/lessons`)}">Forgot password?</a>`);
    expect(page.html).toContain(`<a href="/signup?return_to=${encodeURIComponent(`${APP}/lessons`)}">Create account</a>`);
  });
});

describe('Create account (/signup)', () => {
  it("renders an accessible form under the login page's CSP", async () => {
    const page = await open(withReturn('/signup'));
    expect(page.res.status).toBe(200);
    expectHostedHeaders(page.res, `'self' ${APP}`);
    expectAccessibleForm(page.html);
    expect(page.html).toContain('<title>Create account · Sigil</title>');
    expect(page.html).toMatch(/id="name" name="name" type="text" autocomplete="name"/);
    expect(page.html).toMatch(/id="email" name="email" type="email" autocomplete="email" required/);
    expect(page.html).toMatch(
      /id="password" name="password" type="password" autocomplete="new-password" required aria-describedby="password-hint"/,
    );
    expect(page.csrf).toBe(page.cookie);
  });

  it('creates the account, sets the refresh cookie and redirects (303) to return_to; the verification mail goes out', async () => {
    const email = uniqueEmail();
    const { res } = await submit(withReturn('/signup'), { name: 'Hosted', email, password: PASSWORD });
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toBe(`${APP}/lessons`);
    const refresh = setCookies(res).sigil_refresh!;
    const tokens = await request(`${s.t.url}/auth/refresh`, { body: { refresh_token: refresh } });
    expect(tokens.body.user).toMatchObject({ email, name: 'Hosted', email_verified: false });
    await s.mailbox.next(email, '/email/verify');
  });

  it('shows each problem beside its field, keeps what was typed, and 409 for a taken address', async () => {
    const bad = await submit(withReturn('/signup'), { name: 'Bo', email: 'not-an-address', password: 'short' });
    expect(bad.res.status).toBe(400);
    expectAccessibleForm(bad.html);
    expect(bad.html).toMatch(
      /id="email" name="email" type="email" autocomplete="email" required aria-invalid="true" aria-describedby="email-error"/,
    );
    expect(bad.html).toMatch(/<p class="field-error" id="password-error">password must be at least 10 characters<\/p>/);
    expect(bad.html).toContain('value="Bo"');
    expect(bad.html).toContain('role="alert"');

    const taken = await signup(s.t.url);
    const again = await submit(withReturn('/signup'), { email: taken.email, password: PASSWORD });
    expect(again.res.status).toBe(409);
    expect(again.html).toMatch(/id="email-error">An account with this email already exists/);
  });

  it('refuses a foreign return_to', async () => {
    expect((await open(withReturn('/signup', 'https://evil.example/'))).res.status).toBe(400);
    expect((await open('/signup')).res.status).toBe(400);
  });
});

describe('Forgot password (/password/forgot) and the new password page (/password/reset)', () => {
  it('answers a known and an unknown address with the same page; the known one gets a link', async () => {
    const user = await signup(s.t.url);
    const pages = [];
    for (const email of [user.email, uniqueEmail()]) {
      const { res, html } = await submit(withReturn('/password/forgot'), { email });
      expect(res.status).toBe(200);
      expectHostedHeaders(res);
      pages.push(html.replace(email, 'EMAIL').replace(/nonce="[^"]+"/, ''));
    }
    expect(pages[0]).toBe(pages[1]);
    expect(pages[0]).toContain('Check your email');
    await s.mailbox.next(user.email, '/password/reset');
  });

  it('resets the password from the mailed link without JavaScript; GET never uses the token', async () => {
    const user = await signup(s.t.url);
    await submit('/password/forgot', { email: user.email });
    const link = tokenOf(await s.mailbox.next(user.email, '/password/reset'));
    const path = `/password/reset?token=${link}`;

    // A mail scanner fetching the link twice changes nothing.
    for (let i = 0; i < 2; i++) {
      const page = await open(path);
      expect(page.res.status).toBe(200);
      expect(page.res.headers.get('referrer-policy')).toBe('no-referrer');
      expect(page.html).not.toContain('name="referrer"');
      expectHostedHeaders(page.res);
      expectAccessibleForm(page.html);
      expect(page.html).toMatch(/id="new_password" name="new_password" type="password" autocomplete="new-password" required/);
    }
    const weak = await submit(path, { new_password: 'short' }, { origin: 'null' });
    expect(weak.res.status).toBe(400);
    expect(weak.html).toMatch(/aria-invalid="true" aria-describedby="new_password-hint new_password-error"/);

    // Under no-referrer the browser sends `Origin: null` with the post.
    const done = await submit(path, { new_password: NEW_PASSWORD }, { origin: 'null' });
    expect(done.res.status).toBe(200);
    expect(done.html).toContain('Your password was changed');
    expect(done.html).toContain(`<a href="/login?return_to=${encodeURIComponent(`${APP}/`)}">Sign in</a>`);
    expect((await request(`${s.t.url}/auth/login`, { body: { email: user.email, password: NEW_PASSWORD } })).status).toBe(200);

    const reused = await submit(path, { new_password: 'yet another passphrase' }, { origin: 'null' });
    expect(reused.res.status).toBe(400);
    expect(reused.html).toContain('This link is invalid, was already used, or has expired');
    expect(reused.html).toContain('Ask for a new link');
  });

  it('a reset page opened without a token says the link is incomplete', async () => {
    const page = await open('/password/reset');
    expect(page.res.status).toBe(400);
    expect(page.html).not.toContain('<form');
  });

  it('answers a spent per-IP mail budget with a page and Retry-After', async () => {
    const limited = await startMailingServer({ allowedOrigins: [APP], mailsPerIpPerHour: 1 });
    try {
      const page = await fetch(`${limited.t.url}/password/forgot`);
      const csrf = /name="csrf_token" value="([^"]+)"/.exec(await page.text())![1]!;
      const cookie = setCookies(page).sigil_csrf!;
      const send = () =>
        fetch(`${limited.t.url}/password/forgot`, {
          method: 'POST',
          headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: `sigil_csrf=${cookie}` },
          body: new URLSearchParams({ csrf_token: csrf, email: uniqueEmail() }).toString(),
        });
      expect((await send()).status).toBe(200);
      const refused = await send();
      expect(refused.status).toBe(429);
      expect(refused.headers.get('content-type')).toMatch(/^text\/html/);
      expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
    } finally {
      await limited.close();
    }
  });
});

describe('Verify email (/email/verify)', () => {
  it('GET shows a button and uses nothing; its POST verifies; a second POST is refused', async () => {
    const user = await signup(s.t.url);
    const token = tokenOf(await s.mailbox.next(user.email, '/email/verify'));
    const path = `/email/verify?token=${token}`;
    const page = await open(path);
    expect(page.res.status).toBe(200);
    expect(page.res.headers.get('referrer-policy')).toBe('no-referrer');
    expectHostedHeaders(page.res);
    expect(page.html).toContain('<button type="submit">Verify my email address</button>');
    expect(await s.t.db.query('SELECT used_at FROM account_tokens WHERE user_id = $1', [user.user.id])).toEqual([{ used_at: null }]);

    const done = await submit(path, {}, { origin: 'null' });
    expect(done.res.status).toBe(200);
    expect(done.html).toContain(`${user.email} is verified`);
    expect(
      (await request(`${s.t.url}/auth/me`, { headers: { authorization: `Bearer ${user.access_token}` } })).body.user.email_verified,
    ).toBe(true);
    const again = await submit(path, {}, { origin: 'null' });
    expect(again.res.status).toBe(400);
    expect(again.html).toContain('This link is invalid, was already used, or has expired');
  });
});

describe('CSRF: every account form refuses a post without the cookie, with another token, or from another origin', () => {
  it.each([
    ['/signup', () => ({ email: uniqueEmail(), password: PASSWORD, return_to: `${APP}/` })],
    ['/password/forgot', () => ({ email: uniqueEmail() })],
    ['/password/reset', () => ({ token: 'A'.repeat(43), new_password: NEW_PASSWORD })],
    ['/email/verify', () => ({ token: 'A'.repeat(43) })],
  ])('%s', async (path, fields) => {
    const page = await open(path === '/signup' ? withReturn(path) : path === '/password/forgot' ? path : `${path}?token=${'A'.repeat(43)}`);
    const valid = { ...fields(), csrf_token: page.csrf! };
    const attempts = [
      await post(path, valid, undefined),
      await post(path, { ...valid, csrf_token: 'x'.repeat(43) }, page.cookie),
      await post(path, valid, page.cookie, { origin: 'https://evil.example' }),
    ];
    for (const attempt of attempts) {
      expect(attempt.res.status).toBe(400);
      expect(attempt.html).toMatch(/expired/);
    }
    if (path === '/password/forgot' || path === '/signup') {
      // Nothing was done: no mail queued for the address.
      expect(await outboxOf(s.t.db, (valid as { email: string }).email)).toEqual([]);
    }
  });
});

describe('SIGIL_COOKIE_MODE=off', () => {
  it('signs no app in with a cookie (the pages serve OAuth only), and the pages mailed links open still work', async () => {
    const off = await startMailingServer({ cookieMode: 'off', allowedOrigins: [APP] });
    try {
      // No refresh cookie to hand over: an app's return_to is refused (OAuth's authorize URL is not).
      expect((await fetch(`${off.t.url}/signup?return_to=${APP}/`)).status).toBe(400);
      expect((await fetch(`${off.t.url}/login?return_to=${APP}/`)).status).toBe(400);
      const forgot = await fetch(`${off.t.url}/password/forgot`);
      expect(forgot.status).toBe(200);
      expect(await forgot.text()).not.toContain('/login');
      const user = await signup(off.t.url);
      await until('the verification mail', async () => off.mailbox.all(user.email).length > 0);
    } finally {
      await off.close();
    }
  });
});
