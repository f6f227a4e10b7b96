/**
 * Every signing mode of the real auth server (ES256, EdDSA, HS256 shared secret) verified by
 * @sigil/express, and refused when the API's allow-list does not include it.
 */
import { randomBytes } from 'node:crypto';
import { createAuthServer, type AuthServer } from '@sigil/server';
import express from 'express';
import { afterAll, describe, expect, it } from 'vitest';
import { requireAuth, type RequireAuthOptions } from '../src/index.ts';
import { listen } from './support.ts';

const PASSWORD = 'correct horse battery';
const closers: { close: () => Promise<void> }[] = [];
afterAll(async () => {
  await Promise.all(closers.map((c) => c.close()));
});

async function tokenFrom(options: Record<string, unknown>): Promise<{ auth: AuthServer; token: string }> {
  const auth = await createAuthServer({ dataDir: 'memory://', logLevel: 'silent', ...options });
  closers.push({ close: () => auth.close() });
  const { url } = await auth.listen(0);
  await auth.createUser({ email: 'ann@example.com', password: PASSWORD, roles: ['admin'] });
  const res = await fetch(`${url}/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email: 'ann@example.com', password: PASSWORD }),
  });
  return { auth, token: ((await res.json()) as { access_token: string }).access_token };
}

async function status(options: RequireAuthOptions, token: string): Promise<number> {
  const app = express();
  app.get('/x', requireAuth(options), (_req, res) => void res.send('ok'));
  const server = await listen(app);
  closers.push(server);
  return (await fetch(`${server.url}/x`, { headers: { authorization: `Bearer ${token}` } })).status;
}

describe('signing algorithms of the auth server', () => {
  it.each(['ES256', 'EdDSA'] as const)(
    'verifies %s tokens through the JWKS, and refuses them outside the allow-list',
    async (alg) => {
      const { auth, token } = await tokenFrom({ alg });
      expect(JSON.parse(Buffer.from(token.split('.')[0]!, 'base64url').toString()).alg).toBe(alg);
      expect(await status({ issuer: auth.issuer, audience: 'sigil' }, token)).toBe(200);
      expect(await status({ issuer: auth.issuer, audience: 'sigil', algorithms: ['RS256'] }, token)).toBe(401);
    },
    120_000,
  );

  it('verifies HS256 tokens with the shared secret, and refuses them with another secret', async () => {
    const secret = randomBytes(48).toString('base64');
    const { auth, token } = await tokenFrom({ alg: 'HS256', hs256Secret: secret });
    expect(await status({ issuer: auth.issuer, audience: 'sigil', secret }, token)).toBe(200);
    expect(await status({ issuer: auth.issuer, audience: 'sigil', secret: randomBytes(48).toString('base64') }, token)).toBe(401);
  }, 120_000);
});
