/**
 * @sigil/express against the real Sigil auth server (@sigil/server): valid tokens, the attack
 * corpus of issue 3, key rotation under load, and a key set endpoint that goes down.
 */
import { createHmac, createPublicKey } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { createAuthServer, type AuthServer } from '@sigil/server';
import express from 'express';
import { exportJWK, generateKeyPair, SignJWT, type CryptoKey, type JWK } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { requireAuth, type RequireAuthOptions } from '../src/index.ts';
import { b64, listen, recordingLogger } from './support.ts';

const PASSWORD = 'correct horse battery';
let auth: AuthServer;
let authUrl: string;
const closers: { close: () => Promise<void> }[] = [];

interface Session {
  access_token: string;
  refresh_token: string;
}

async function authPost(path: string, body: unknown): Promise<Session> {
  const res = await fetch(authUrl + path, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  if (res.status !== 200) throw new Error(`${path} answered ${res.status}`);
  return (await res.json()) as Session;
}
const login = (email: string) => authPost('/auth/login', { email, password: PASSWORD });
const refresh = (session: Session) => authPost('/auth/refresh', { refresh_token: session.refresh_token });

/** An API app protected by requireAuth against the auth server; GET /x echoes req.auth. */
async function startApi(options: Partial<RequireAuthOptions> = {}) {
  const logger = recordingLogger();
  const app = express();
  app.get('/x', requireAuth({ issuer: auth.issuer, audience: 'sigil', logger, ...options }), (req, res) => void res.json(req.auth));
  app.get('/health', (_req, res) => void res.send('ok'));
  const server = await listen(app);
  closers.push(server);
  const call = async (token: string) => {
    const res = await fetch(`${server.url}/x`, { headers: { authorization: `Bearer ${token}` } });
    return { status: res.status, challenge: res.headers.get('www-authenticate') ?? '', text: await res.text() };
  };
  return { url: server.url, call, logger };
}

const kidOf = (token: string) => (JSON.parse(Buffer.from(token.split('.')[0]!, 'base64url').toString()) as { kid: string }).kid;

beforeAll(async () => {
  auth = await createAuthServer({
    dataDir: 'memory://',
    logLevel: 'silent',
    jwksMaxAge: 1,
    keyPublishLead: 2,
    ipRequestsPerMinute: 100_000,
  });
  ({ url: authUrl } = await auth.listen(0));
  await auth.createUser({ email: 'ann@example.com', password: PASSWORD, name: 'Ann', roles: ['admin'] });
  await auth.createUser({ email: 'bob@example.com', password: PASSWORD, name: 'Bob' });
}, 120_000);

afterAll(async () => {
  await Promise.all(closers.map((c) => c.close()));
  await auth?.close();
});

describe('against the real auth server', () => {
  it('accepts its access tokens (discovery + JWKS) with the claims on req.auth', async () => {
    const api = await startApi();
    const session = await login('ann@example.com');
    const res = await api.call(session.access_token);
    expect(res.status).toBe(200);
    expect(JSON.parse(res.text)).toMatchObject({
      iss: auth.issuer,
      aud: 'sigil',
      email: 'ann@example.com',
      name: 'Ann',
      roles: ['admin'],
      sub: expect.any(String),
      sid: expect.any(String),
    });
  });

  it('answers 401 to every token of the attack corpus and keeps serving', async () => {
    const api = await startApi();
    const valid = (await login('bob@example.com')).access_token;
    const [h, p, s] = valid.split('.') as [string, string, string];
    const header = JSON.parse(Buffer.from(h, 'base64url').toString()) as Record<string, unknown>;
    const payload = JSON.parse(Buffer.from(p, 'base64url').toString()) as Record<string, unknown>;
    const realKid = header.kid as string;
    const { keys } = (await (await fetch(`${authUrl}/.well-known/jwks.json`)).json()) as { keys: JWK[] };
    const publicJwk = keys.find((k) => k.kid === realKid)!;
    const publicKey = createPublicKey({ key: publicJwk as never, format: 'jwk' });
    const signing = await auth.keys.signingKey();

    // A server the forged jku/x5u headers point at: it must never be asked for anything.
    let trapRequests = 0;
    const trap = await listen((_req: IncomingMessage, res) => {
      trapRequests++;
      res.end('{}');
    });
    closers.push(trap);
    const attacker = await generateKeyPair('RS256', { extractable: true });
    const attackerJwk = { ...(await exportJWK(attacker.publicKey)), kid: 'attacker', alg: 'RS256', use: 'sig' };
    const forge = (hdr: Record<string, unknown>, claims: Record<string, unknown> = payload, key: CryptoKey = attacker.privateKey) =>
      new SignJWT(claims).setProtectedHeader({ alg: 'RS256', typ: 'at+jwt', ...hdr } as never).sign(key);
    const realSigned = (claims: Record<string, unknown>, hdr: Record<string, unknown> = {}) =>
      new SignJWT(claims)
        .setProtectedHeader({ alg: signing.alg, kid: signing.kid, typ: 'at+jwt', ...hdr } as never)
        .sign(signing.key as CryptoKey);
    const hmac = (key: string | Buffer, hdr: Record<string, unknown>) => {
      const input = `${b64({ alg: 'HS256', typ: 'at+jwt', ...hdr })}.${p}`;
      return `${input}.${createHmac('sha256', key).update(input).digest('base64url')}`;
    };
    const now = Math.floor(Date.now() / 1000);
    const flip = (text: string, at: number) => text.slice(0, at) + (text[at] === 'A' ? 'B' : 'A') + text.slice(at + 1);

    const corpus: Record<string, string> = {};
    for (const alg of ['none', 'None', 'NONE', 'nOnE']) {
      corpus[`alg ${alg}, empty signature`] = `${b64({ ...header, alg })}.${p}.`;
      corpus[`alg ${alg}, original signature`] = `${b64({ ...header, alg })}.${p}.${s}`;
      corpus[`alg ${alg}, no kid`] = `${b64({ alg, typ: 'at+jwt' })}.${b64({ ...payload, roles: ['admin'] })}.`;
    }
    Object.assign(corpus, {
      'HS256 keyed with the public key PEM': hmac(publicKey.export({ type: 'spki', format: 'pem' }) as string, { kid: realKid }),
      'HS256 keyed with the public key DER': hmac(publicKey.export({ type: 'spki', format: 'der' }), { kid: realKid }),
      'HS256 keyed with the JWK JSON': hmac(JSON.stringify(publicJwk), { kid: realKid }),
      'HS256 keyed with the JWK n': hmac(Buffer.from(publicJwk.n ?? '', 'base64url'), { kid: realKid }),
      'attacker key with the real kid': await forge({ kid: realKid }),
      'attacker key with an unknown kid': await forge({ kid: 'attacker' }),
      'attacker key, no kid': await forge({}),
      'embedded jwk, no kid': await forge({ jwk: attackerJwk }),
      'embedded jwk with the real kid': await forge({ kid: realKid, jwk: attackerJwk }),
      'jku to a local server, unknown kid': await forge({ kid: 'attacker', jku: `${trap.url}/jwks.json` }),
      'jku to a local server, real kid': await forge({ kid: realKid, jku: `${trap.url}/jwks.json` }),
      'x5u to a local server': await forge({ kid: 'attacker', x5u: `${trap.url}/cert.pem` }),
      'x5c with the attacker key': await forge({ x5c: ['MIIB'] }),
      'tampered header (extra member)': `${b64({ ...header, admin: true })}.${p}.${s}`,
      'tampered header (alg RS512)': `${b64({ ...header, alg: 'RS512' })}.${p}.${s}`,
      'tampered header (alg PS256)': `${b64({ ...header, alg: 'PS256' })}.${p}.${s}`,
      'tampered header (alg ES256 on the RSA kid)': `${b64({ ...header, alg: 'ES256' })}.${p}.${s.slice(0, 86)}`,
      'tampered payload (roles admin)': `${h}.${b64({ ...payload, roles: ['admin'] })}.${s}`,
      'tampered payload (later exp)': `${h}.${b64({ ...payload, exp: now + 86_400 })}.${s}`,
      'tampered signature (first char)': `${h}.${p}.${flip(s, 0)}`,
      'tampered signature (last char)': `${h}.${p}.${flip(s, s.length - 1)}`,
      'signature of another token': `${h}.${p}.${(await login('ann@example.com')).access_token.split('.')[2]}`,
      'truncated by 5 characters': valid.slice(0, -5),
      'truncated to two segments': `${h}.${p}`,
      'header only': h,
      'empty signature': `${h}.${p}.`,
      'extra segment': `${valid}.${s}`,
      'trailing dot': `${valid}.`,
      'five segments (JWE shape)': `${h}.${p}.${s}.${s}.${s}`,
      'non-base64 character': `${h}.${p}.${s.slice(0, 10)}*${s.slice(11)}`,
      'standard base64 characters': `${h}.${p.replace(/-/g, '+').replace(/_/g, '/')}+/.${s}`,
      padding: `${h}.${p}.${s}==`,
      'huge payload': `${h}.${'A'.repeat(12_000)}.${s}`,
      'header not JSON': `${b64('x').slice(0, -2)}eA.${p}.${s}`,
      'kid path traversal': await forge({ kid: '../../../../etc/passwd' }),
      'expired (real key)': await realSigned({ ...payload, iat: now - 3_600, exp: now - 1_800 }),
      'not yet valid (real key)': await realSigned({ ...payload, nbf: now + 3_600 }),
      'issued in the future (real key)': await realSigned({ ...payload, iat: now + 3_600, exp: now + 7_200 }),
      'wrong issuer (real key)': await realSigned({ ...payload, iss: 'https://evil.example.com' }),
      'wrong audience (real key)': await realSigned({ ...payload, aud: 'another-api' }),
      'no audience (real key)': await realSigned({ ...payload, aud: undefined }),
      'typ JWT (real key)': await realSigned(payload, { typ: 'JWT' }),
      'no typ (real key)': await realSigned(payload, { typ: undefined }),
      'no exp (real key)': await realSigned({ ...payload, exp: undefined }),
    });

    // Cached first: forgeries that reuse its signature must not be served from the token cache.
    expect((await api.call(valid)).status).toBe(200);
    for (const [name, token] of Object.entries(corpus)) {
      const res = await api.call(token);
      expect(res.status, name).toBe(401);
      expect(res.challenge, name).toMatch(/^Bearer realm="sigil", error="invalid_token", error_description="[^"]+"$/);
      expect(JSON.parse(res.text), name).toMatchObject({ code: 'invalid_token', status: 401 });
      for (const part of token.split('.').filter((x) => x.length > 8)) expect(res.text + res.challenge, name).not.toContain(part);
      expect((await fetch(`${api.url}/health`)).status, `still serving after ${name}`).toBe(200);
    }
    expect(trapRequests).toBe(0);
    expect((await api.call(valid)).status).toBe(200);
  });

  it('serves valid tokens without a single 401 while the auth server rotates its keys', async () => {
    const api = await startApi({ jwks: { cooldown: 500 } });
    const sessions = await Promise.all(['ann@example.com', 'bob@example.com', 'ann@example.com'].map(login));
    const statuses = new Map<number, number>();
    const kids = new Set<string>();
    let running = true;
    const worker = async (session: Session) => {
      let current = session;
      while (running) {
        current = await refresh(current);
        kids.add(kidOf(current.access_token));
        for (let i = 0; i < 3; i++) {
          const { status } = await api.call(current.access_token);
          statuses.set(status, (statuses.get(status) ?? 0) + 1);
        }
      }
    };
    const workers = sessions.map(worker);
    await new Promise((r) => setTimeout(r, 600));
    await auth.keys.rotate(); // staged: published now, signs after keyPublishLead (2 s)
    await new Promise((r) => setTimeout(r, 2_600));
    await auth.keys.rotate({ immediate: true }); // signs at once: the API learns it by kid refetch
    await new Promise((r) => setTimeout(r, 1_000));
    running = false;
    await Promise.all(workers);
    expect(kids.size).toBeGreaterThanOrEqual(3);
    expect([...statuses.keys()]).toEqual([200]);
    expect(statuses.get(200)).toBeGreaterThan(20);
  });

  it('keeps verifying valid tokens when the JWKS endpoint goes down', async () => {
    let down = false;
    let proxied = 0;
    const proxy = await listen(async (req, res) => {
      proxied++;
      if (down) return void req.socket.destroy();
      const upstream = await fetch(authUrl + (req.url ?? '/'));
      res.writeHead(upstream.status, { 'content-type': 'application/json', 'cache-control': upstream.headers.get('cache-control') ?? '' });
      res.end(await upstream.text());
    });
    closers.push(proxy);
    // Cache off and max-age 1 s: every request below really verifies, and the key set goes stale.
    const api = await startApi({ jwksUri: `${proxy.url}/.well-known/jwks.json`, tokenCache: false, jwks: { cooldown: 100 } });
    const tokens = await Promise.all(['ann@example.com', 'bob@example.com'].map(async (e) => (await login(e)).access_token));
    expect((await api.call(tokens[0]!)).status).toBe(200);
    down = true;
    const before = proxied;
    for (let i = 0; i < 6; i++) {
      await new Promise((r) => setTimeout(r, 250));
      for (const token of tokens) expect((await api.call(token)).status).toBe(200);
    }
    expect(proxied).toBeGreaterThan(before);
    expect(api.logger.events()).toContain('jwks_fetch_failed');
    // An unknown kid while the endpoint is down is a clean 401, never a 5xx.
    const forged = `${b64({ alg: 'RS256', kid: 'new-kid', typ: 'at+jwt' })}.${tokens[0]!.split('.')[1]}.${tokens[0]!.split('.')[2]}`;
    expect((await api.call(forged)).status).toBe(401);
  });
});
