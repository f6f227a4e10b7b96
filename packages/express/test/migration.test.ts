/**
 * The migration promise of docs/express.md: the same token through express-jwt + jwks-rsa and
 * through @sigil/express gives the same `req.auth`, with the option mapping of the guide.
 */
import express from 'express';
import { expressjwt } from 'express-jwt';
import jwksRsa from 'jwks-rsa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { requireAuth, sigilErrorHandler } from '../src/index.ts';
import { AUDIENCE, ISSUER, keyServer, listen, makeKey, sign, type TestKey } from './support.ts';

let key: TestKey;
let base: string;
const closers: { close: () => Promise<void> }[] = [];

beforeAll(async () => {
  key = await makeKey('RS256');
  const jwks = await keyServer([key]);
  const app = express();
  const echo = (req: express.Request, res: express.Response) => void res.json(req.auth);
  // Before: the seeds' stack.
  app.get(
    '/before',
    expressjwt({
      secret: jwksRsa.expressJwtSecret({ jwksUri: jwks.url, cache: true, rateLimit: true, jwksRequestsPerMinute: 5 }) as never,
      algorithms: ['RS256'],
      issuer: ISSUER,
      audience: AUDIENCE,
    }),
    echo,
  );
  // After: the mapping of the migration guide.
  app.get('/after', requireAuth({ jwksUri: jwks.url, algorithms: ['RS256'], issuer: ISSUER, audience: AUDIENCE, onError: 'next' }), echo);
  app.use(sigilErrorHandler());
  app.use((error: { status?: number }, _req: express.Request, res: express.Response, _next: express.NextFunction) => {
    res.status(error.status ?? 500).json({ legacy: true });
  });
  const server = await listen(app);
  closers.push(jwks, server);
  base = server.url;
});
afterAll(async () => {
  await Promise.all(closers.map((c) => c.close()));
});

describe('migrating from express-jwt + jwks-rsa', () => {
  it('puts the same claims on req.auth', async () => {
    const token = await sign(key, { email: 'a@example.com', roles: ['admin'], nested: { a: [1, 2] } });
    const headers = { authorization: `Bearer ${token}` };
    const before = await fetch(`${base}/before`, { headers });
    const after = await fetch(`${base}/after`, { headers });
    expect(before.status).toBe(200);
    expect(after.status).toBe(200);
    const claims = await after.json();
    expect(claims).toEqual(await before.json());
    expect(claims).toMatchObject({ email: 'a@example.com', roles: ['admin'], nested: { a: [1, 2] } });
  });

  it('answers 401 where express-jwt did, with a problem+json body and an RFC 6750 challenge', async () => {
    const expired = await sign(key, { exp: Math.floor(Date.now() / 1000) - 60 });
    for (const headers of [{} as Record<string, string>, { authorization: `Bearer ${expired}` }, { authorization: 'Bearer x.y.z' }]) {
      const before = await fetch(`${base}/before`, { headers });
      const after = await fetch(`${base}/after`, { headers });
      expect(before.status).toBe(401);
      expect(after.status).toBe(401);
      expect(after.headers.get('www-authenticate')).toMatch(/^Bearer realm="sigil"/);
      expect(await after.json()).toMatchObject({ code: 'invalid_token' });
    }
  });
});
