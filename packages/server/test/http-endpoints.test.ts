import { hash } from '@node-rs/argon2';
import { decodeJwt, decodeProtectedHeader } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TEST_DATABASE_URL, dropSchema, uniqueSchema } from './support/database.ts';
import { PASSWORD, expectProblem, request, signup, startTestServer, uniqueEmail, type TestServer } from './helpers/auth-server.ts';

// The whole API contract, on the embedded database and (when available) on PostgreSQL.
const variants: Array<{ name: string; options: () => Record<string, string> }> = [{ name: 'PGlite', options: () => ({}) }];
if (TEST_DATABASE_URL)
  variants.push({ name: 'PostgreSQL', options: () => ({ databaseUrl: TEST_DATABASE_URL!, databaseSchema: uniqueSchema('http') }) });

describe.each(variants)('auth API on $name', (variant) => {
  let t: TestServer;
  let schema: string | undefined;
  beforeAll(async () => {
    const options = variant.options();
    schema = options.databaseSchema;
    t = await startTestServer(options);
  });
  afterAll(async () => {
    await t?.close();
    if (schema) await dropSchema(schema);
  });

  const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

  describe('POST /auth/signup', () => {
    it('creates a user and returns a TokenResponse (201)', async () => {
      const email = uniqueEmail();
      const res = await request(`${t.url}/auth/signup`, { body: { email, password: PASSWORD, name: 'Ann' } });
      expect(res.status).toBe(201);
      expect(res.headers.get('cache-control')).toBe('no-store');
      expect(res.body).toMatchObject({ token_type: 'Bearer', expires_in: 900, user: { email, name: 'Ann', roles: [] } });
      expect(res.body.refresh_token).toMatch(/^[A-Za-z0-9_-]{43}$/);
      expect(res.body.expires_at).toBe(decodeJwt(res.body.access_token).exp);
      expect(JSON.stringify(res.body)).not.toMatch(/argon2|password/i);
    });

    it('issues an RS256 at+jwt with the claims of docs/architecture.md', async () => {
      const tokens = await signup(t.url);
      const header = decodeProtectedHeader(tokens.access_token);
      expect(header).toMatchObject({ alg: 'RS256', typ: 'at+jwt' });
      expect(header.kid).toEqual(expect.any(String));
      const claims = decodeJwt(tokens.access_token);
      expect(claims).toMatchObject({
        iss: t.url,
        sub: tokens.user.id,
        aud: 'sigil',
        email: tokens.email,
        roles: [],
        scope: 'openid profile email',
      });
      expect(claims.exp! - claims.iat!).toBe(900);
      expect(claims.jti).toEqual(expect.any(String));
      expect(claims.sid).toEqual(expect.any(String));
    });

    it('refuses a taken email, case-insensitively (409 email_taken)', async () => {
      const { email } = await signup(t.url);
      expectProblem(
        await request(`${t.url}/auth/signup`, { body: { email: email.toUpperCase(), password: PASSWORD } }),
        409,
        'email_taken',
      );
    });

    it.each([
      ['short password', { email: 'a@example.com', password: 'short' }, 'password'],
      ['password over 1 KiB', { email: 'a@example.com', password: 'x'.repeat(1025) }, 'password'],
      ['bad email', { email: 'not-an-email', password: PASSWORD }, 'email'],
      ['missing email', { password: PASSWORD }, 'email'],
      ['number password', { email: 'a@example.com', password: 1234567890123 }, 'password'],
    ])('rejects %s with 400 invalid_request naming the field', async (_label, body, field) => {
      const res = await request(`${t.url}/auth/signup`, { body });
      expectProblem(res, 400, 'invalid_request');
      expect(res.body.errors.map((e: { path: string }) => e.path)).toContain(field);
    });
  });

  describe('POST /auth/login', () => {
    it('logs in with the right password (200) and starts a new session', async () => {
      const user = await signup(t.url);
      const res = await request(`${t.url}/auth/login`, { body: { email: user.email, password: PASSWORD } });
      expect(res.status).toBe(200);
      expect(res.body.user.id).toBe(user.user.id);
      expect(decodeJwt(res.body.access_token).sid).not.toBe(decodeJwt(user.access_token).sid);
    });

    it('answers a wrong password and an unknown email identically (401 invalid_credentials)', async () => {
      const user = await signup(t.url);
      const wrong = await request(`${t.url}/auth/login`, { body: { email: user.email, password: 'wrong password!!' } });
      const unknown = await request(`${t.url}/auth/login`, { body: { email: uniqueEmail(), password: 'wrong password!!' } });
      expectProblem(wrong, 401, 'invalid_credentials');
      expectProblem(unknown, 401, 'invalid_credentials');
      expect(wrong.body).toEqual(unknown.body);
    });

    it('rehashes a password stored with older argon2id parameters on login', async () => {
      const user = await signup(t.url);
      const older = await hash(PASSWORD, { memoryCost: 19_456, timeCost: 3, parallelism: 1 });
      await t.db.query('UPDATE users SET password_hash = $2 WHERE id = $1', [user.user.id, older]);
      expect((await request(`${t.url}/auth/login`, { body: { email: user.email, password: PASSWORD } })).status).toBe(200);
      const [row] = await t.db.query<{ password_hash: string }>('SELECT password_hash FROM users WHERE id = $1', [user.user.id]);
      expect(row!.password_hash).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
      expect((await request(`${t.url}/auth/login`, { body: { email: user.email, password: PASSWORD } })).status).toBe(200);
    });

    it('accepts the email in another case and with spaces', async () => {
      const user = await signup(t.url);
      const res = await request(`${t.url}/auth/login`, { body: { email: `  ${user.email.toUpperCase()} `, password: PASSWORD } });
      expect(res.status).toBe(200);
    });
  });

  describe('GET /auth/me', () => {
    it('returns the user for a valid token', async () => {
      const user = await signup(t.url);
      const res = await request(`${t.url}/auth/me`, { headers: bearer(user.access_token) });
      expect(res.status).toBe(200);
      expect(res.body).toEqual({ user: user.user });
    });

    it('401 with an RFC 6750 challenge without a token', async () => {
      const res = await request(`${t.url}/auth/me`);
      expectProblem(res, 401, 'invalid_token');
      expect(res.headers.get('www-authenticate')).toBe(`Bearer realm="${t.url}"`);
    });

    it.each(['garbage', 'a.b.c', 'eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4In0.'])('401 invalid_token for %s', async (token) => {
      const res = await request(`${t.url}/auth/me`, { headers: bearer(token) });
      expectProblem(res, 401, 'invalid_token');
      expect(res.headers.get('www-authenticate')).toMatch(/^Bearer realm=".*", error="invalid_token", error_description="/);
    });

    it('401 for a tampered payload', async () => {
      const user = await signup(t.url);
      const [h, p, s] = user.access_token.split('.');
      const claims = JSON.parse(Buffer.from(p!, 'base64url').toString());
      claims.roles = ['admin'];
      const forged = `${h}.${Buffer.from(JSON.stringify(claims)).toString('base64url')}.${s}`;
      expectProblem(await request(`${t.url}/auth/me`, { headers: bearer(forged) }), 401, 'invalid_token');
    });

    it('401 once the session is logged out, although the JWT has not expired', async () => {
      const user = await signup(t.url);
      expect((await request(`${t.url}/auth/logout`, { body: { refresh_token: user.refresh_token } })).status).toBe(204);
      expectProblem(await request(`${t.url}/auth/me`, { headers: bearer(user.access_token) }), 401, 'invalid_token');
    });
  });

  describe('POST /auth/logout', () => {
    it('is idempotent: 204 for unknown, malformed and repeated tokens', async () => {
      const user = await signup(t.url);
      for (const refresh_token of [user.refresh_token, user.refresh_token, 'x'.repeat(43), 'nope']) {
        expect((await request(`${t.url}/auth/logout`, { body: { refresh_token } })).status).toBe(204);
      }
      expect((await request(`${t.url}/auth/logout`, { method: 'POST' })).status).toBe(204);
    });

    it('ends the session: its refresh token no longer works', async () => {
      const user = await signup(t.url);
      await request(`${t.url}/auth/logout`, { body: { refresh_token: user.refresh_token } });
      expectProblem(await request(`${t.url}/auth/refresh`, { body: { refresh_token: user.refresh_token } }), 401, 'invalid_grant');
    });
  });

  describe('sessions', () => {
    it('lists active sessions with the current one marked, and revokes one', async () => {
      const first = await signup(t.url);
      const second = (
        await request(`${t.url}/auth/login`, { body: { email: first.email, password: PASSWORD }, headers: { 'user-agent': 'tab-two' } })
      ).body;
      const list = await request(`${t.url}/auth/sessions`, { headers: bearer(second.access_token) });
      expect(list.status).toBe(200);
      expect(list.body.sessions).toHaveLength(2);
      const current = list.body.sessions.find((s: { current: boolean }) => s.current);
      expect(current).toMatchObject({ id: decodeJwt(second.access_token).sid, user_agent: 'tab-two' });
      for (const s of list.body.sessions)
        expect(Object.keys(s).sort()).toEqual(['created_at', 'current', 'id', 'last_used_at', 'user_agent']);

      const firstSid = decodeJwt(first.access_token).sid as string;
      expect((await request(`${t.url}/auth/sessions/${firstSid}`, { method: 'DELETE', headers: bearer(second.access_token) })).status).toBe(
        204,
      );
      expectProblem(await request(`${t.url}/auth/refresh`, { body: { refresh_token: first.refresh_token } }), 401, 'invalid_grant');
      const after = await request(`${t.url}/auth/sessions`, { headers: bearer(second.access_token) });
      expect(after.body.sessions.map((s: { id: string }) => s.id)).toEqual([current.id]);
    });

    it("404 for another user's session and for unknown ids, without revoking anything", async () => {
      const alice = await signup(t.url);
      const mallory = await signup(t.url);
      const aliceSid = decodeJwt(alice.access_token).sid as string;
      for (const id of [aliceSid, '00000000-0000-0000-0000-000000000000', 'not-a-uuid']) {
        expectProblem(
          await request(`${t.url}/auth/sessions/${id}`, { method: 'DELETE', headers: bearer(mallory.access_token) }),
          404,
          'not_found',
        );
      }
      expect((await request(`${t.url}/auth/refresh`, { body: { refresh_token: alice.refresh_token } })).status).toBe(200);
    });

    it('401 without a token', async () => {
      expectProblem(await request(`${t.url}/auth/sessions`), 401, 'invalid_token');
    });
  });

  describe('POST /auth/password', () => {
    it('changes the password and revokes the other sessions, keeping the current one', async () => {
      const user = await signup(t.url);
      const other = (await request(`${t.url}/auth/login`, { body: { email: user.email, password: PASSWORD } })).body;
      const res = await request(`${t.url}/auth/password`, {
        body: { current_password: PASSWORD, new_password: 'a brand new passphrase' },
        headers: bearer(user.access_token),
      });
      expect(res.status).toBe(204);
      expectProblem(await request(`${t.url}/auth/refresh`, { body: { refresh_token: other.refresh_token } }), 401, 'invalid_grant');
      expect((await request(`${t.url}/auth/refresh`, { body: { refresh_token: user.refresh_token } })).status).toBe(200);
      expectProblem(await request(`${t.url}/auth/login`, { body: { email: user.email, password: PASSWORD } }), 401, 'invalid_credentials');
      expect((await request(`${t.url}/auth/login`, { body: { email: user.email, password: 'a brand new passphrase' } })).status).toBe(200);
    });

    it('400 for a wrong current password (not 401: the caller stays logged in)', async () => {
      const user = await signup(t.url);
      const res = await request(`${t.url}/auth/password`, {
        body: { current_password: 'not my password', new_password: 'a brand new passphrase' },
        headers: bearer(user.access_token),
      });
      expectProblem(res, 400, 'invalid_request');
      expect(res.body.errors[0].path).toBe('current_password');
    });

    it('400 for a new password that breaks the policy, 401 without a token', async () => {
      const user = await signup(t.url);
      expectProblem(
        await request(`${t.url}/auth/password`, {
          body: { current_password: PASSWORD, new_password: 'short' },
          headers: bearer(user.access_token),
        }),
        400,
        'invalid_request',
      );
      expectProblem(
        await request(`${t.url}/auth/password`, { body: { current_password: PASSWORD, new_password: 'a brand new passphrase' } }),
        401,
        'invalid_token',
      );
    });
  });

  describe('well-known and health', () => {
    it('publishes the JWKS with Cache-Control max-age and public keys only', async () => {
      const res = await request(`${t.url}/.well-known/jwks.json`);
      expect(res.status).toBe(200);
      expect(res.headers.get('cache-control')).toBe('public, max-age=300');
      expect(res.body.keys.length).toBeGreaterThanOrEqual(1);
      for (const key of res.body.keys) {
        expect(key).toMatchObject({ kty: 'RSA', alg: 'RS256', use: 'sig', kid: expect.any(String) });
        for (const member of ['d', 'p', 'q', 'dp', 'dq', 'qi']) expect(key).not.toHaveProperty(member);
      }
    });

    it('serves the OpenID discovery document for the issuer', async () => {
      const res = await request(`${t.url}/.well-known/openid-configuration`);
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({ issuer: t.url, jwks_uri: `${t.url}/.well-known/jwks.json` });
    });

    it('healthz and readyz answer 200', async () => {
      expect((await request(`${t.url}/healthz`)).status).toBe(200);
      expect((await request(`${t.url}/readyz`)).body).toEqual({ status: 'ok', storage: 'ok' });
    });

    it('unknown routes are 404 problem+json', async () => {
      expectProblem(await request(`${t.url}/nope`), 404, 'not_found');
      expectProblem(await request(`${t.url}/auth/nope`, { method: 'POST' }), 404, 'not_found');
    });

    it('sends security headers and no x-powered-by', async () => {
      const res = await request(`${t.url}/healthz`);
      expect(res.headers.get('x-powered-by')).toBeNull();
      expect(res.headers.get('x-content-type-options')).toBe('nosniff');
      expect(res.headers.get('content-security-policy')).toBe("default-src 'none';frame-ancestors 'none'");
    });
  });

  describe('CORS', () => {
    it('allows every method the account endpoints use (PATCH renames a passkey) in preflights', async () => {
      const preflight = await fetch(`${t.url}/auth/passkeys/some-id`, {
        method: 'OPTIONS',
        headers: {
          origin: 'http://localhost:4200',
          'access-control-request-method': 'PATCH',
          'access-control-request-headers': 'authorization, content-type',
        },
      });
      expect(preflight.status).toBe(204);
      expect(preflight.headers.get('access-control-allow-methods')?.split(/,\s*/)).toEqual(
        expect.arrayContaining(['GET', 'POST', 'PATCH', 'DELETE']),
      );
    });

    it('answers preflights from allowed origins only', async () => {
      const allowed = await fetch(`${t.url}/auth/login`, {
        method: 'OPTIONS',
        headers: {
          origin: 'http://localhost:4200',
          'access-control-request-method': 'POST',
          'access-control-request-headers': 'content-type',
        },
      });
      expect(allowed.status).toBe(204);
      expect(allowed.headers.get('access-control-allow-origin')).toBe('http://localhost:4200');
      expect(allowed.headers.get('access-control-allow-credentials')).toBe('true');
      const denied = await fetch(`${t.url}/auth/login`, {
        method: 'OPTIONS',
        headers: { origin: 'https://evil.example', 'access-control-request-method': 'POST' },
      });
      expect(denied.headers.get('access-control-allow-origin')).toBeNull();
    });

    it('adds no CORS headers to actual requests from other origins', async () => {
      const user = await signup(t.url);
      const res = await request(`${t.url}/auth/me`, { headers: { ...bearer(user.access_token), origin: 'https://evil.example' } });
      expect(res.headers.get('access-control-allow-origin')).toBeNull();
    });
  });
});
