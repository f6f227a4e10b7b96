import express from 'express';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AUDIENCE, ISSUER, keyServer, listen, makeKey, sign, type TestKey } from '../test/support.ts';
import { requireAuth, requireRole, requireScope, sigilErrorHandler } from './index.ts';

let key: TestKey;
let base: string;
const closers: { close: () => Promise<void> }[] = [];

beforeAll(async () => {
  key = await makeKey('ES256');
  const jwks = await keyServer([key]);
  const auth = requireAuth({ issuer: ISSUER, audience: AUDIENCE, jwksUri: jwks.url });
  const optional = requireAuth({ issuer: ISSUER, audience: AUDIENCE, jwksUri: jwks.url, credentialsRequired: false });
  const app = express();
  const ok = (_req: express.Request, res: express.Response) => void res.send('ok');
  app.get('/read', auth, requireScope('lessons:read'), ok);
  app.get('/read-write', auth, requireScope('lessons:read', 'lessons:write'), ok);
  app.get('/admin', auth, requireRole('admin'), ok);
  app.get('/staff', auth, requireRole('admin', 'editor'), ok);
  app.get('/optional-admin', optional, requireRole('admin'), ok);
  app.get('/next', auth, requireRole('admin', { onError: 'next', realm: 'lessons' }), ok);
  app.use(sigilErrorHandler({ realm: 'lessons' }));
  const server = await listen(app);
  closers.push(jwks, server);
  base = server.url;
});
afterAll(async () => {
  await Promise.all(closers.map((s) => s.close()));
});

async function call(path: string, claims?: Record<string, unknown>) {
  const headers: Record<string, string> = claims ? { authorization: `Bearer ${await sign(key, claims)}` } : {};
  const res = await fetch(base + path, { headers });
  return {
    status: res.status,
    challenge: res.headers.get('www-authenticate'),
    body: res.status === 200 ? await res.text() : await res.json(),
  };
}

describe('requireScope', () => {
  it('lets a token with every required scope through', async () => {
    expect((await call('/read', { scope: 'profile lessons:read' })).status).toBe(200);
    expect((await call('/read-write', { scope: 'lessons:write lessons:read' })).status).toBe(200);
  });

  it('answers 403 insufficient_scope with the required scopes in the challenge', async () => {
    const res = await call('/read-write', { scope: 'lessons:read' });
    expect(res.status).toBe(403);
    expect(res.challenge).toBe(
      'Bearer realm="sigil", error="insufficient_scope", error_description="The access token lacks a required scope", scope="lessons:read lessons:write"',
    );
    expect(res.body).toMatchObject({ status: 403, code: 'insufficient_scope', type: 'https://sigil.dev/errors/insufficient_scope' });
    expect((await call('/read', { scope: undefined })).status).toBe(403);
    expect((await call('/read', { scope: 'lessons:reader' })).status).toBe(403);
  });
});

describe('requireRole', () => {
  it('accepts any of the listed roles', async () => {
    expect((await call('/admin', { roles: ['user', 'admin'] })).status).toBe(200);
    expect((await call('/staff', { roles: ['editor'] })).status).toBe(200);
  });

  it('answers 403 insufficient_scope without the role', async () => {
    const res = await call('/admin', { roles: ['user'] });
    expect(res.status).toBe(403);
    expect(res.challenge).toBe(
      'Bearer realm="sigil", error="insufficient_scope", error_description="The access token lacks a required role"',
    );
    expect(res.body).toMatchObject({ code: 'insufficient_scope' });
    expect((await call('/admin', { roles: undefined })).status).toBe(403);
  });

  it('answers 401 when optional auth let a request without token through', async () => {
    const res = await call('/optional-admin');
    expect(res.status).toBe(401);
    expect(res.challenge).toBe('Bearer realm="sigil"');
  });

  it("hands the 403 to the app's error handler with onError: 'next'", async () => {
    const res = await call('/next', { roles: [] });
    expect(res.status).toBe(403);
    expect(res.challenge).toMatch(/^Bearer realm="lessons", error="insufficient_scope"/);
  });

  it('refuses bad arguments at setup', () => {
    expect(() => requireRole()).toThrow(TypeError);
    expect(() => requireScope('a b')).toThrow(TypeError);
    expect(() => requireScope('')).toThrow(TypeError);
    expect(() => requireRole('admin', { onError: 'log' as never })).toThrow(TypeError);
  });
});
