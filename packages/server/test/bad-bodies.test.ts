import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectProblem, request, startTestServer, type TestServer } from './helpers/auth-server.ts';

let t: TestServer;
beforeAll(async () => {
  t = await startTestServer();
});
afterAll(() => t?.close());

const endpoints = ['/auth/signup', '/auth/login', '/auth/refresh', '/auth/logout', '/auth/password'];

describe('hostile request bodies never cause a 5xx', () => {
  it.each(endpoints)('%s: malformed JSON is 400 problem+json', async (path) => {
    const res = await request(`${t.url}${path}`, { rawBody: '{"email": ', headers: { 'content-type': 'application/json' } });
    expect(res.status).toBeLessThan(500);
    expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    // /auth/password checks the bearer token before reading the body.
    expect([400, 401]).toContain(res.status);
  });

  it.each(endpoints)('%s: a non-JSON content type is 415', async (path) => {
    const res = await request(`${t.url}${path}`, {
      rawBody: 'email=a@b.c&password=x',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    if (path === '/auth/password') return expectProblem(res, 401, 'invalid_token');
    expectProblem(res, 415, 'invalid_request');
  });

  it.each(['/auth/signup', '/auth/login', '/auth/refresh'])('%s: a body over 16 KiB is 413', async (path) => {
    const res = await request(`${t.url}${path}`, { body: { email: 'a@example.com', password: 'x'.repeat(20_000) } });
    expectProblem(res, 413, 'invalid_request');
  });

  it.each([
    ['an array', []],
    ['a string', 'hello'],
    ['null', null],
    ['a number', 42],
  ])('/auth/login: %s as body is 400', async (_label, body) => {
    expectProblem(
      await request(`${t.url}/auth/login`, { rawBody: JSON.stringify(body), headers: { 'content-type': 'application/json' } }),
      400,
      'invalid_request',
    );
  });

  it.each([
    ['object email', { email: { $ne: null }, password: 'x' }],
    ['array password', { email: 'a@example.com', password: ['a'] }],
    ['boolean email', { email: true, password: 'long enough password' }],
    ['nested junk', { email: 'a@example.com', password: 'long enough password', extra: { deep: [1, { a: 2 }] } }],
  ])('/auth/signup: wrong types (%s) are 400 or ignored, never 5xx', async (_label, body) => {
    const res = await request(`${t.url}/auth/signup`, { body });
    expect(res.status).toBeLessThan(500);
    expect([201, 400]).toContain(res.status);
  });

  it('prototype pollution payloads change nothing', async () => {
    const payload =
      '{"email":"proto@example.com","password":"long enough password","__proto__":{"polluted":true,"roles":["admin"]},"constructor":{"prototype":{"polluted":true}}}';
    const res = await request(`${t.url}/auth/signup`, { rawBody: payload, headers: { 'content-type': 'application/json' } });
    expect(res.status).toBe(201);
    expect(res.body.user.roles).toEqual([]);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(Object.prototype).not.toHaveProperty('roles');
  });

  it('JSON with a charset other than utf-8 is 415', async () => {
    const res = await request(`${t.url}/auth/login`, { rawBody: '{}', headers: { 'content-type': 'application/json; charset=ibm500' } });
    expectProblem(res, 415, 'invalid_request');
  });

  it('responses never contain a stack trace', async () => {
    const res = await request(`${t.url}/auth/login`, { rawBody: '{"a":', headers: { 'content-type': 'application/json' } });
    expect(res.text).not.toMatch(/at .*\.(ts|js):\d+/);
    expect(Object.keys(res.body).sort()).toEqual(['code', 'detail', 'status', 'title', 'type']);
  });

  it('the server keeps serving after all of the above', async () => {
    expect((await request(`${t.url}/healthz`)).status).toBe(200);
  });
});
