import { createHmac, createPublicKey, generateKeyPairSync } from 'node:crypto';
import express from 'express';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AUDIENCE, claims, ISSUER, keyServer, listen, makeKey, sign, signRaw, until, type TestKey } from '../test/support.ts';
import { requireAuth, sigilErrorHandler, type RequireAuthOptions } from './index.ts';

let rsa: TestKey, ec: TestKey, ed: TestKey, ps: TestKey, other: TestKey;
let jwks: Awaited<ReturnType<typeof keyServer>>;
const servers: { close: () => Promise<void> }[] = [];

beforeAll(async () => {
  [rsa, ec, ed, ps, other] = await Promise.all([makeKey('RS256'), makeKey('ES256'), makeKey('EdDSA'), makeKey('PS256'), makeKey('ES256')]);
  jwks = await keyServer([rsa, ec, ed, ps]);
  servers.push(jwks);
});
afterAll(async () => {
  await Promise.all(servers.map((s) => s.close()));
});

/** An app with `requireAuth(options)` on GET /x that echoes `req.auth`. */
async function start(options: Partial<RequireAuthOptions> = {}): Promise<string> {
  const app = express();
  app.get('/x', requireAuth({ issuer: ISSUER, audience: AUDIENCE, jwksUri: jwks.url, ...options }), (req, res) => {
    res.json({ auth: req.auth ?? null });
  });
  const server = await listen(app);
  servers.push(server);
  return `${server.url}/x`;
}

function get(url: string, authorization?: string, headers: Record<string, string> = {}) {
  return fetch(url, { headers: authorization === undefined ? headers : { ...headers, authorization } });
}

describe('requireAuth', () => {
  let url: string;
  beforeAll(async () => {
    url = await start({ algorithms: ['RS256', 'ES256', 'EdDSA', 'PS256'] });
  });

  it.each(['rsa', 'ec', 'ed', 'ps'] as const)('accepts a valid %s token and puts its claims on req.auth', async (name) => {
    const key = { rsa, ec, ed, ps }[name];
    const token = await sign(key, { email: 'a@example.com', roles: ['admin'] });
    const res = await get(url, `Bearer ${token}`);
    expect(res.status).toBe(200);
    const body = (await res.json()) as { auth: Record<string, unknown> };
    expect(body.auth).toMatchObject({ iss: ISSUER, aud: AUDIENCE, sub: 'user-1', email: 'a@example.com', roles: ['admin'] });
  });

  it('matches the Bearer scheme case-insensitively', async () => {
    const token = await sign(rsa);
    for (const scheme of ['bearer', 'BEARER', 'BeArEr']) expect((await get(url, `${scheme} ${token}`)).status).toBe(200);
  });

  it('answers a request without a token with a bare realm challenge and a problem+json body', async () => {
    for (const authorization of [undefined, 'Basic dXNlcjpwYXNz']) {
      const res = await get(url, authorization);
      expect(res.status).toBe(401);
      expect(res.headers.get('www-authenticate')).toBe('Bearer realm="sigil"');
      expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json/);
      expect(await res.json()).toEqual({
        type: 'https://sigil.dev/errors/invalid_token',
        title: 'Invalid access token',
        status: 401,
        detail: 'No access token was sent',
        code: 'invalid_token',
      });
    }
  });

  it('answers a bad token with error="invalid_token" and never echoes the token', async () => {
    const token = await sign(rsa, { exp: Math.floor(Date.now() / 1000) - 60 });
    const res = await get(url, `Bearer ${token}`);
    const challenge = res.headers.get('www-authenticate') ?? '';
    const text = await res.text();
    expect(res.status).toBe(401);
    expect(challenge).toBe('Bearer realm="sigil", error="invalid_token", error_description="The access token expired"');
    expect(JSON.parse(text)).toMatchObject({ code: 'invalid_token', detail: 'The access token expired' });
    for (const part of token.split('.')) {
      expect(text).not.toContain(part);
      expect(challenge).not.toContain(part);
    }
  });

  it.each([
    ['expired', { exp: -60 }, 'The access token expired'],
    ['not yet valid', { nbf: 120 }, 'The access token is not yet valid'],
    ['issued in the future', { iat: 120 }, 'The access token is not yet valid'],
    ['wrong issuer', { iss: 'https://evil.test' }, 'The token issuer is not accepted'],
    ['missing issuer', { iss: undefined }, 'The token issuer is not accepted'],
    ['wrong audience', { aud: 'other-api' }, 'The token audience is not accepted'],
    ['missing exp', { exp: undefined }, 'The token claims are invalid'],
    ['non-numeric exp', { exp: 'tomorrow' }, 'The token claims are invalid'],
    ['roles not an array', { roles: 'admin' }, 'The token claims are invalid'],
    ['name not a string', { name: 5 }, 'The token claims are invalid'],
    ['email_verified not a boolean', { email_verified: 'true' }, 'The token claims are invalid'],
    ['sub null', { sub: null }, 'The token claims are invalid'],
  ])('rejects a token that is %s', async (_name, claims, detail) => {
    const now = Math.floor(Date.now() / 1000);
    const relative = Object.fromEntries(
      Object.entries(claims).map(([k, v]) => [k, ['exp', 'nbf', 'iat'].includes(k) && typeof v === 'number' ? now + v : v]),
    );
    const res = await get(url, `Bearer ${await sign(ec, relative)}`);
    expect(res.status).toBe(401);
    expect(((await res.json()) as { detail: string }).detail).toBe(detail);
  });

  it('accepts a token inside the clock tolerance and an audience array containing ours', async () => {
    const now = Math.floor(Date.now() / 1000);
    expect((await get(url, `Bearer ${await sign(ec, { exp: now - 2 })}`)).status).toBe(200);
    expect((await get(url, `Bearer ${await sign(ec, { nbf: now + 2 })}`)).status).toBe(200);
    expect((await get(url, `Bearer ${await sign(ec, { aud: ['x', AUDIENCE] })}`)).status).toBe(200);
    expect((await get(url, `Bearer ${await sign(ec, { name: null, email: null })}`)).status).toBe(200);
    expect((await get(url, `Bearer ${await sign(ec, { email_verified: false })}`)).status).toBe(200);
  });

  it.each([
    ['a wrong typ', { typ: 'JWT' }, 'The token type is not accepted'],
    ['no typ', { typ: undefined }, 'The token type is not accepted'],
    ['a crit header', { crit: ['exp'] }, 'The token header is invalid'],
    ['a non-string kid', { kid: 7 }, 'The token header is invalid'],
  ])('rejects a token with %s', async (_name, header, detail) => {
    const res = await get(url, `Bearer ${signRaw(rsa, { alg: 'RS256', kid: rsa.kid, typ: 'at+jwt', ...header }, claims())}`);
    expect(res.status).toBe(401);
    expect(((await res.json()) as { detail: string }).detail).toBe(detail);
  });

  it('accepts typ "application/at+jwt" and ignores case', async () => {
    expect((await get(url, `Bearer ${await sign(rsa, {}, { typ: 'application/AT+JWT' })}`)).status).toBe(200);
  });

  it('rejects an algorithm outside the allow-list even when the key could verify it', async () => {
    const rsOnly = await start({ algorithms: ['RS256'] });
    const res = await get(rsOnly, `Bearer ${await sign(ec)}`);
    expect(((await res.json()) as { detail: string }).detail).toBe('The token algorithm is not allowed');
  });

  it('rejects a token whose alg does not fit the key named by its kid', async () => {
    const es = await sign(ec);
    const [, payload, signature] = es.split('.');
    const header = Buffer.from(JSON.stringify({ alg: 'ES256', kid: rsa.kid, typ: 'at+jwt' })).toString('base64url');
    const res = await get(url, `Bearer ${header}.${payload}.${signature}`);
    expect(((await res.json()) as { detail: string }).detail).toBe('The signing key does not match the token algorithm');
  });

  it('rejects HS256 signed with the public key, and alg none in any casing', async () => {
    const pem = createPublicKey({ key: rsa.jwk as never, format: 'jwk' }).export({ type: 'spki', format: 'pem' });
    const body = Buffer.from(JSON.stringify({ iss: ISSUER, aud: AUDIENCE, sub: 'x', exp: Math.floor(Date.now() / 1000) + 60 })).toString(
      'base64url',
    );
    const hsHeader = Buffer.from(JSON.stringify({ alg: 'HS256', kid: rsa.kid, typ: 'at+jwt' })).toString('base64url');
    const mac = createHmac('sha256', pem).update(`${hsHeader}.${body}`).digest('base64url');
    const tokens = [`${hsHeader}.${body}.${mac}`];
    for (const alg of ['none', 'None', 'NONE', 'nOnE']) {
      const h = Buffer.from(JSON.stringify({ alg, kid: rsa.kid, typ: 'at+jwt' })).toString('base64url');
      tokens.push(`${h}.${body}.`, `${h}.${body}.e30`);
    }
    for (const token of tokens) expect((await get(url, `Bearer ${token}`)).status).toBe(401);
  });

  it('rejects a token signed by an unknown key, and one signed by another key under a known kid', async () => {
    const unknown = await get(url, `Bearer ${await sign(other)}`);
    expect(((await unknown.json()) as { detail: string }).detail).toBe('No signing key matches the token');
    const forged = await get(url, `Bearer ${await sign({ ...other, kid: ec.kid })}`);
    expect(((await forged.json()) as { detail: string }).detail).toBe('The token signature is invalid');
  });

  it('rejects malformed and oversized tokens with 401, never a 5xx', async () => {
    const good = await sign(rsa);
    const [h, p, s] = good.split('.') as [string, string, string];
    const bad = [
      'abc',
      `${h}.${p}`,
      `${h}.${p}.${s}.${s}`,
      `${h}..${s}`,
      `${h}.${p}.`,
      `${h}.${p}.${s}=`,
      `${h}.${p}.${s.slice(0, -1)}`,
      `${h}.${p}!.${s}`,
      `${h}.${p.slice(0, -1)}A.${s}`,
      `e30.${p}.${s}`,
      `bnVsbA.${p}.${s}`,
      `${Buffer.from('[1]').toString('base64url')}.${p}.${s}`,
      `${h}.${Buffer.from('not json').toString('base64url')}.${s}`,
      'a'.repeat(10_000),
      `${h}.${'A'.repeat(9_000)}.${s}`,
      '....',
      'Bearer',
    ];
    for (const token of bad) {
      const res = await get(url, `Bearer ${token}`);
      expect(res.status, token.slice(0, 40)).toBe(401);
      expect(res.headers.get('www-authenticate')).toContain('error="invalid_token"');
    }
    expect((await get(url, 'Bearer')).status).toBe(401);
    // Same signature bytes, non-canonical last character (its unused low bits set).
    const last = s.at(-1)!;
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
    const sibling = alphabet[alphabet.indexOf(last) ^ 1]!;
    expect(Buffer.from(s.slice(0, -1) + sibling, 'base64url').equals(Buffer.from(s, 'base64url'))).toBe(true);
    expect((await get(url, `Bearer ${h}.${p}.${s.slice(0, -1)}${sibling}`)).status).toBe(401);
    expect((await get(url, `Bearer ${good}`)).status).toBe(200);
  });

  it('reads the token from a cookie when configured, and prefers the Authorization header', async () => {
    const cookieUrl = await start({ cookie: 'at' });
    const token = await sign(rsa, { sub: 'cookie-user' });
    const res = await get(cookieUrl, undefined, { cookie: `other=1; at=${token}` });
    expect(((await res.json()) as { auth: { sub: string } }).auth.sub).toBe('cookie-user');
    expect((await get(cookieUrl, 'Bearer nope', { cookie: `at=${token}` })).status).toBe(401);
    // Another scheme in the header is not ours: the cookie is read.
    expect((await get(cookieUrl, 'Basic abc', { cookie: `at=${token}` })).status).toBe(200);
    expect((await get(url, undefined, { cookie: `at=${token}` })).status).toBe(401);
  });

  it('lets requests without a token through when credentialsRequired is false, but not bad tokens', async () => {
    const optional = await start({ credentialsRequired: false });
    const res = await get(optional);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ auth: null });
    expect((await get(optional, 'Bearer x.y.z')).status).toBe(401);
  });

  it("passes errors to next() with onError: 'next' so sigilErrorHandler can render them", async () => {
    const app = express();
    app.get(
      '/x',
      requireAuth({ issuer: ISSUER, audience: AUDIENCE, jwksUri: jwks.url, onError: 'next', realm: 'lessons' }),
      (_req, res) => {
        res.send('ok');
      },
    );
    app.get('/boom', () => {
      throw new Error('unrelated');
    });
    app.use(sigilErrorHandler({ realm: 'lessons' }));
    app.use((_error: unknown, _req: express.Request, res: express.Response, _next: express.NextFunction) => {
      res.status(500).send('app handler');
    });
    const server = await listen(app);
    servers.push(server);
    const res = await get(`${server.url}/x`, 'Bearer a.b.c');
    expect(res.status).toBe(401);
    expect(res.headers.get('www-authenticate')).toMatch(/^Bearer realm="lessons", error="invalid_token"/);
    expect(await (await get(`${server.url}/boom`)).text()).toBe('app handler');
  });

  it("leaves errors thrown after it to the app's error handler (no 401 for a handler bug)", async () => {
    const app = express();
    app.get('/x', requireAuth({ issuer: ISSUER, audience: AUDIENCE, jwksUri: jwks.url }), () => {
      throw new Error('handler bug');
    });
    app.use((_error: unknown, _req: express.Request, res: express.Response, _next: express.NextFunction) => {
      res.status(500).send('app handler');
    });
    const server = await listen(app);
    servers.push(server);
    const token = await sign(rsa);
    for (let i = 0; i < 2; i++) {
      // First request verifies, the second is a cache hit: both hand the handler's error on.
      const res = await get(`${server.url}/x`, `Bearer ${token}`);
      expect(res.status).toBe(500);
      expect(await res.text()).toBe('app handler');
    }
  });

  it('verifies HS256 tokens in shared-secret mode', async () => {
    const secret = 'x'.repeat(40);
    const hsUrl = await start({ jwksUri: undefined, secret });
    const header = Buffer.from(JSON.stringify({ alg: 'HS256', typ: 'at+jwt' })).toString('base64url');
    const body = Buffer.from(JSON.stringify({ iss: ISSUER, aud: AUDIENCE, sub: 'hs', exp: Math.floor(Date.now() / 1000) + 60 })).toString(
      'base64url',
    );
    const sig = (key: string) => createHmac('sha256', key).update(`${header}.${body}`).digest('base64url');
    expect((await get(hsUrl, `Bearer ${header}.${body}.${sig(secret)}`)).status).toBe(200);
    expect((await get(hsUrl, `Bearer ${header}.${body}.${sig('y'.repeat(40))}`)).status).toBe(401);
    expect((await get(hsUrl, `Bearer ${await sign(rsa)}`)).status).toBe(401);
  });

  it('refuses RSA keys shorter than 2048 bits', async () => {
    const { publicKey, privateKey } = generateKeyPairSync('rsa', { modulusLength: 1024 });
    const weak: TestKey = {
      kid: 'weak',
      alg: 'RS256',
      privateKey: privateKey as never,
      jwk: { ...publicKey.export({ format: 'jwk' }), kid: 'weak', alg: 'RS256' },
    };
    const weakJwks = await keyServer([weak]);
    servers.push(weakJwks);
    const weakUrl = await start({ jwksUri: weakJwks.url });
    const token = signRaw(weak, { alg: 'RS256', kid: 'weak', typ: 'at+jwt' }, claims());
    const res = await get(weakUrl, `Bearer ${token}`);
    expect(((await res.json()) as { detail: string }).detail).toBe('No signing key matches the token');
  });
});

describe('verified-token cache', () => {
  it('serves a repeated token from the cache but still expires it on time', async () => {
    const url = await start({ clockTolerance: 0 });
    // A few seconds of life: a loaded CI machine must not expire it before the first request.
    const exp = Math.floor(Date.now() / 1000) + 3;
    const token = await sign(ec, { exp });
    expect((await get(url, `Bearer ${token}`)).status).toBe(200);
    expect((await get(url, `Bearer ${token}`)).status).toBe(200);
    await new Promise((r) => setTimeout(r, exp * 1000 - Date.now() + 150));
    const res = await get(url, `Bearer ${token}`);
    expect(res.status).toBe(401);
    expect(((await res.json()) as { detail: string }).detail).toBe('The access token expired');
  });

  it('a cached token stops working once its key leaves the key set, even if only cached tokens arrive', async () => {
    const own = await makeKey('ES256');
    const keys = await keyServer([own], { cacheControl: 'max-age=1' });
    servers.push(keys);
    const url = await start({ jwksUri: keys.url, jwks: { cooldown: 0 } });
    const token = await sign(own);
    expect((await get(url, `Bearer ${token}`)).status).toBe(200);
    expect((await get(url, `Bearer ${token}`)).status).toBe(200);
    const fetchesBefore = keys.requests;
    keys.keys = [other]; // the key is revoked at the issuer (another one stays published)
    await new Promise((r) => setTimeout(r, 1_100));
    // This hit is served from the cache but notices the stale key set and refreshes it behind the request...
    await get(url, `Bearer ${token}`);
    await until(() => keys.requests > fetchesBefore);
    // ...so once the refresh lands, the token is refused.
    let status = 200;
    for (let i = 0; i < 50 && status === 200; i++) {
      status = (await get(url, `Bearer ${token}`)).status;
      if (status === 200) await new Promise((r) => setTimeout(r, 20));
    }
    expect(status).toBe(401);
  });

  it('serves the hot path by the whole header value, never for another spelling or another source', async () => {
    const url = await start({ cookie: 'at' });
    const token = await sign(rsa, { sub: 'hot' });
    const [h, p, sig] = token.split('.') as [string, string, string];
    // Cached once from the cookie (as the bare token) and once from the header (as the header).
    expect((await get(url, undefined, { cookie: `at=${token}` })).status).toBe(200);
    expect((await get(url, `Bearer ${token}`)).status).toBe(200);
    expect((await get(url, `Bearer ${token}`)).status).toBe(200);
    // The bare token as a header has no Bearer scheme: not ours, and no cookie was sent.
    const raw = await get(url, token);
    expect(raw.status).toBe(401);
    expect(raw.headers.get('www-authenticate')).not.toContain('error=');
    // Other spellings are checked in full and accepted on their own merit...
    expect((await get(url, `bearer  ${token}`)).status).toBe(200);
    // ...and a header copying the cached one's tail is no hit.
    const forged = `${h}.${Buffer.from(JSON.stringify({ ...JSON.parse(Buffer.from(p, 'base64url').toString()), sub: 'admin' })).toString('base64url')}.${sig}`;
    expect((await get(url, `Bearer ${forged}`)).status).toBe(401);
    expect((await get(url, `Bearer x${token}`)).status).toBe(401);
  });

  it('works with the cache off', async () => {
    const url = await start({ tokenCache: false });
    const token = await sign(ed);
    for (let i = 0; i < 3; i++) expect((await get(url, `Bearer ${token}`)).status).toBe(200);
  });

  it('shares frozen claims, so a handler cannot change what the next request sees', async () => {
    const app = express();
    app.get('/x', requireAuth({ issuer: ISSUER, audience: AUDIENCE, jwksUri: jwks.url }), (req, res) => {
      let threw = false;
      try {
        req.auth!.roles!.push('admin');
      } catch {
        threw = true;
      }
      res.json({ threw, roles: req.auth!.roles });
    });
    const server = await listen(app);
    servers.push(server);
    const token = await sign(rsa);
    await get(`${server.url}/x`, `Bearer ${token}`);
    expect(await (await get(`${server.url}/x`, `Bearer ${token}`)).json()).toEqual({ threw: true, roles: ['user'] });
  });
});
