import express from 'express';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AUDIENCE, ISSUER, keyServer, listen, makeKey, recordingLogger, sign, until, type TestKey } from '../test/support.ts';
import { requireAuth, type RequireAuthOptions } from './index.ts';

const closers: { close: () => Promise<void> }[] = [];
afterAll(async () => {
  await Promise.all(closers.map((s) => s.close()));
});

let a: TestKey, b: TestKey;
beforeAll(async () => {
  [a, b] = await Promise.all([makeKey('ES256', 'key-a'), makeKey('ES256', 'key-b')]);
});

async function setup(
  keys: TestKey[],
  options: Partial<RequireAuthOptions> = {},
  serverOptions: { cacheControl?: string; slowMs?: number } = {},
) {
  const jwks = await keyServer(keys, serverOptions);
  const logger = recordingLogger();
  const app = express();
  app.get('/x', requireAuth({ issuer: ISSUER, audience: AUDIENCE, jwksUri: jwks.url, logger, ...options }), (req, res) => {
    res.json({ sub: req.auth?.sub });
  });
  const server = await listen(app);
  closers.push(jwks, server);
  const call = async (token: string) => {
    const res = await fetch(`${server.url}/x`, { headers: { authorization: `Bearer ${token}` } });
    const body = (await res.json()) as { detail?: string };
    return { status: res.status, detail: body.detail };
  };
  return { jwks, logger, call, url: server.url };
}

describe('JWKS cache', () => {
  it('fetches once and serves later tokens from the cached key set while max-age holds', async () => {
    const { jwks, call } = await setup([a]);
    for (let i = 0; i < 5; i++) expect((await call(await sign(a, { sub: `u${i}` }))).status).toBe(200);
    expect(jwks.requests).toBe(1);
  });

  it('refreshes in the background once max-age has passed, without failing requests', async () => {
    const { jwks, call } = await setup([a], { jwks: { cooldown: 0 } }, { cacheControl: 'max-age=0' });
    expect((await call(await sign(a))).status).toBe(200);
    expect((await call(await sign(a, { sub: 'u2' }))).status).toBe(200);
    await until(() => jwks.requests >= 2);
  });

  it('refetches once for a flood of unknown kids, then not again within the cooldown', async () => {
    const { jwks, call, logger } = await setup([a], { jwks: { cooldown: 2_500 } });
    const forged = await Promise.all(Array.from({ length: 30 }, (_, i) => sign({ ...b, kid: `random-${i}` })));
    const oneMore = await sign({ ...b, kid: 'one-more' });
    expect((await call(await sign(a))).status).toBe(200);
    expect(jwks.requests).toBe(1);
    // The first load counts against the cooldown too: nothing is refetched before it ends.
    expect((await call(forged[0]!)).status).toBe(401);
    expect(jwks.requests).toBe(1);
    await new Promise((r) => setTimeout(r, 2_600));
    const results = await Promise.all(forged.map(call));
    expect(results.every((r) => r.status === 401 && r.detail === 'No signing key matches the token')).toBe(true);
    expect(jwks.requests).toBe(2);
    expect((await call(oneMore)).status).toBe(401);
    expect(jwks.requests).toBe(2);
    expect(logger.entries.filter((e) => e.level === 'warn').map((e) => e.data.event)).toContain('jwks_unknown_kid');
    expect(logger.events()).not.toContain('jwks_fetch_failed');
  });

  it('picks up a new key on an unknown kid (rotation) after the cooldown', async () => {
    const { jwks, call } = await setup([a], { jwks: { cooldown: 0 } });
    expect((await call(await sign(a))).status).toBe(200);
    jwks.keys = [a, b];
    expect((await call(await sign(b))).status).toBe(200);
    expect(jwks.requests).toBe(2);
  });

  it.each(['down', 'error', 'garbage'] as const)(
    'keeps the last good keys when the endpoint is %s, and logs it as a fetch problem',
    async (mode) => {
      const { jwks, call, logger } = await setup([a], { jwks: { cooldown: 0 } }, { cacheControl: 'max-age=0' });
      const token = await sign(a);
      expect((await call(token)).status).toBe(200);
      jwks.mode = mode;
      // A new token (not cached) and an unknown kid both force the key set path.
      expect((await call(await sign(a, { sub: 'fresh' }))).status).toBe(200);
      expect((await call(await sign(b))).status).toBe(401);
      await until(() => logger.entries.some((e) => e.level === 'warn'));
      expect((await call(await sign(a, { sub: 'fresher' }))).status).toBe(200);
      const events = logger.entries.filter((e) => e.level === 'warn').map((e) => e.data.event);
      expect(events).toContain(mode === 'garbage' ? 'jwks_invalid' : 'jwks_fetch_failed');
      expect(events).not.toContain('jwks_unknown_kid');
    },
  );

  it('answers 401 (not 5xx) when the key set was never reachable, and retries after the cooldown', async () => {
    const { jwks, call, logger } = await setup([a], { jwks: { cooldown: 200 } });
    jwks.mode = 'down';
    const res = await call(await sign(a));
    expect(res).toEqual({ status: 401, detail: 'The signing keys are temporarily unavailable' });
    expect(logger.events()).toContain('jwks_fetch_failed');
    jwks.mode = 'ok';
    await new Promise((r) => setTimeout(r, 250));
    expect((await call(await sign(a))).status).toBe(200);
  });

  it('gives up on a slow endpoint after the timeout', async () => {
    const { jwks, call, logger } = await setup([a], { jwks: { timeout: 150 } }, { slowMs: 2_000 });
    jwks.mode = 'slow';
    const started = Date.now();
    expect((await call(await sign(a))).status).toBe(401);
    expect(Date.now() - started).toBeLessThan(1_500);
    expect(logger.entries.find((e) => e.data.event === 'jwks_fetch_failed')?.data.error).toMatch(/timed out/);
  });

  it('drops cached tokens of a key that left the key set', async () => {
    const { jwks, call } = await setup([a, b], { jwks: { cooldown: 0 } });
    const token = await sign(a);
    expect((await call(token)).status).toBe(200);
    jwks.keys = [b];
    // An unknown kid triggers the refetch that notices key-a is gone.
    expect((await call(await sign({ ...b, kid: 'unknown' }))).status).toBe(401);
    const res = await call(token);
    expect(res).toEqual({ status: 401, detail: 'No signing key matches the token' });
  });

  it('finds the key set through the discovery document when jwksUri is not given', async () => {
    const jwks = await keyServer([a]);
    closers.push(jwks);
    let issuer = '';
    const discovery = await listen((req, res) => {
      res.writeHead(req.url === '/.well-known/openid-configuration' ? 200 : 404, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ issuer, jwks_uri: jwks.url }));
    });
    closers.push(discovery);
    issuer = discovery.url;
    const app = express();
    app.get('/x', requireAuth({ issuer, audience: AUDIENCE }), (_req, res) => void res.send('ok'));
    const server = await listen(app);
    closers.push(server);
    const res = await fetch(`${server.url}/x`, { headers: { authorization: `Bearer ${await sign(a, { iss: issuer })}` } });
    expect(res.status).toBe(200);
  });

  it('refuses a discovery document that names another issuer', async () => {
    const jwks = await keyServer([a]);
    const discovery = await listen((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ issuer: 'https://evil.test', jwks_uri: jwks.url }));
    });
    closers.push(jwks, discovery);
    const logger = recordingLogger();
    const app = express();
    app.get('/x', requireAuth({ issuer: discovery.url, audience: AUDIENCE, logger }), (_req, res) => void res.send('ok'));
    const server = await listen(app);
    closers.push(server);
    const res = await fetch(`${server.url}/x`, { headers: { authorization: `Bearer ${await sign(a, { iss: discovery.url })}` } });
    expect(res.status).toBe(401);
    expect(jwks.requests).toBe(0);
    expect(logger.events()).toContain('discovery_failed');
  });
});
