import { decodeJwt } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PASSWORD, expectProblem, request, signup, uniqueEmail } from './helpers/auth-server.ts';
import { sharedMemoryPGlite, testDrivers, uniqueSchema } from './support/database.ts';
import { linkOf, outboxOf, startMailingServer, tokenOf, until, type MailingServer } from './support/lifecycle.ts';

// The account lifecycle over real HTTP, with every mail delivered to a real SMTP server and every
// link read from the mail as a user would.

const NEW_PASSWORD = 'a brand new passphrase';
const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

beforeAll(async () => {
  await sharedMemoryPGlite();
}, 120_000);

describe.each(testDrivers())('account lifecycle on $name', (driver) => {
  // A clock the tests move forward to expire links.
  let offset = 0;
  let s: MailingServer;
  beforeAll(async () => {
    s = await startMailingServer({ ...driver.configFor(uniqueSchema('life')), now: () => new Date(Date.now() + offset) });
  });
  afterAll(() => s?.close());
  const url = () => s.t.url;

  /** A new account whose signup verification mail has arrived; returns its tokens and that mail's token. */
  async function newAccount() {
    const user = await signup(url());
    const mail = await s.mailbox.next(user.email, '/email/verify');
    return { ...user, verifyToken: tokenOf(mail) };
  }

  async function forgot(email: string, mailedTo = email) {
    const res = await request(`${url()}/auth/password/forgot`, { body: { email } });
    expect(res.status).toBe(202);
    return tokenOf(await s.mailbox.next(mailedTo, '/password/reset'));
  }

  describe('email verification', () => {
    it("signup mails a link to the issuer's page; POST /auth/email/verify verifies the address once", async () => {
      const user = await signup(url());
      expect(user.user.email_verified).toBe(false);
      expect(decodeJwt(user.access_token).email_verified).toBe(false);
      const mail = await s.mailbox.next(user.email, '/email/verify');
      const link = linkOf(mail, '/email/verify');
      expect(`${link.origin}${link.pathname}`).toBe(`${s.t.server.issuer}/email/verify`);

      const verified = await request(`${url()}/auth/email/verify`, { body: { token: link.searchParams.get('token') } });
      expect(verified.status).toBe(200);
      expect(verified.headers.get('cache-control')).toBe('no-store');
      expect(verified.body).toEqual({ user: { ...user.user, email_verified: true } });
      expect((await request(`${url()}/auth/me`, { headers: bearer(user.access_token) })).body.user.email_verified).toBe(true);
      // The next access token says so too.
      const refreshed = await request(`${url()}/auth/refresh`, { body: { refresh_token: user.refresh_token } });
      expect(decodeJwt(refreshed.body.access_token).email_verified).toBe(true);

      expectProblem(await request(`${url()}/auth/email/verify`, { body: { token: link.searchParams.get('token') } }), 400, 'invalid_grant');
    });

    it('refuses unknown, malformed and missing tokens', async () => {
      expectProblem(await request(`${url()}/auth/email/verify`, { body: { token: 'A'.repeat(43) } }), 400, 'invalid_grant');
      expectProblem(await request(`${url()}/auth/email/verify`, { body: { token: 'not a token' } }), 400, 'invalid_grant');
      expectProblem(await request(`${url()}/auth/email/verify`, { body: {} }), 400, 'invalid_request');
      expectProblem(await request(`${url()}/auth/email/verify`, { body: { token: 42 } }), 400, 'invalid_request');
    });

    it('POST /auth/email/verification mails a fresh link (202); a verified account gets 202 and nothing; 401 without a token', async () => {
      const user = await newAccount();
      const resend = await request(`${url()}/auth/email/verification`, { method: 'POST', headers: bearer(user.access_token) });
      expect(resend.status).toBe(202);
      expect(resend.text).toBe('');
      const fresh = tokenOf(await s.mailbox.next(user.email, '/email/verify'));
      expect(fresh).not.toBe(user.verifyToken);
      expect((await request(`${url()}/auth/email/verify`, { body: { token: fresh } })).status).toBe(200);

      const before = (await outboxOf(s.t.db, user.email)).length;
      expect((await request(`${url()}/auth/email/verification`, { method: 'POST', headers: bearer(user.access_token) })).status).toBe(202);
      expect(await outboxOf(s.t.db, user.email)).toHaveLength(before);
      expectProblem(await request(`${url()}/auth/email/verification`, { method: 'POST' }), 401, 'invalid_token');
    });

    it('a verification link expires after SIGIL_VERIFY_EMAIL_TTL (24 h)', async () => {
      const user = await newAccount();
      offset = 24 * 3600 * 1000 + 1000;
      try {
        expectProblem(await request(`${url()}/auth/email/verify`, { body: { token: user.verifyToken } }), 400, 'invalid_grant');
      } finally {
        offset = 0;
      }
    });
  });

  describe('forgotten password', () => {
    it('forgot -> reset: 204, the new password works, every session ends, the address is verified, a notice is mailed', async () => {
      const user = await newAccount();
      const other = await request(`${url()}/auth/login`, { body: { email: user.email, password: PASSWORD } });
      const token = await forgot(user.email);

      const weak = await request(`${url()}/auth/password/reset`, { body: { token, new_password: 'short' } });
      expectProblem(weak, 400, 'invalid_request');
      expect(weak.body.errors.map((e: { path: string }) => e.path)).toEqual(['new_password']);

      const reset = await request(`${url()}/auth/password/reset`, { body: { token, new_password: NEW_PASSWORD } });
      expect(reset.status).toBe(204);
      expect(reset.text).toBe('');
      // Every session of the user is revoked: refresh tokens and access tokens of both.
      expectProblem(await request(`${url()}/auth/refresh`, { body: { refresh_token: other.body.refresh_token } }), 401, 'invalid_grant');
      expectProblem(await request(`${url()}/auth/refresh`, { body: { refresh_token: user.refresh_token } }), 401, 'invalid_grant');
      expectProblem(await request(`${url()}/auth/me`, { headers: bearer(user.access_token) }), 401, 'invalid_token');
      expectProblem(await request(`${url()}/auth/login`, { body: { email: user.email, password: PASSWORD } }), 401, 'invalid_credentials');
      const login = await request(`${url()}/auth/login`, { body: { email: user.email, password: NEW_PASSWORD } });
      expect(login.status).toBe(200);
      expect(login.body.user.email_verified).toBe(true);
      await until('the password_changed notice', async () =>
        s.mailbox.all(user.email).some((m) => /password was changed/i.test(m.subject)),
      );

      // Used once; and the verification link mailed before the reset is void.
      expectProblem(await request(`${url()}/auth/password/reset`, { body: { token, new_password: NEW_PASSWORD } }), 400, 'invalid_grant');
      expectProblem(await request(`${url()}/auth/email/verify`, { body: { token: user.verifyToken } }), 400, 'invalid_grant');
    });

    it('an unknown address gets the same 202, and its mail is skipped, never sent', async () => {
      const email = uniqueEmail();
      const res = await request(`${url()}/auth/password/forgot`, { body: { email } });
      expect(res.status).toBe(202);
      expect(res.text).toBe('');
      await until('the skipped mail', async () => (await outboxOf(s.t.db, email)).every((row) => row.status === 'skipped') || undefined);
      expect(await outboxOf(s.t.db, email)).toEqual([{ template: 'password_reset', status: 'skipped' }]);
      expect(s.mailbox.all(email)).toEqual([]);
    });

    it('a disabled account gets no reset link', async () => {
      const user = await signup(url());
      await s.t.server.service.setUserDisabled(user.user.id, true);
      expect((await request(`${url()}/auth/password/forgot`, { body: { email: user.email } })).status).toBe(202);
      await until('the skipped mail', async () =>
        (await outboxOf(s.t.db, user.email)).some((row) => row.template === 'password_reset' && row.status === 'skipped'),
      );
      expect(s.mailbox.all(user.email).filter((m) => m.links.some((l) => l.includes('/password/reset')))).toEqual([]);
    });

    it('the address is found case-insensitively, and the reset works from it', async () => {
      const user = await signup(url());
      // Mail parsers (and servers) lower-case the domain they report; the mail went to the address typed.
      const token = await forgot(user.email.toUpperCase(), user.email.toUpperCase().replace(/@.*/, '@example.com'));
      expect((await request(`${url()}/auth/password/reset`, { body: { token, new_password: NEW_PASSWORD } })).status).toBe(204);
    });

    it('a reset link expires after SIGIL_PASSWORD_RESET_TTL (30 min)', async () => {
      const user = await signup(url());
      const token = await forgot(user.email);
      offset = 30 * 60 * 1000 + 1000;
      try {
        expectProblem(await request(`${url()}/auth/password/reset`, { body: { token, new_password: NEW_PASSWORD } }), 400, 'invalid_grant');
      } finally {
        offset = 0;
      }
    });

    it('a password change (POST /auth/password) voids reset and verification links and mails a notice', async () => {
      const user = await newAccount();
      const token = await forgot(user.email);
      const changed = await request(`${url()}/auth/password`, {
        headers: bearer(user.access_token),
        body: { current_password: PASSWORD, new_password: NEW_PASSWORD },
      });
      expect(changed.status).toBe(204);
      expectProblem(
        await request(`${url()}/auth/password/reset`, { body: { token, new_password: 'yet another passphrase' } }),
        400,
        'invalid_grant',
      );
      expectProblem(await request(`${url()}/auth/email/verify`, { body: { token: user.verifyToken } }), 400, 'invalid_grant');
      await until('the password_changed notice', async () =>
        s.mailbox.all(user.email).some((m) => /password was changed/i.test(m.subject)),
      );
    });

    it('two resets racing with one link: one 204, one invalid_grant', async () => {
      const user = await signup(url());
      const token = await forgot(user.email);
      const results = await Promise.all(
        ['first racing passphrase', 'second racing passphrase'].map((new_password) =>
          request(`${url()}/auth/password/reset`, { body: { token, new_password } }),
        ),
      );
      expect(results.map((r) => r.status).sort()).toEqual([204, 400]);
    });
  });

  describe('email change', () => {
    it('mails a link to the new address and a notice to the old; the link moves the account, verified', async () => {
      const user = await newAccount();
      const newEmail = uniqueEmail();
      const res = await request(`${url()}/auth/email/change`, {
        headers: bearer(user.access_token),
        body: { new_email: newEmail, password: PASSWORD },
      });
      expect(res.status).toBe(202);
      const notice = await s.mailbox.next(user.email);
      expect(notice.text).toContain(newEmail);
      expect(notice.links.filter((l) => l.includes('token='))).toEqual([]);
      const token = tokenOf(await s.mailbox.next(newEmail, '/email/verify'));
      const reset = await forgot(user.email);

      const moved = await request(`${url()}/auth/email/verify`, { body: { token } });
      expect(moved.status).toBe(200);
      expect(moved.body.user).toEqual({ ...user.user, email: newEmail, email_verified: true });
      expect((await request(`${url()}/auth/login`, { body: { email: newEmail, password: PASSWORD } })).status).toBe(200);
      expectProblem(await request(`${url()}/auth/login`, { body: { email: user.email, password: PASSWORD } }), 401, 'invalid_credentials');
      // Links mailed to the account before the change are void.
      expectProblem(
        await request(`${url()}/auth/password/reset`, { body: { token: reset, new_password: NEW_PASSWORD } }),
        400,
        'invalid_grant',
      );
      expectProblem(await request(`${url()}/auth/email/verify`, { body: { token } }), 400, 'invalid_grant');
    });

    it('409 for a taken address, 400 for a wrong password or the same address, 401 without a token', async () => {
      const user = await signup(url());
      const other = await signup(url());
      const change = (body: unknown, headers: Record<string, string> = bearer(user.access_token)) =>
        request(`${url()}/auth/email/change`, { headers, body });
      expectProblem(await change({ new_email: other.email.toUpperCase(), password: PASSWORD }), 409, 'email_taken');
      const wrong = await change({ new_email: uniqueEmail(), password: 'not the password' });
      expectProblem(wrong, 400, 'invalid_request');
      expect(wrong.body.errors).toEqual([{ path: 'password', message: 'incorrect password' }]);
      expectProblem(await change({ new_email: user.email, password: PASSWORD }), 400, 'invalid_request');
      expectProblem(await change({ new_email: 'not an address', password: PASSWORD }), 400, 'invalid_request');
      expectProblem(await change({ new_email: uniqueEmail(), password: PASSWORD }, {}), 401, 'invalid_token');
    });

    it('a second request voids the first link; a link whose address was taken meanwhile is 409 and stays usable', async () => {
      const user = await signup(url());
      const first = uniqueEmail();
      const second = uniqueEmail();
      for (const new_email of [first, second]) {
        const res = await request(`${url()}/auth/email/change`, {
          headers: bearer(user.access_token),
          body: { new_email, password: PASSWORD },
        });
        expect(res.status).toBe(202);
      }
      const firstToken = tokenOf(await s.mailbox.next(first, '/email/verify'));
      const secondToken = tokenOf(await s.mailbox.next(second, '/email/verify'));
      expectProblem(await request(`${url()}/auth/email/verify`, { body: { token: firstToken } }), 400, 'invalid_grant');

      const squatter = await signup(url(), second);
      expectProblem(await request(`${url()}/auth/email/verify`, { body: { token: secondToken } }), 409, 'email_taken');
      // The squatter leaves; the address is free again and the link still works.
      const gone = await request(`${url()}/auth/account`, {
        method: 'DELETE',
        headers: bearer(squatter.access_token),
        body: { password: PASSWORD },
      });
      expect(gone.status).toBe(204);
      expect((await request(`${url()}/auth/email/verify`, { body: { token: secondToken } })).status).toBe(200);
    });
  });

  describe('account deletion', () => {
    it('DELETE /auth/account erases the account: its tokens are refused, a notice is mailed, the address is free again', async () => {
      const user = await newAccount();
      const other = await request(`${url()}/auth/login`, { body: { email: user.email, password: PASSWORD } });
      const wrong = await request(`${url()}/auth/account`, {
        method: 'DELETE',
        headers: bearer(user.access_token),
        body: { password: 'nope nope' },
      });
      expectProblem(wrong, 400, 'invalid_request');
      expectProblem(
        await request(`${url()}/auth/account`, { method: 'DELETE', headers: bearer(user.access_token), body: {} }),
        400,
        'invalid_request',
      );

      const deleted = await request(`${url()}/auth/account`, {
        method: 'DELETE',
        headers: bearer(user.access_token),
        body: { password: PASSWORD },
      });
      expect(deleted.status).toBe(204);
      // Access tokens still inside their 15 minutes are refused by the server's own endpoints.
      for (const token of [user.access_token, other.body.access_token]) {
        expectProblem(await request(`${url()}/auth/me`, { headers: bearer(token) }), 401, 'invalid_token');
        expectProblem(await request(`${url()}/auth/sessions`, { headers: bearer(token) }), 401, 'invalid_token');
      }
      expectProblem(await request(`${url()}/auth/refresh`, { body: { refresh_token: other.body.refresh_token } }), 401, 'invalid_grant');
      expectProblem(await request(`${url()}/auth/login`, { body: { email: user.email, password: PASSWORD } }), 401, 'invalid_credentials');
      expectProblem(await request(`${url()}/auth/email/verify`, { body: { token: user.verifyToken } }), 400, 'invalid_grant');
      const rows = await s.t.db.query('SELECT 1 FROM users WHERE id = $1 UNION ALL SELECT 1 FROM account_tokens WHERE user_id = $1', [
        user.user.id,
      ]);
      expect(rows).toEqual([]);
      await until('the account_deleted notice', async () => s.mailbox.all(user.email).some((m) => /deleted/i.test(m.subject)));
      expect((await request(`${url()}/auth/signup`, { body: { email: user.email, password: PASSWORD } })).status).toBe(201);
    });
  });
});

describe('SIGIL_EMAIL_VERIFICATION=required', () => {
  let s: MailingServer;
  beforeAll(async () => {
    s = await startMailingServer({ emailVerification: 'required' });
  });
  afterAll(() => s?.close());

  it('signup answers 201 {user, email_verification_required} with no tokens and no session; login waits for the link', async () => {
    const email = uniqueEmail();
    const res = await request(`${s.t.url}/auth/signup`, {
      body: { email, password: PASSWORD },
      headers: { 'x-sigil-token-delivery': 'cookie' },
    });
    expect(res.status).toBe(201);
    expect(res.body).toEqual({
      user: { id: expect.any(String), email, name: null, roles: [], email_verified: false },
      email_verification_required: true,
    });
    expect(res.headers.get('set-cookie')).toBeNull();
    expect(await s.t.db.query('SELECT 1 FROM sessions WHERE user_id = $1', [res.body.user.id])).toEqual([]);
    const signupLink = tokenOf(await s.mailbox.next(email, '/email/verify'));

    // Only the right password tells the account is unverified, and mails a fresh link.
    expectProblem(await request(`${s.t.url}/auth/login`, { body: { email, password: 'wrong password!' } }), 401, 'invalid_credentials');
    expectProblem(await request(`${s.t.url}/auth/login`, { body: { email, password: PASSWORD } }), 403, 'email_not_verified');
    const fresh = tokenOf(await s.mailbox.next(email, '/email/verify'));
    expect(fresh).not.toBe(signupLink);

    expect((await request(`${s.t.url}/auth/email/verify`, { body: { token: fresh } })).status).toBe(200);
    const login = await request(`${s.t.url}/auth/login`, { body: { email, password: PASSWORD } });
    expect(login.status).toBe(200);
    expect(decodeJwt(login.body.access_token).email_verified).toBe(true);
  });

  it('a password reset proves the address, so the account can sign in after it', async () => {
    const email = uniqueEmail();
    expect((await request(`${s.t.url}/auth/signup`, { body: { email, password: PASSWORD } })).status).toBe(201);
    await s.mailbox.next(email, '/email/verify');
    expect((await request(`${s.t.url}/auth/password/forgot`, { body: { email } })).status).toBe(202);
    const token = tokenOf(await s.mailbox.next(email, '/password/reset'));
    expect((await request(`${s.t.url}/auth/password/reset`, { body: { token, new_password: NEW_PASSWORD } })).status).toBe(204);
    expect((await request(`${s.t.url}/auth/login`, { body: { email, password: NEW_PASSWORD } })).status).toBe(200);
  });
});

describe('SIGIL_EMAIL_VERIFICATION=off', () => {
  let s: MailingServer;
  beforeAll(async () => {
    s = await startMailingServer({ emailVerification: 'off' });
  });
  afterAll(() => s?.close());

  it('signup queues no mail; the address can still be verified on request', async () => {
    const user = await signup(s.t.url);
    expect(await outboxOf(s.t.db, user.email)).toEqual([]);
    expect((await request(`${s.t.url}/auth/email/verification`, { method: 'POST', headers: bearer(user.access_token) })).status).toBe(202);
    const token = tokenOf(await s.mailbox.next(user.email, '/email/verify'));
    expect((await request(`${s.t.url}/auth/email/verify`, { body: { token } })).body.user.email_verified).toBe(true);
  });
});
