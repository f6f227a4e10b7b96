import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PASSWORD, expectProblem, request, signup, startTestServer, uniqueEmail, type TestServer } from './helpers/auth-server.ts';

describe('brute-force limits (memory)', () => {
  let t: TestServer;
  beforeAll(async () => {
    t = await startTestServer({ loginMaxFailures: 5 });
  });
  afterAll(() => t?.close());

  it('locks an account+IP out after 5 failures with a growing Retry-After; the right password waits too', async () => {
    const user = await signup(t.url);
    const login = (password: string) => request(`${t.url}/auth/login`, { body: { email: user.email, password } });
    for (let i = 0; i < 5; i++) expectProblem(await login('wrong password!'), 401, 'invalid_credentials');
    const locked = await login(PASSWORD);
    expectProblem(locked, 429, 'rate_limited');
    const retryAfter = Number(locked.headers.get('retry-after'));
    expect(retryAfter).toBeGreaterThan(0);
    expect(retryAfter).toBeLessThanOrEqual(30);
    expect(t.logs.some((l) => l.event === 'login_lockout')).toBe(true);
  });

  it('the second lockout of the same account+IP lasts twice as long as the first', async () => {
    const quick = await startTestServer({ loginMaxFailures: 2, loginLockout: 1 });
    try {
      const user = await signup(quick.url);
      const login = (password: string) => request(`${quick.url}/auth/login`, { body: { email: user.email, password } });
      for (let i = 0; i < 2; i++) await login('wrong password!');
      expect(Number((await login('wrong password!')).headers.get('retry-after'))).toBe(1);
      await new Promise((resolve) => setTimeout(resolve, 1100));
      for (let i = 0; i < 2; i++) expectProblem(await login('wrong password!'), 401, 'invalid_credentials');
      const second = await login(PASSWORD);
      expectProblem(second, 429, 'rate_limited');
      expect(Number(second.headers.get('retry-after'))).toBe(2);
    } finally {
      await quick.close();
    }
  });

  it('failures for one account do not lock another', async () => {
    const a = await signup(t.url);
    const b = await signup(t.url);
    for (let i = 0; i < 6; i++) await request(`${t.url}/auth/login`, { body: { email: a.email, password: 'wrong password!' } });
    expect((await request(`${t.url}/auth/login`, { body: { email: b.email, password: PASSWORD } })).status).toBe(200);
  });

  it('a success resets the failure count', async () => {
    const user = await signup(t.url);
    const login = (password: string) => request(`${t.url}/auth/login`, { body: { email: user.email, password } });
    for (let i = 0; i < 4; i++) await login('wrong password!');
    expect((await login(PASSWORD)).status).toBe(200);
    for (let i = 0; i < 4; i++) expectProblem(await login('wrong password!'), 401, 'invalid_credentials');
    expect((await login(PASSWORD)).status).toBe(200);
  });

  it('wrong current passwords on POST /auth/password count as failed logins for the account and IP', async () => {
    const user = await signup(t.url);
    const change = (current: string) =>
      request(`${t.url}/auth/password`, {
        body: { current_password: current, new_password: 'a brand new passphrase' },
        headers: { authorization: `Bearer ${user.access_token}` },
      });
    for (let i = 0; i < 5; i++) expectProblem(await change('wrong password!'), 400, 'invalid_request');
    // Locked out: the password change and the login both wait, even with the right password.
    const locked = await change(PASSWORD);
    expectProblem(locked, 429, 'rate_limited');
    expect(Number(locked.headers.get('retry-after'))).toBeGreaterThan(0);
    expectProblem(await request(`${t.url}/auth/login`, { body: { email: user.email, password: PASSWORD } }), 429, 'rate_limited');
  });

  it('limits signups per IP', async () => {
    const fresh = await startTestServer({ signupsPerHour: 2 });
    try {
      const body = () => ({ email: uniqueEmail(), password: PASSWORD });
      expect((await request(`${fresh.url}/auth/signup`, { body: body() })).status).toBe(201);
      expect((await request(`${fresh.url}/auth/signup`, { body: body() })).status).toBe(201);
      const third = await request(`${fresh.url}/auth/signup`, { body: body() });
      expectProblem(third, 429, 'rate_limited');
      expect(Number(third.headers.get('retry-after'))).toBeGreaterThan(0);
    } finally {
      await fresh.close();
    }
  });

  it('sheds password work beyond SIGIL_HASH_QUEUE with 503 unavailable + Retry-After, not counted as a failure', async () => {
    const fresh = await startTestServer({ hashThreads: 1, hashQueue: 1, loginMaxFailures: 20 });
    try {
      const user = await signup(fresh.url);
      // 1 hashing + 1 waiting fit; the rest of a burst of 20 is refused at once.
      const burst = await Promise.all(
        Array.from({ length: 20 }, () => request(`${fresh.url}/auth/login`, { body: { email: user.email, password: 'wrong password!' } })),
      );
      const shed = burst.filter((response) => response.status === 503);
      expect(shed.length).toBeGreaterThanOrEqual(1);
      for (const response of shed) {
        expectProblem(response, 503, 'unavailable');
        expect(response.headers.get('retry-after')).toBe('1');
      }
      // Shed attempts say nothing about the password: were they counted, the 20 attempts would have
      // reached loginMaxFailures and the right password would now get 429.
      expect((await request(`${fresh.url}/auth/login`, { body: { email: user.email, password: PASSWORD } })).status).toBe(200);
    } finally {
      await fresh.close();
    }
  });

  it('limits auth requests per IP per minute', async () => {
    const fresh = await startTestServer({ ipRequestsPerMinute: 5 });
    try {
      const statuses: number[] = [];
      for (let i = 0; i < 7; i++) statuses.push((await request(`${fresh.url}/auth/refresh`, { body: { refresh_token: 'x' } })).status);
      expect(statuses.slice(0, 5)).toEqual(Array(5).fill(401));
      expect(statuses.slice(5)).toEqual([429, 429]);
      // Health and keys are not auth calls and stay available.
      expect((await request(`${fresh.url}/.well-known/jwks.json`)).status).toBe(200);
    } finally {
      await fresh.close();
    }
  });
});
