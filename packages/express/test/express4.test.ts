/**
 * Runtime compatibility with Express 4 (installed as the alias `express-v4`): the same middleware
 * in an Express 4 app accepts, refuses and authorizes exactly as in Express 5.
 */
import { createRequire } from 'node:module';
import type Express4 from 'express-v4-types';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { requireAuth, requireRole, sigilErrorHandler } from '../src/index.ts';
import { AUDIENCE, ISSUER, keyServer, listen, makeKey, sign, type TestKey } from './support.ts';

const express4 = createRequire(import.meta.url)('express-v4') as typeof Express4;

let key: TestKey;
let base: string;
const closers: { close: () => Promise<void> }[] = [];

beforeAll(async () => {
  key = await makeKey('ES256');
  const jwks = await keyServer([key]);
  const app = express4();
  const auth = requireAuth({ issuer: ISSUER, audience: AUDIENCE, jwksUri: jwks.url });
  app.get('/me', auth, (req, res) => void res.json({ sub: req.auth?.sub }));
  app.get(
    '/admin',
    requireAuth({ issuer: ISSUER, audience: AUDIENCE, jwksUri: jwks.url, onError: 'next' }),
    requireRole('admin', { onError: 'next' }),
    (_req, res) => void res.send('ok'),
  );
  app.use(sigilErrorHandler());
  const server = await listen(app);
  closers.push(jwks, server);
  base = server.url;
});
afterAll(async () => {
  await Promise.all(closers.map((c) => c.close()));
});

describe('Express 4 app', () => {
  it('accepts a valid token (first through the key set fetch, then from the cache)', async () => {
    const token = await sign(key, { sub: 'e4' });
    for (let i = 0; i < 2; i++) {
      const res = await fetch(`${base}/me`, { headers: { authorization: `Bearer ${token}` } });
      expect(res.status).toBe(200);
      expect(await res.json()).toEqual({ sub: 'e4' });
    }
  });

  it('answers 401 and 403 with the RFC 6750 challenge, also through sigilErrorHandler', async () => {
    const none = await fetch(`${base}/me`);
    expect(none.status).toBe(401);
    expect(none.headers.get('www-authenticate')).toBe('Bearer realm="sigil"');
    const bad = await fetch(`${base}/admin`, { headers: { authorization: 'Bearer a.b.c' } });
    expect(bad.status).toBe(401);
    expect(await bad.json()).toMatchObject({ code: 'invalid_token' });
    const user = await fetch(`${base}/admin`, { headers: { authorization: `Bearer ${await sign(key, { roles: ['user'] })}` } });
    expect(user.status).toBe(403);
    expect(user.headers.get('www-authenticate')).toContain('error="insufficient_scope"');
    const admin = await fetch(`${base}/admin`, { headers: { authorization: `Bearer ${await sign(key, { roles: ['admin'] })}` } });
    expect(admin.status).toBe(200);
  });
});
