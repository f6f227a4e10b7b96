import { decodeJwt } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectProblem, request, signup, startTestServer, type TestServer } from './helpers/auth-server.ts';

// A controllable clock: the grace window and expiry are tested without sleeping.
let offsetMs = 0;
const now = () => new Date(Date.now() + offsetMs);

let t: TestServer;
beforeAll(async () => {
  t = await startTestServer({ now, refreshGrace: 10, refreshTtl: 3600 });
});
afterAll(() => t?.close());

const refresh = (refresh_token: string) => request(`${t.url}/auth/refresh`, { body: { refresh_token } });

describe('refresh token rotation (RFC 9700)', () => {
  it('rotates on every use: a new refresh token and a new access token in the same session', async () => {
    const user = await signup(t.url);
    const first = await refresh(user.refresh_token);
    expect(first.status).toBe(200);
    expect(first.body.refresh_token).not.toBe(user.refresh_token);
    expect(first.body.refresh_token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(decodeJwt(first.body.access_token).sid).toBe(decodeJwt(user.access_token).sid);
    const second = await refresh(first.body.refresh_token);
    expect(second.status).toBe(200);
    expect(second.body.refresh_token).not.toBe(first.body.refresh_token);
  });

  it('inside the grace window a repeated refresh returns the successor already issued', async () => {
    const user = await signup(t.url);
    const a = await refresh(user.refresh_token);
    const b = await refresh(user.refresh_token);
    expect(b.status).toBe(200);
    expect(b.body.refresh_token).toBe(a.body.refresh_token);
    // And the session did not branch: the successor still rotates normally.
    expect((await refresh(a.body.refresh_token)).status).toBe(200);
  });

  it('concurrent refreshes with one token all succeed with the same successor', async () => {
    const user = await signup(t.url);
    const results = await Promise.all(Array.from({ length: 10 }, () => refresh(user.refresh_token)));
    expect(results.map((r) => r.status)).toEqual(Array(10).fill(200));
    expect(new Set(results.map((r) => r.body.refresh_token)).size).toBe(1);
    expect((await refresh(results[0]!.body.refresh_token)).status).toBe(200);
  });

  it('a tab replaying an old token after another tab rotated twice still gets the newest token within the window', async () => {
    const user = await signup(t.url);
    const s1 = await refresh(user.refresh_token);
    const s2 = await refresh(s1.body.refresh_token);
    const replay = await refresh(user.refresh_token);
    expect(replay.status).toBe(200);
    expect(replay.body.refresh_token).toBe(s2.body.refresh_token);
  });

  it('reuse after the grace window revokes the whole session', async () => {
    const user = await signup(t.url);
    const rotated = await refresh(user.refresh_token);
    offsetMs += 11_000;
    try {
      expectProblem(await refresh(user.refresh_token), 401, 'invalid_grant');
      // The legitimate holder of the successor is logged out too: the family is revoked.
      expectProblem(await refresh(rotated.body.refresh_token), 401, 'invalid_grant');
      expectProblem(
        await request(`${t.url}/auth/me`, { headers: { authorization: `Bearer ${rotated.body.access_token}` } }),
        401,
        'invalid_token',
      );
      expect(t.logs.some((l) => l.event === 'refresh_token_reuse')).toBe(true);
    } finally {
      offsetMs -= 11_000;
    }
  });

  it('other sessions of the user survive a reuse revocation', async () => {
    const user = await signup(t.url);
    const other = (await request(`${t.url}/auth/login`, { body: { email: user.email, password: user.password } })).body;
    await refresh(user.refresh_token);
    offsetMs += 11_000;
    try {
      expectProblem(await refresh(user.refresh_token), 401, 'invalid_grant');
      expect((await refresh(other.refresh_token)).status).toBe(200);
    } finally {
      offsetMs -= 11_000;
    }
  });

  it('an expired refresh token is refused', async () => {
    const user = await signup(t.url);
    offsetMs += 3601_000;
    try {
      expectProblem(await refresh(user.refresh_token), 401, 'invalid_grant');
    } finally {
      offsetMs -= 3601_000;
    }
  });

  it.each([
    ['unknown', 'A'.repeat(43)],
    ['malformed', 'not a token'],
    ['empty', ''],
  ])('%s refresh tokens are 401 invalid_grant', async (_label, token) => {
    expectProblem(await refresh(token), 401, 'invalid_grant');
  });

  it('no refresh token at all is 401 invalid_grant; a wrong type is 400', async () => {
    expectProblem(await request(`${t.url}/auth/refresh`, { body: {} }), 401, 'invalid_grant');
    expectProblem(await request(`${t.url}/auth/refresh`, { body: { refresh_token: 42 } }), 400, 'invalid_request');
  });

  it('stores refresh tokens only as SHA-256 hashes', async () => {
    const user = await signup(t.url);
    const rows = await t.db.query<{ token_hash: string }>('SELECT token_hash FROM refresh_tokens');
    expect(rows.some((r) => r.token_hash.includes(user.refresh_token))).toBe(false);
    expect(rows.every((r) => /^[0-9a-f]{64}$/.test(r.token_hash))).toBe(true);
  });

  it('expired sessions are cleaned up', async () => {
    const user = await signup(t.url);
    const sid = decodeJwt(user.access_token).sid;
    await request(`${t.url}/auth/logout`, { body: { refresh_token: user.refresh_token } });
    offsetMs += 2 * 86_400_000;
    try {
      expect(await t.server.service.cleanupExpiredSessions()).toBeGreaterThanOrEqual(1);
      const rows = await t.db.query('SELECT id FROM sessions WHERE id = $1', [sid]);
      expect(rows).toHaveLength(0);
    } finally {
      offsetMs -= 2 * 86_400_000;
    }
  });
});
