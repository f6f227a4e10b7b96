import { decodeJwt } from 'jose';
import { Secret, TOTP } from 'otpauth';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PASSWORD, request, signup, startTestServer, type TestServer } from './helpers/auth-server.ts';

// The hosted login page's second step, posted as a browser without JavaScript posts forms.

const APP = 'http://localhost:4200';
const STEP_MS = 30_000;
let clock = Math.floor(Date.now() / STEP_MS) * STEP_MS + 10_000;
let t: TestServer;
beforeAll(async () => {
  t = await startTestServer({ allowedOrigins: [APP], now: () => new Date(clock) });
});
afterAll(() => t?.close());

const codeAt = (secret: string, at: number) =>
  TOTP.generate({ secret: Secret.fromBase32(secret), algorithm: 'SHA1', digits: 6, period: 30, timestamp: at });

function setCookies(res: Response): Record<string, string> {
  const out: Record<string, string> = {};
  for (const header of res.headers.getSetCookie()) {
    const [pair] = header.split(';');
    const index = pair!.indexOf('=');
    out[pair!.slice(0, index)] = pair!.slice(index + 1);
  }
  return out;
}

/** A browser: keeps the cookies the server sets and sends them back. */
function browser() {
  const jar: Record<string, string> = {};
  const cookieHeader = () =>
    Object.entries(jar)
      .filter(([, value]) => value !== '')
      .map(([name, value]) => `${name}=${value}`)
      .join('; ');
  return {
    jar,
    async get(path: string) {
      const res = await fetch(`${t.url}${path}`, { headers: { cookie: cookieHeader() } });
      Object.assign(jar, setCookies(res));
      return { res, html: await res.text() };
    },
    async post(path: string, fields: Record<string, string>, headers: Record<string, string> = {}) {
      const res = await fetch(`${t.url}${path}`, {
        method: 'POST',
        redirect: 'manual',
        headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: cookieHeader(), origin: t.url, ...headers },
        body: new URLSearchParams(fields).toString(),
      });
      Object.assign(jar, setCookies(res));
      return { res, html: await res.text() };
    },
  };
}

const hidden = (html: string, name: string) => new RegExp(`name="${name}" value="([^"]*)"`).exec(html)?.[1];

async function accountWithTotp() {
  const user = await signup(t.url);
  const bearer = { authorization: `Bearer ${user.access_token}` };
  const { body } = await request(`${t.url}/auth/mfa/totp`, { method: 'POST', headers: bearer });
  const confirmed = await request(`${t.url}/auth/mfa/totp/confirm`, { headers: bearer, body: { code: codeAt(body.secret, clock) } });
  clock += STEP_MS;
  return { ...user, secret: body.secret as string, recoveryCodes: confirmed.body.recovery_codes as string[] };
}

/** Opens /login and posts the right password: the page of the second step. */
async function passwordStep(b: ReturnType<typeof browser>, email: string) {
  const form = await b.get(`/login?return_to=${encodeURIComponent(`${APP}/lessons`)}`);
  const csrf = hidden(form.html, 'csrf_token')!;
  const step = await b.post('/login', { email, password: PASSWORD, csrf_token: csrf, return_to: `${APP}/lessons` });
  return { ...step, csrf, mfaToken: hidden(step.html, 'mfa_token')! };
}

describe('hosted login page: the second step', () => {
  it('after the right password shows a TOTP form (no script, same CSP) bound to an HttpOnly cookie; the code signs in', async () => {
    const user = await accountWithTotp();
    const b = browser();
    const step = await passwordStep(b, user.email);
    expect(step.res.status).toBe(200);
    expect(step.html).toContain('<form method="post" action="/login/mfa">');
    expect(step.html).toMatch(
      /name="code"[^>]*autocomplete="one-time-code"[^>]*inputmode="numeric"|autocomplete="one-time-code"[^>]*inputmode="numeric"/,
    );
    expect(step.html).toContain('Use a recovery code instead');
    expect(step.html).not.toMatch(/<script/i);
    expect(step.mfaToken).toMatch(/^[A-Za-z0-9_-]{43}$/);
    const csp = step.res.headers.get('content-security-policy')!;
    expect(csp).toMatch(/default-src 'none'/);
    expect(csp).toMatch(/form-action 'self' http:\/\/localhost:4200;/);
    expect(csp).toMatch(/frame-ancestors 'none'/);
    const mfaCookie = step.res.headers.getSetCookie().find((c) => c.startsWith('sigil_mfa='))!;
    expect(mfaCookie).toMatch(/Path=\/login/);
    expect(mfaCookie).toMatch(/HttpOnly/);
    expect(mfaCookie).toMatch(/SameSite=Strict/);
    // No session yet.
    expect(b.jar.sigil_refresh).toBeUndefined();

    const done = await b.post('/login/mfa', {
      csrf_token: step.csrf,
      return_to: `${APP}/lessons`,
      mfa_token: step.mfaToken,
      method: 'totp',
      code: codeAt(user.secret, clock),
    });
    expect(done.res.status).toBe(303);
    expect(done.res.headers.get('location')).toBe(`${APP}/lessons`);
    expect(b.jar.sigil_refresh).toBeTruthy();
    expect(b.jar.sigil_mfa).toBe('');
    const tokens = await request(`${t.url}/auth/refresh`, {
      method: 'POST',
      headers: {
        cookie: `sigil_refresh=${b.jar.sigil_refresh}; sigil_csrf=${b.jar.sigil_csrf}`,
        origin: APP,
        'x-csrf-token': b.jar.sigil_csrf!,
      },
    });
    expect(tokens.status).toBe(200);
    expect(decodeJwt(tokens.body.access_token).amr).toEqual(['pwd', 'otp', 'mfa']);
  });

  it('a wrong code shows the form again (401) with the error; the same code twice is refused', async () => {
    const user = await accountWithTotp();
    const b = browser();
    const step = await passwordStep(b, user.email);
    const fields = { csrf_token: step.csrf, return_to: `${APP}/lessons`, mfa_token: step.mfaToken, method: 'totp' };
    const wrong = await b.post('/login/mfa', { ...fields, code: '000000' });
    expect(wrong.res.status).toBe(401);
    expect(wrong.html).toContain('Invalid code. Try again.');
    expect(hidden(wrong.html, 'mfa_token')).toBe(step.mfaToken);
    const code = codeAt(user.secret, clock);
    expect((await b.post('/login/mfa', { ...fields, code })).res.status).toBe(303);

    const again = browser();
    const second = await passwordStep(again, user.email);
    const replay = await again.post('/login/mfa', { ...fields, mfa_token: second.mfaToken, csrf_token: second.csrf, code });
    expect(replay.res.status).toBe(401);
  });

  it('switches to a recovery code with a plain form button, and signs in with one', async () => {
    const user = await accountWithTotp();
    const b = browser();
    const step = await passwordStep(b, user.email);
    const carried = { csrf_token: step.csrf, return_to: `${APP}/lessons`, mfa_token: step.mfaToken };
    const shown = await b.post('/login/mfa', { ...carried, method: 'recovery_code', show: '1' });
    expect(shown.res.status).toBe(200);
    expect(shown.html).toContain('Recovery code');
    expect(shown.html).toContain('Use your authenticator app instead');
    expect(shown.html).toContain('name="method" value="recovery_code"');
    const done = await b.post('/login/mfa', { ...carried, method: 'recovery_code', code: user.recoveryCodes[0]! });
    expect(done.res.status).toBe(303);
  });

  it('the mfa token is worthless without the browser cookie it was bound to, or with a bad CSRF token', async () => {
    const user = await accountWithTotp();
    const b = browser();
    const step = await passwordStep(b, user.email);
    const fields = { return_to: `${APP}/lessons`, mfa_token: step.mfaToken, method: 'totp', code: codeAt(user.secret, clock) };

    // Another browser with the token (and its own valid CSRF pair) but not the sigil_mfa cookie.
    const other = browser();
    const otherForm = await other.get(`/login?return_to=${encodeURIComponent(`${APP}/`)}`);
    const stolen = await other.post('/login/mfa', { ...fields, csrf_token: hidden(otherForm.html, 'csrf_token')! });
    expect(stolen.res.status).toBe(400);
    expect(stolen.html).toContain('This sign-in has expired');
    other.jar.sigil_mfa = 'A'.repeat(43);
    expect((await other.post('/login/mfa', { ...fields, csrf_token: hidden(otherForm.html, 'csrf_token')! })).res.status).toBe(400);

    expect((await b.post('/login/mfa', { ...fields, csrf_token: 'x'.repeat(43) })).res.status).toBe(400);
    expect((await b.post('/login/mfa', { ...fields, csrf_token: step.csrf }, { origin: 'https://evil.example' })).res.status).toBe(400);
    expect((await b.post('/login/mfa', { ...fields, csrf_token: step.csrf, return_to: 'https://evil.example/' })).res.status).toBe(400);
    // The owner still can.
    expect((await b.post('/login/mfa', { ...fields, csrf_token: step.csrf })).res.status).toBe(303);
  });

  it('an expired second step sends the user back to sign in', async () => {
    const user = await accountWithTotp();
    const b = browser();
    const step = await passwordStep(b, user.email);
    clock += 301_000;
    const late = await b.post('/login/mfa', {
      csrf_token: step.csrf,
      return_to: `${APP}/lessons`,
      mfa_token: step.mfaToken,
      method: 'totp',
      code: codeAt(user.secret, clock),
    });
    expect(late.res.status).toBe(400);
    expect(late.html).toContain('This sign-in has expired');
    expect(late.html).toContain(`href="/login?return_to=${encodeURIComponent(`${APP}/lessons`)}"`);
  });

  it('an account without a second factor still signs in with the password alone', async () => {
    const user = await signup(t.url);
    const b = browser();
    const step = await passwordStep(b, user.email);
    expect(step.res.status).toBe(303);
    expect(b.jar.sigil_mfa).toBeUndefined();
  });
});
