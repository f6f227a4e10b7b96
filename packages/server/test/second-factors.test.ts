import { randomUUID } from 'node:crypto';
import { decodeJwt } from 'jose';
import { Secret, TOTP } from 'otpauth';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PASSWORD, expectProblem, request, signup, startTestServer, uniqueEmail, type TestServer } from './helpers/auth-server.ts';
import { sharedMemoryPGlite, testDrivers, uniqueSchema } from './support/database.ts';

// Second factors over real HTTP (docs/server.md, "Second factors"): TOTP enrolment and login
// with codes computed here, with the otpauth library directly, at the server's injected time.

const KEY_SECRET = 'a-test-key-secret-of-at-least-32-characters';
const bearer = (token: string) => ({ authorization: `Bearer ${token}` });
const STEP_MS = 30_000;

/** The code an authenticator app shows for `secret` at `at` (RFC 6238: SHA-1, 6 digits, 30 s). */
function codeAt(secret: string, at: number): string {
  return TOTP.generate({ secret: Secret.fromBase32(secret), algorithm: 'SHA1', digits: 6, period: 30, timestamp: at });
}

beforeAll(async () => {
  await sharedMemoryPGlite();
}, 120_000);

describe.each(testDrivers())('second factors on $name', (driver) => {
  // The server's clock: the start of a 30-second step, 10 s in; tests only move it forward.
  let clock = Math.floor(Date.now() / STEP_MS) * STEP_MS + 10_000;
  const advance = (ms: number) => (clock += ms);
  let t: TestServer;
  let strict: TestServer;
  beforeAll(async () => {
    const now = () => new Date(clock);
    t = await startTestServer({ ...driver.configFor(uniqueSchema('mfa')), now, keySecret: KEY_SECRET, loginMaxFailures: 10 });
    strict = await startTestServer({ ...driver.configFor(uniqueSchema('mfa_strict')), now, loginMaxFailures: 3 });
  });
  afterAll(async () => {
    await t?.close();
    await strict?.close();
  });

  /** A new account with TOTP on; returns its tokens, its secret and its recovery codes. */
  async function withTotp(server = t) {
    const user = await signup(server.url);
    const enrolment = await request(`${server.url}/auth/mfa/totp`, { method: 'POST', headers: bearer(user.access_token) });
    expect(enrolment.status).toBe(200);
    const secret: string = enrolment.body.secret;
    const confirmed = await request(`${server.url}/auth/mfa/totp/confirm`, {
      headers: bearer(user.access_token),
      body: { code: codeAt(secret, clock) },
    });
    expect(confirmed.status).toBe(200);
    // The next login's codes belong to later steps than the one confirmation used.
    advance(STEP_MS);
    return { ...user, secret, recoveryCodes: confirmed.body.recovery_codes as string[] };
  }

  async function passwordStep(email: string, server = t, headers: Record<string, string> = {}) {
    const res = await request(`${server.url}/auth/login`, { body: { email, password: PASSWORD }, headers });
    expectProblem(res, 403, 'mfa_required');
    return res;
  }

  function verify(mfaToken: string, method: string, code: string, server = t, headers: Record<string, string> = {}) {
    return request(`${server.url}/auth/mfa/verify`, { body: { mfa_token: mfaToken, method, code }, headers });
  }

  describe('TOTP enrolment', () => {
    it('answers the secret, its otpauth:// URL and a QR code; the secret is stored encrypted; pending until confirmed', async () => {
      const user = await signup(t.url);
      const res = await request(`${t.url}/auth/mfa/totp`, { method: 'POST', headers: bearer(user.access_token) });
      expect(res.status).toBe(200);
      expect(res.headers.get('cache-control')).toBe('no-store');
      expect(res.body.secret).toMatch(/^[A-Z2-7]{32}$/);
      const url = new URL(res.body.otpauth_url);
      expect(url.protocol).toBe('otpauth:');
      expect(url.host).toBe('totp');
      expect(decodeURIComponent(url.pathname)).toBe(`/Sigil:${user.email}`);
      expect(Object.fromEntries(url.searchParams)).toEqual({
        issuer: 'Sigil',
        secret: res.body.secret,
        algorithm: 'SHA1',
        digits: '6',
        period: '30',
      });
      expect(res.body.qr_svg).toMatch(/^<svg [^>]*xmlns="http:\/\/www.w3.org\/2000\/svg"/);
      expect(res.body.qr_svg).not.toMatch(/<script/i);

      const [row] = await t.db.query<{ secret: string; encrypted: boolean; confirmed_at: Date | null }>(
        'SELECT secret, encrypted, confirmed_at FROM totp_factors WHERE user_id = $1',
        [user.user.id],
      );
      expect(row!.encrypted).toBe(true);
      expect(row!.secret.split('.')).toHaveLength(5); // a compact JWE
      expect(row!.secret).not.toContain(res.body.secret);
      expect(row!.confirmed_at).toBeNull();

      // Pending: the login still needs only the password, and the status says so.
      expect((await request(`${t.url}/auth/login`, { body: { email: user.email, password: PASSWORD } })).status).toBe(200);
      const status = await request(`${t.url}/auth/mfa`, { headers: bearer(user.access_token) });
      expect(status.body).toEqual({ methods: [], totp: 'pending', recovery_codes_remaining: 0 });
      // A second enrolment replaces the pending secret.
      const again = await request(`${t.url}/auth/mfa/totp`, { method: 'POST', headers: bearer(user.access_token) });
      expect(again.body.secret).not.toBe(res.body.secret);
    });

    it('confirms with a first code: 10 single-use recovery codes, shown once; a wrong code is 400 invalid_mfa', async () => {
      const user = await signup(t.url);
      const { body } = await request(`${t.url}/auth/mfa/totp`, { method: 'POST', headers: bearer(user.access_token) });
      const wrong = await request(`${t.url}/auth/mfa/totp/confirm`, { headers: bearer(user.access_token), body: { code: '000000' } });
      expectProblem(wrong, 400, 'invalid_mfa');
      const confirmed = await request(`${t.url}/auth/mfa/totp/confirm`, {
        headers: bearer(user.access_token),
        body: { code: codeAt(body.secret, clock) },
      });
      expect(confirmed.status).toBe(200);
      const codes: string[] = confirmed.body.recovery_codes;
      expect(codes).toHaveLength(10);
      expect(new Set(codes).size).toBe(10);
      for (const code of codes) expect(code).toMatch(/^[a-z2-9]{4}-[a-z2-9]{4}-[a-z2-9]{4}-[a-z2-9]{4}$/);
      // Stored hashed, never as typed.
      const stored = await t.db.query<{ code_hash: string }>('SELECT code_hash FROM recovery_codes WHERE user_id = $1', [user.user.id]);
      expect(stored).toHaveLength(10);
      for (const { code_hash } of stored) expect(codes.join()).not.toContain(code_hash);

      const status = await request(`${t.url}/auth/mfa`, { headers: bearer(user.access_token) });
      expect(status.body).toEqual({ methods: ['totp', 'recovery_code'], totp: 'on', recovery_codes_remaining: 10 });
      // On already: neither another enrolment nor another confirmation.
      expectProblem(
        await request(`${t.url}/auth/mfa/totp`, { method: 'POST', headers: bearer(user.access_token) }),
        400,
        'invalid_request',
      );
      expectProblem(
        await request(`${t.url}/auth/mfa/totp/confirm`, { headers: bearer(user.access_token), body: { code: codeAt(body.secret, clock) } }),
        400,
        'invalid_request',
      );
    });

    it('needs a Bearer token; confirm needs a pending enrolment and a code', async () => {
      expectProblem(await request(`${t.url}/auth/mfa/totp`, { method: 'POST' }), 401, 'invalid_token');
      expectProblem(await request(`${t.url}/auth/mfa/totp/confirm`, { body: { code: '123456' } }), 401, 'invalid_token');
      expectProblem(await request(`${t.url}/auth/mfa`), 401, 'invalid_token');
      const user = await signup(t.url);
      expectProblem(
        await request(`${t.url}/auth/mfa/totp/confirm`, { headers: bearer(user.access_token), body: { code: '123456' } }),
        400,
        'invalid_request',
      );
      expectProblem(
        await request(`${t.url}/auth/mfa/totp/confirm`, { headers: bearer(user.access_token), body: {} }),
        400,
        'invalid_request',
      );
    });
  });

  describe('login with a second factor', () => {
    it('password -> 403 mfa_required with an mfa_token and the methods -> /auth/mfa/verify -> tokens with amr and auth_time', async () => {
      const user = await withTotp();
      const loginAt = clock;
      const first = await passwordStep(user.email);
      expect(first.body).toMatchObject({ status: 403, code: 'mfa_required', methods: ['totp', 'recovery_code'], expires_in: 300 });
      expect(first.body.mfa_token).toMatch(/^[A-Za-z0-9_-]{43}$/);
      expect(first.body).not.toHaveProperty('access_token');
      expect(first.headers.get('set-cookie')).toBeNull();
      expect(first.headers.get('cache-control')).toBe('no-store');
      // Stored as a hash only.
      const stored = await t.db.query<{ token_hash: string }>('SELECT token_hash FROM mfa_challenges WHERE user_id = $1', [user.user.id]);
      expect(stored).toHaveLength(1);
      expect(stored[0]!.token_hash).not.toContain(first.body.mfa_token);

      advance(5_000);
      const done = await verify(first.body.mfa_token, 'totp', codeAt(user.secret, clock));
      expect(done.status).toBe(200);
      expect(done.body).toMatchObject({ token_type: 'Bearer', user: user.user });
      const claims = decodeJwt(done.body.access_token);
      expect(claims.amr).toEqual(['pwd', 'otp', 'mfa']);
      expect(claims.auth_time).toBe(Math.floor((loginAt + 5_000) / 1000));

      // A refresh ten minutes later keeps how and when the user logged in.
      advance(600_000);
      const refreshed = await request(`${t.url}/auth/refresh`, { body: { refresh_token: done.body.refresh_token } });
      expect(refreshed.status).toBe(200);
      const later = decodeJwt(refreshed.body.access_token);
      expect(later.iat).toBe(Math.floor(clock / 1000));
      expect(later.amr).toEqual(['pwd', 'otp', 'mfa']);
      expect(later.auth_time).toBe(claims.auth_time);
      // The session is an ordinary one: Bearer endpoints take its token.
      expect((await request(`${t.url}/auth/me`, { headers: bearer(refreshed.body.access_token) })).status).toBe(200);
    });

    it('a password-only account gets amr ["pwd"] and its login time, kept across refresh; signup too', async () => {
      const signedUp = await signup(t.url);
      expect(decodeJwt(signedUp.access_token)).toMatchObject({ amr: ['pwd'], auth_time: Math.floor(clock / 1000) });
      const loginAt = Math.floor(clock / 1000);
      const login = await request(`${t.url}/auth/login`, { body: { email: signedUp.email, password: PASSWORD } });
      expect(decodeJwt(login.body.access_token)).toMatchObject({ amr: ['pwd'], auth_time: loginAt });
      advance(120_000);
      const refreshed = await request(`${t.url}/auth/refresh`, { body: { refresh_token: login.body.refresh_token } });
      expect(decodeJwt(refreshed.body.access_token)).toMatchObject({ amr: ['pwd'], auth_time: loginAt });
      const discovery = await request(`${t.url}/.well-known/openid-configuration`);
      expect(discovery.body.claims_supported).toEqual(expect.arrayContaining(['amr', 'auth_time']));
    });

    it('cookie delivery: the second step answers like login, the refresh token in the HttpOnly cookie', async () => {
      const user = await withTotp();
      const cookieMode = { 'x-sigil-token-delivery': 'cookie' };
      const first = await passwordStep(user.email, t, cookieMode);
      const done = await verify(first.body.mfa_token, 'totp', codeAt(user.secret, clock), t, cookieMode);
      expect(done.status).toBe(200);
      expect(done.body).not.toHaveProperty('refresh_token');
      expect(done.headers.getSetCookie().find((c) => c.startsWith('sigil_refresh='))).toMatch(/HttpOnly.*SameSite=Strict/);
    });

    it('each code is accepted once: the confirmation code, a used code and an earlier step are refused', async () => {
      const user = await signup(t.url);
      const { body } = await request(`${t.url}/auth/mfa/totp`, { method: 'POST', headers: bearer(user.access_token) });
      const confirmCode = codeAt(body.secret, clock);
      await request(`${t.url}/auth/mfa/totp/confirm`, { headers: bearer(user.access_token), body: { code: confirmCode } });
      // The same step again, at login: a replay.
      const first = await passwordStep(user.email);
      expectProblem(await verify(first.body.mfa_token, 'totp', confirmCode), 401, 'invalid_mfa');

      advance(STEP_MS);
      const code = codeAt(body.secret, clock);
      expect((await verify(first.body.mfa_token, 'totp', code)).status).toBe(200);
      // A second login in the same step cannot reuse it, nor the code of the step before.
      const second = await passwordStep(user.email);
      expectProblem(await verify(second.body.mfa_token, 'totp', code), 401, 'invalid_mfa');
      expectProblem(await verify(second.body.mfa_token, 'totp', codeAt(body.secret, clock - STEP_MS)), 401, 'invalid_mfa');
      advance(STEP_MS);
      expect((await verify(second.body.mfa_token, 'totp', codeAt(body.secret, clock))).status).toBe(200);
    });

    it('accepts one step of clock skew either way, and refuses two', async () => {
      for (const [skew, ok] of [
        [-1, true],
        [1, true],
        [-2, false],
        [2, false],
      ] as const) {
        const user = await withTotp();
        // Well past the step the confirmation used, so that only the window decides.
        advance(5 * STEP_MS);
        const first = await passwordStep(user.email);
        const res = await verify(first.body.mfa_token, 'totp', codeAt(user.secret, clock + skew * STEP_MS));
        if (ok) expect(res.status, `skew ${skew}`).toBe(200);
        else expectProblem(res, 401, 'invalid_mfa');
      }
    });

    it('recovery codes log in once each, typed in any case and spacing; new ones void the old', async () => {
      const user = await withTotp();
      const [firstCode, secondCode, thirdCode] = user.recoveryCodes;
      const a = await passwordStep(user.email);
      const used = await verify(a.body.mfa_token, 'recovery_code', firstCode!);
      expect(used.status).toBe(200);
      expect(decodeJwt(used.body.access_token).amr).toEqual(['pwd', 'otp', 'mfa']);

      const b = await passwordStep(user.email);
      expectProblem(await verify(b.body.mfa_token, 'recovery_code', firstCode!), 401, 'invalid_mfa');
      expect((await verify(b.body.mfa_token, 'recovery_code', ` ${secondCode!.toUpperCase().replaceAll('-', ' ')} `)).status).toBe(200);
      const status = await request(`${t.url}/auth/mfa`, { headers: bearer(user.access_token) });
      expect(status.body.recovery_codes_remaining).toBe(8);

      // New codes need the password; the old ones are void at once.
      expectProblem(
        await request(`${t.url}/auth/mfa/recovery-codes`, { headers: bearer(user.access_token), body: { password: 'not the password' } }),
        400,
        'invalid_request',
      );
      const fresh = await request(`${t.url}/auth/mfa/recovery-codes`, { headers: bearer(user.access_token), body: { password: PASSWORD } });
      expect(fresh.status).toBe(200);
      expect(fresh.body.recovery_codes).toHaveLength(10);
      expect(fresh.body.recovery_codes).not.toContain(thirdCode);
      const c = await passwordStep(user.email);
      expectProblem(await verify(c.body.mfa_token, 'recovery_code', thirdCode!), 401, 'invalid_mfa');
      expect((await verify(c.body.mfa_token, 'recovery_code', fresh.body.recovery_codes[0])).status).toBe(200);
    });

    it('recovery codes are for accounts with a second factor', async () => {
      const user = await signup(t.url);
      expectProblem(
        await request(`${t.url}/auth/mfa/recovery-codes`, { headers: bearer(user.access_token), body: { password: PASSWORD } }),
        400,
        'invalid_request',
      );
    });

    it('turning TOTP off needs the password and voids the recovery codes', async () => {
      const user = await withTotp();
      expectProblem(
        await request(`${t.url}/auth/mfa/totp`, {
          method: 'DELETE',
          headers: bearer(user.access_token),
          body: { password: 'wrong password' },
        }),
        400,
        'invalid_request',
      );
      expectProblem(
        await request(`${t.url}/auth/mfa/totp`, { method: 'DELETE', headers: bearer(user.access_token) }),
        400,
        'invalid_request',
      );
      const pending = await passwordStep(user.email);
      const off = await request(`${t.url}/auth/mfa/totp`, {
        method: 'DELETE',
        headers: bearer(user.access_token),
        body: { password: PASSWORD },
      });
      expect(off.status).toBe(204);
      const rows = await t.db.query(
        'SELECT 1 FROM recovery_codes WHERE user_id = $1 UNION ALL SELECT 1 FROM totp_factors WHERE user_id = $1',
        [user.user.id],
      );
      expect(rows).toEqual([]);
      // A login halfway through its second step cannot finish with a code of the old factor.
      expectProblem(await verify(pending.body.mfa_token, 'recovery_code', user.recoveryCodes[0]!), 400, 'invalid_grant');
      const login = await request(`${t.url}/auth/login`, { body: { email: user.email, password: PASSWORD } });
      expect(login.status).toBe(200);
      expect(decodeJwt(login.body.access_token).amr).toEqual(['pwd']);
    });

    it('a wrong password is still 401 invalid_credentials, before any second step', async () => {
      const user = await withTotp();
      expectProblem(
        await request(`${t.url}/auth/login`, { body: { email: user.email, password: 'not the password' } }),
        401,
        'invalid_credentials',
      );
    });
  });

  describe('mfa_token misuse', () => {
    it('refuses an expired token (5 minutes), a used one, an unknown one and a malformed body', async () => {
      const user = await withTotp();
      const first = await passwordStep(user.email);
      advance(301_000);
      expectProblem(await verify(first.body.mfa_token, 'totp', codeAt(user.secret, clock)), 400, 'invalid_grant');

      const second = await passwordStep(user.email);
      expect((await verify(second.body.mfa_token, 'totp', codeAt(user.secret, clock))).status).toBe(200);
      advance(STEP_MS);
      expectProblem(await verify(second.body.mfa_token, 'totp', codeAt(user.secret, clock)), 400, 'invalid_grant');

      expectProblem(await verify('A'.repeat(43), 'totp', '123456'), 400, 'invalid_grant');
      expectProblem(await verify('short', 'totp', '123456'), 400, 'invalid_grant');
      expectProblem(await request(`${t.url}/auth/mfa/verify`, { body: { mfa_token: 42, method: 'totp' } }), 400, 'invalid_request');
      expectProblem(await request(`${t.url}/auth/mfa/verify`, { body: {} }), 400, 'invalid_request');
    });

    it('is bound to the client that passed the password: another User-Agent or token delivery cannot use it', async () => {
      const user = await withTotp();
      const first = await passwordStep(user.email, t, { 'user-agent': 'Browser A' });
      const code = codeAt(user.secret, clock);
      expectProblem(await verify(first.body.mfa_token, 'totp', code, t, { 'user-agent': 'Browser B' }), 400, 'invalid_grant');
      expectProblem(
        await verify(first.body.mfa_token, 'totp', code, t, { 'user-agent': 'Browser A', 'x-sigil-token-delivery': 'cookie' }),
        400,
        'invalid_grant',
      );
      expect((await verify(first.body.mfa_token, 'totp', code, t, { 'user-agent': 'Browser A' })).status).toBe(200);

      // Tries from other clients use the challenge up as wrong codes do.
      advance(STEP_MS);
      const second = await passwordStep(user.email, t, { 'user-agent': 'Browser A' });
      for (let i = 0; i < 5; i++) {
        expectProblem(await verify(second.body.mfa_token, 'totp', '000000', t, { 'user-agent': `Browser ${i}` }), 400, 'invalid_grant');
      }
      const late = await verify(second.body.mfa_token, 'totp', codeAt(user.secret, clock), t, { 'user-agent': 'Browser A' });
      expectProblem(late, 400, 'invalid_grant');
    });

    it('one challenge takes 5 wrong codes, then the login starts again', async () => {
      const user = await withTotp();
      const first = await passwordStep(user.email);
      for (let i = 0; i < 4; i++) expectProblem(await verify(first.body.mfa_token, 'totp', '000000'), 401, 'invalid_mfa');
      const fifth = await verify(first.body.mfa_token, 'recovery_code', 'aaaa-aaaa-aaaa-aaaa');
      expectProblem(fifth, 401, 'invalid_mfa');
      expect(fifth.body.detail).toMatch(/sign in again/);
      expectProblem(await verify(first.body.mfa_token, 'totp', codeAt(user.secret, clock)), 400, 'invalid_grant');
      // A new password step gives a new challenge (the account's own budget is 10 here).
      const second = await passwordStep(user.email);
      expect((await verify(second.body.mfa_token, 'totp', codeAt(user.secret, clock))).status).toBe(200);
    });

    it('wrong codes count per account across challenges: a lockout with Retry-After, even for the right code', async () => {
      const user = await withTotp(strict);
      for (let i = 0; i < 3; i++) {
        const challenge = await passwordStep(user.email, strict);
        expectProblem(await verify(challenge.body.mfa_token, 'totp', '000000', strict), 401, 'invalid_mfa');
      }
      const next = await passwordStep(user.email, strict);
      const locked = await verify(next.body.mfa_token, 'totp', codeAt(user.secret, clock), strict);
      expectProblem(locked, 429, 'rate_limited');
      expect(Number(locked.headers.get('retry-after'))).toBeGreaterThan(0);
      expect(strict.logs.some((l) => l.event === 'mfa_lockout' && l.userId === user.user.id)).toBe(true);
      // Another account is not affected.
      const other = await withTotp(strict);
      const its = await passwordStep(other.email, strict);
      expect((await verify(its.body.mfa_token, 'totp', codeAt(other.secret, clock), strict)).status).toBe(200);
    });

    it('an unknown method or a method the account lacks is a wrong factor', async () => {
      const user = await withTotp();
      const first = await passwordStep(user.email);
      expectProblem(await verify(first.body.mfa_token, 'passkey', '123456'), 401, 'invalid_mfa');
      expectProblem(await verify(first.body.mfa_token, 'sms', '123456'), 401, 'invalid_mfa');
      expect((await verify(first.body.mfa_token, 'totp', codeAt(user.secret, clock))).status).toBe(200);
    });

    it('never logs the mfa token, the secret or a code', async () => {
      const user = await withTotp();
      const first = await passwordStep(user.email);
      await verify(first.body.mfa_token, 'totp', '000000');
      await verify(first.body.mfa_token, 'recovery_code', user.recoveryCodes[5]!);
      const logs = t.rawLogs.join('\n');
      for (const secret of [first.body.mfa_token, user.secret, user.recoveryCodes[5]!]) expect(logs).not.toContain(secret);
      expect(t.logs.some((l) => l.event === 'mfa_failed' && l.userId === user.user.id)).toBe(true);
    });
  });

  describe('the account around its factors', () => {
    it('a password change keeps the factors and voids a login halfway through its second step', async () => {
      const user = await withTotp();
      const pending = await passwordStep(user.email);
      const NEW = 'a brand new passphrase';
      const changed = await request(`${t.url}/auth/password`, {
        headers: bearer(user.access_token),
        body: { current_password: PASSWORD, new_password: NEW },
      });
      expect(changed.status).toBe(204);
      expectProblem(await verify(pending.body.mfa_token, 'totp', codeAt(user.secret, clock)), 400, 'invalid_grant');
      const again = await request(`${t.url}/auth/login`, { body: { email: user.email, password: NEW } });
      expectProblem(again, 403, 'mfa_required');
    });

    it('a password reset keeps the factors', async () => {
      const user = await withTotp();
      await request(`${t.url}/auth/password/forgot`, { body: { email: user.email } });
      let link: string | undefined;
      for (let i = 0; i < 200 && !link; i++) {
        const mails = (await request(`${t.url}/dev/mailbox.json`)).body as Array<{ to: string; links: string[] }>;
        link = mails.find((m) => m.to === user.email && m.links.some((l) => l.includes('/password/reset')))?.links[0];
        if (!link) await new Promise((resolve) => setTimeout(resolve, 50));
      }
      const token = new URL(link!).searchParams.get('token');
      const NEW = 'a brand new passphrase';
      expect((await request(`${t.url}/auth/password/reset`, { body: { token, new_password: NEW } })).status).toBe(204);
      expectProblem(await request(`${t.url}/auth/login`, { body: { email: user.email, password: NEW } }), 403, 'mfa_required');
    });

    it('deleting the account erases its factors, codes and challenges', async () => {
      const user = await withTotp();
      await passwordStep(user.email);
      const res = await request(`${t.url}/auth/account`, {
        method: 'DELETE',
        headers: bearer(user.access_token),
        body: { password: PASSWORD },
      });
      expect(res.status).toBe(204);
      const rows = await t.db.query(
        `SELECT 1 FROM totp_factors WHERE user_id = $1 UNION ALL SELECT 1 FROM recovery_codes WHERE user_id = $1
         UNION ALL SELECT 1 FROM mfa_challenges WHERE user_id = $1`,
        [user.user.id],
      );
      expect(rows).toEqual([]);
    });

    it('the admin reset removes TOTP, recovery codes and passkeys, ends every session, and is logged at warn', async () => {
      const user = await withTotp();
      // A passkey row as the passkeys table has it (its columns are the passkeys code's business:
      // fill every NOT NULL column without a default).
      const required = await t.db.query<{ column_name: string; data_type: string }>(
        `SELECT column_name, data_type FROM information_schema.columns
         WHERE table_schema = current_schema() AND table_name = 'passkeys' AND is_nullable = 'NO' AND column_default IS NULL`,
      );
      const known: Record<string, unknown> = {
        id: randomUUID(),
        user_id: user.user.id,
        credential_id: `cred-${user.user.id}`,
        counter: 0,
        device_type: 'multiDevice',
        backed_up: true,
        created_at: new Date(),
      };
      const values = required.map((c) => known[c.column_name] ?? (c.data_type === 'boolean' ? false : c.data_type === 'bigint' ? 0 : 'x'));
      await t.db.query(
        `INSERT INTO passkeys (${required.map((c) => c.column_name).join(', ')}) VALUES (${required.map((_, i) => `$${i + 1}`).join(', ')})`,
        values,
      );
      const pending = await passwordStep(user.email);
      const removed = await t.server.service.resetSecondFactors(user.user.id);
      expect(removed).toEqual({ totp: true, recoveryCodes: 10, passkeys: 1 });
      expect(t.logs.some((l) => l.event === 'mfa_reset' && l.userId === user.user.id && l.level === 40)).toBe(true);
      expectProblem(await request(`${t.url}/auth/me`, { headers: bearer(user.access_token) }), 401, 'invalid_token');
      expectProblem(await verify(pending.body.mfa_token, 'totp', codeAt(user.secret, clock)), 400, 'invalid_grant');
      const login = await request(`${t.url}/auth/login`, { body: { email: user.email, password: PASSWORD } });
      expect(login.status).toBe(200);
      expect(await t.db.query('SELECT 1 FROM passkeys WHERE user_id = $1', [user.user.id])).toEqual([]);
    });
  });
});

describe('second factors under SIGIL_EMAIL_VERIFICATION=required', () => {
  let t: TestServer;
  beforeAll(async () => {
    t = await startTestServer({ emailVerification: 'required' });
  });
  afterAll(() => t?.close());

  it('checks the address before the second step: an unverified account with TOTP gets email_not_verified', async () => {
    const email = uniqueEmail();
    await t.server.createUser({ email, password: PASSWORD, emailVerified: true });
    const login = await request(`${t.url}/auth/login`, { body: { email, password: PASSWORD } });
    const token = login.body.access_token as string;
    const { body } = await request(`${t.url}/auth/mfa/totp`, { method: 'POST', headers: bearer(token) });
    const code = TOTP.generate({ secret: Secret.fromBase32(body.secret), timestamp: Date.now() });
    expect((await request(`${t.url}/auth/mfa/totp/confirm`, { headers: bearer(token), body: { code } })).status).toBe(200);
    expectProblem(await request(`${t.url}/auth/login`, { body: { email, password: PASSWORD } }), 403, 'mfa_required');

    await t.db.query('UPDATE users SET email_verified_at = NULL WHERE email = $1', [email]);
    expectProblem(await request(`${t.url}/auth/login`, { body: { email, password: PASSWORD } }), 403, 'email_not_verified');
  });
});
