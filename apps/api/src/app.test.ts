import { once } from 'node:events';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createAuthServer, type AuthServer } from '@sigil/server';
import { Secret, TOTP } from 'otpauth';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApiApp } from './app.ts';

const WEB = 'http://localhost:4200';
let auth: AuthServer;
let api: Server;
let base: string;
let userToken: string;
let adminToken: string;
let adminId: string;
let authUrl: string;
/** The auth server's clock, moved forward to age a sign-in past the step-up route's 5 minutes. */
let offsetMs = 0;
const clock = () => Date.now() + offsetMs;

async function login(authUrl: string, email: string): Promise<{ access_token: string; user: { id: string } }> {
  const res = await fetch(`${authUrl}/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email, password: 'correct horse battery' }),
  });
  expect(res.status).toBe(200);
  return (await res.json()) as { access_token: string; user: { id: string } };
}

beforeAll(async () => {
  auth = await createAuthServer({ dataDir: 'memory://', logLevel: 'silent', now: () => new Date(clock()) });
  const { url } = await auth.listen(0);
  authUrl = url;
  await auth.createUser({ email: 'ann@example.com', password: 'correct horse battery', name: 'Ann', roles: ['admin'] });
  await auth.createUser({ email: 'bob@example.com', password: 'correct horse battery', name: 'Bob' });
  const [admin, user] = await Promise.all([login(url, 'ann@example.com'), login(url, 'bob@example.com')]);
  adminToken = admin.access_token;
  adminId = admin.user.id;
  userToken = user.access_token;
  api = createApiApp({ issuer: auth.issuer, allowedOrigins: [WEB], auth: { clock } }).listen(0, '127.0.0.1');
  await once(api, 'listening');
  base = `http://127.0.0.1:${(api.address() as AddressInfo).port}`;
}, 120_000);

afterAll(async () => {
  api?.closeAllConnections();
  await new Promise((r) => api?.close(r));
  await auth?.close();
});

function call(path: string, token?: string, init: RequestInit = {}) {
  const headers = new Headers(init.headers);
  if (token) headers.set('authorization', `Bearer ${token}`);
  return fetch(base + path, { ...init, headers });
}

/** TOTP code at the auth server's clock. */
const totp = (secret: string) =>
  TOTP.generate({ secret: Secret.fromBase32(secret), algorithm: 'SHA1', digits: 6, period: 30, timestamp: clock() });

async function authCall(path: string, body: unknown, token?: string): Promise<Response> {
  const headers = new Headers({ 'content-type': 'application/json' });
  if (token) headers.set('authorization', `Bearer ${token}`);
  return fetch(authUrl + path, { method: 'POST', headers, body: JSON.stringify(body) });
}

/** An admin with TOTP on, signed in with password + code: an access token whose `amr` has `mfa`. */
async function mfaAdminToken(): Promise<string> {
  await auth.createUser({ email: 'cleo@example.com', password: 'correct horse battery', name: 'Cleo', roles: ['admin'] });
  const { access_token: pwdToken } = await login(authUrl, 'cleo@example.com');
  const { secret } = (await (await authCall('/auth/mfa/totp', {}, pwdToken)).json()) as { secret: string };
  expect((await authCall('/auth/mfa/totp/confirm', { code: totp(secret) }, pwdToken)).status).toBe(200);
  offsetMs += 30_000; // each code works once: sign in with the next one
  const challenge = await authCall('/auth/login', { email: 'cleo@example.com', password: 'correct horse battery' });
  expect(challenge.status).toBe(403);
  const { mfa_token } = (await challenge.json()) as { mfa_token: string };
  const verified = await authCall('/auth/mfa/verify', { mfa_token, method: 'totp', code: totp(secret) });
  expect(verified.status).toBe(200);
  return ((await verified.json()) as { access_token: string }).access_token;
}

async function lessonIds(): Promise<string[]> {
  const { lessons } = (await (await call('/api/lessons', userToken)).json()) as { lessons: { id: string }[] };
  return lessons.map((l) => l.id);
}

function post(token: string | undefined, body: unknown, contentType = 'application/json') {
  return call('/api/lessons', token, {
    method: 'POST',
    headers: { 'content-type': contentType },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
}

describe('demo API', () => {
  it('serves /api/public without a token', async () => {
    const res = await call('/api/public');
    expect(res.status).toBe(200);
    expect(await res.json()).toHaveProperty('message');
  });

  it('lists lessons for any valid token, and answers 401 without one', async () => {
    const anonymous = await call('/api/lessons');
    expect(anonymous.status).toBe(401);
    expect(anonymous.headers.get('www-authenticate')).toBe('Bearer realm="sigil-demo-api"');
    expect(await anonymous.json()).toMatchObject({ code: 'invalid_token', status: 401 });

    const res = await call('/api/lessons', userToken);
    expect(res.status).toBe(200);
    const { lessons } = (await res.json()) as { lessons: { id: string; title: string }[] };
    expect(lessons.length).toBeGreaterThan(0);
    expect(lessons[0]).toMatchObject({ id: expect.any(String), title: expect.any(String) });
  });

  it('rejects a forged token with 401 invalid_token', async () => {
    const [h, p] = userToken.split('.');
    const res = await call('/api/lessons', `${h}.${p}.${'A'.repeat(342)}`);
    expect(res.status).toBe(401);
    expect(res.headers.get('www-authenticate')).toContain('error="invalid_token"');
  });

  it('returns the token claims on /api/me', async () => {
    const res = await call('/api/me', adminToken);
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({
      sub: adminId,
      email: 'ann@example.com',
      name: 'Ann',
      roles: ['admin'],
      aud: 'sigil',
      iss: auth.issuer,
    });
  });

  it('lets only admins add a lesson', async () => {
    const forbidden = await post(userToken, { title: 'Sneaky' });
    expect(forbidden.status).toBe(403);
    expect(forbidden.headers.get('www-authenticate')).toMatch(/error="insufficient_scope"/);
    expect(await forbidden.json()).toMatchObject({ code: 'insufficient_scope', status: 403 });
    expect((await post(undefined, { title: 'Anonymous' })).status).toBe(401);

    const created = await post(adminToken, { title: '  PKCE in one page ', summary: 'Why public clients need it.', level: 'intermediate' });
    expect(created.status).toBe(201);
    const { lesson } = (await created.json()) as { lesson: { id: string; title: string; createdBy: string } };
    expect(lesson).toMatchObject({ title: 'PKCE in one page', level: 'intermediate', createdBy: adminId });
    expect(created.headers.get('location')).toBe(`/api/lessons/${lesson.id}`);
    const { lessons } = (await (await call('/api/lessons', userToken)).json()) as { lessons: { id: string }[] };
    expect(lessons.map((l) => l.id)).toContain(lesson.id);
  });

  it.each([
    [{}, ['title']],
    [{ title: '' }, ['title']],
    [{ title: 'x'.repeat(201) }, ['title']],
    [{ title: 'ok', level: 'expert' }, ['level']],
    [{ title: 'ok', summary: 42, admin: true }, ['summary', 'admin']],
    [[1, 2], ['']],
  ])('answers 400 problem+json for the invalid lesson %j', async (body, paths) => {
    const res = await post(adminToken, body);
    expect(res.status).toBe(400);
    expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    const problem = (await res.json()) as { code: string; errors: { path: string }[] };
    expect(problem.code).toBe('invalid_request');
    expect(problem.errors.map((e) => e.path)).toEqual(paths);
  });

  it('answers 400 for malformed JSON, 415 for another content type, 404 problem+json for unknown routes', async () => {
    const malformed = await post(adminToken, '{"title": ');
    expect(malformed.status).toBe(400);
    expect(await malformed.json()).toMatchObject({ code: 'invalid_request', detail: 'The request body is not valid JSON' });
    expect((await post(adminToken, 'title=x', 'application/x-www-form-urlencoded')).status).toBe(415);
    const missing = await call('/api/nope');
    expect(missing.status).toBe(404);
    expect(await missing.json()).toMatchObject({ code: 'not_found' });
  });

  it('answers CORS preflights and requests for the web origin only', async () => {
    const preflight = await call('/api/lessons', undefined, {
      method: 'OPTIONS',
      headers: { origin: WEB, 'access-control-request-method': 'POST', 'access-control-request-headers': 'authorization, content-type' },
    });
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get('access-control-allow-origin')).toBe(WEB);
    expect(preflight.headers.get('access-control-allow-headers')).toMatch(/Authorization/);
    expect(preflight.headers.get('access-control-allow-credentials')).toBeNull();

    const simple = await call('/api/lessons', userToken, { headers: { origin: WEB } });
    expect(simple.headers.get('access-control-allow-origin')).toBe(WEB);
    expect(simple.headers.get('vary')).toMatch(/Origin/);

    const evil = await call('/api/lessons', undefined, {
      method: 'OPTIONS',
      headers: { origin: 'https://evil.test', 'access-control-request-method': 'GET' },
    });
    expect(evil.headers.get('access-control-allow-origin')).toBeNull();
    const evilGet = await call('/api/public', undefined, { headers: { origin: 'https://evil.test' } });
    expect(evilGet.headers.get('access-control-allow-origin')).toBeNull();
  });

  it('deletes a lesson only for an admin who used a second factor within 5 minutes (step-up)', async () => {
    const [id] = await lessonIds();
    const del = (token: string | undefined, lessonId = id!) =>
      call(`/api/lessons/${lessonId}`, token, { method: 'DELETE', headers: { origin: WEB } });

    expect((await del(undefined)).status).toBe(401);
    const notAdmin = await del(userToken);
    expect(notAdmin.status).toBe(403);
    expect(await notAdmin.json()).toMatchObject({ code: 'insufficient_scope' });

    // An admin signed in with a password alone gets RFC 9470's challenge, readable cross-origin.
    const weak = await del(adminToken);
    expect(weak.status).toBe(401);
    expect(weak.headers.get('access-control-expose-headers')).toMatch(/WWW-Authenticate/i);
    expect(weak.headers.get('www-authenticate')).toMatch(/error="insufficient_user_authentication".*max_age=300/);
    expect(await weak.json()).toMatchObject({
      code: 'insufficient_user_authentication',
      detail: 'A stronger authentication method is required',
    });
    expect(await lessonIds()).toContain(id);

    const start = offsetMs;
    try {
      const strong = await mfaAdminToken();
      const deleted = await del(strong);
      expect(deleted.status).toBe(204);
      expect(await lessonIds()).not.toContain(id);
      const again = await del(strong);
      expect(again.status).toBe(404);
      expect(await again.json()).toMatchObject({ code: 'not_found' });

      // The same token once its sign-in is over 5 minutes old: a more recent sign-in is needed.
      const [other] = await lessonIds();
      offsetMs += 310_000; // past 300 s and the 5 s clock tolerance
      const stale = await del(strong, other);
      expect(stale.status).toBe(401);
      expect(await stale.json()).toMatchObject({
        code: 'insufficient_user_authentication',
        detail: 'A more recent authentication is required',
      });
      expect(await lessonIds()).toContain(other);
    } finally {
      offsetMs = start;
    }
  });

  it('allows DELETE in CORS preflights for the web origin', async () => {
    const preflight = await call('/api/lessons/x', undefined, {
      method: 'OPTIONS',
      headers: { origin: WEB, 'access-control-request-method': 'DELETE', 'access-control-request-headers': 'authorization' },
    });
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get('access-control-allow-methods')).toMatch(/DELETE/);
  });
});
