import express from 'express';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AUDIENCE, ISSUER, keyServer, listen, makeKey, sign, type TestKey } from '../test/support.ts';
import { createSigil, InsufficientUserAuthenticationError, requireAuth, requireAuthLevel, sigilErrorHandler } from './index.ts';

let key: TestKey;
let base: string;
/** The instant createSigil's clock says it is: a day from now, so "fresh" tokens are old there. */
const SIGIL_NOW = Date.now() + 86_400_000;
const closers: { close: () => Promise<void> }[] = [];
const seen: unknown[] = [];

beforeAll(async () => {
  key = await makeKey('ES256');
  const jwks = await keyServer([key]);
  const options = { issuer: ISSUER, audience: AUDIENCE, jwksUri: jwks.url };
  const auth = requireAuth(options);
  const optional = requireAuth({ ...options, credentialsRequired: false });
  const sigil = createSigil({ ...options, realm: 'lessons', clock: () => SIGIL_NOW, clockTolerance: 0 });
  const app = express();
  const ok = (_req: express.Request, res: express.Response) => void res.send('ok');
  app.get('/mfa-recent', auth, requireAuthLevel({ amr: ['mfa'], maxAge: 300 }), ok);
  app.get('/otp-and-hwk', auth, requireAuthLevel({ amr: ['otp', 'hwk'] }), ok);
  app.get('/recent', auth, requireAuthLevel({ maxAge: 60 }), ok);
  app.get('/acr', auth, requireAuthLevel({ acrValues: ['urn:sigil:high', 'urn:sigil:higher'] }), ok);
  app.get('/optional', optional, requireAuthLevel({ amr: ['mfa'] }), ok);
  app.get('/next', auth, requireAuthLevel({ amr: ['mfa'], onError: 'next', realm: 'admin' }), ok);
  // Token claims are checked at the instant createSigil's clock gives (a day from now, see SIGIL_NOW).
  app.get('/sigil', sigil.requireAuth(), sigil.requireAuthLevel({ maxAge: 86_400 + 60 }), ok);
  app.use((error: unknown, _req: express.Request, _res: express.Response, next: express.NextFunction) => {
    seen.push(error);
    next(error);
  });
  app.use(sigilErrorHandler({ realm: 'admin' }));
  const server = await listen(app);
  closers.push(jwks, server);
  base = server.url;
});
afterAll(async () => {
  await Promise.all(closers.map((s) => s.close()));
});

const now = () => Math.floor(Date.now() / 1000);

async function call(path: string, claims?: Record<string, unknown>) {
  const headers: Record<string, string> = claims ? { authorization: `Bearer ${await sign(key, claims)}` } : {};
  const res = await fetch(base + path, { headers });
  return {
    status: res.status,
    challenge: res.headers.get('www-authenticate'),
    body: res.status === 200 ? await res.text() : ((await res.json()) as Record<string, unknown>),
  };
}

describe('requireAuthLevel', () => {
  it('lets a recent sign-in with every required method through', async () => {
    expect(await call('/mfa-recent', { amr: ['pwd', 'otp', 'mfa'], auth_time: now() - 10 })).toMatchObject({ status: 200, body: 'ok' });
    expect((await call('/otp-and-hwk', { amr: ['hwk', 'pwd', 'otp', 'mfa'] })).status).toBe(200);
  });

  it('answers a sign-in without the method with 401 insufficient_user_authentication and the RFC 9470 challenge', async () => {
    const res = await call('/mfa-recent', { amr: ['pwd'], auth_time: now() });
    expect(res.status).toBe(401);
    expect(res.challenge).toBe(
      'Bearer realm="sigil", error="insufficient_user_authentication", error_description="A stronger authentication method is required", max_age=300',
    );
    expect(res.body).toEqual({
      type: 'https://sigil.dev/errors/insufficient_user_authentication',
      title: 'Stronger or more recent authentication required',
      status: 401,
      detail: 'A stronger authentication method is required',
      code: 'insufficient_user_authentication',
    });
    // No amr at all proves no method; every listed method is required, not one of them.
    expect((await call('/mfa-recent', { auth_time: now() })).status).toBe(401);
    expect((await call('/otp-and-hwk', { amr: ['pwd', 'otp', 'mfa'] })).status).toBe(401);
  });

  it('answers a sign-in older than maxAge, or of unknown age, with max_age in the challenge', async () => {
    const old = await call('/mfa-recent', { amr: ['pwd', 'otp', 'mfa'], auth_time: now() - 400 });
    expect(old.status).toBe(401);
    expect(old.challenge).toBe(
      'Bearer realm="sigil", error="insufficient_user_authentication", error_description="A more recent authentication is required", max_age=300',
    );
    expect(old.body).toMatchObject({ code: 'insufficient_user_authentication', detail: 'A more recent authentication is required' });
    expect((await call('/recent', {})).status).toBe(401);
    expect((await call('/recent', { auth_time: now() - 120 })).status).toBe(401);
  });

  it('accepts the clock tolerance on maxAge (5 s by default), no more', async () => {
    expect((await call('/recent', { auth_time: now() - 63 })).status).toBe(200);
    expect((await call('/recent', { auth_time: now() - 75 })).status).toBe(401);
  });

  it('requires acr to be one of acrValues, and names them in the challenge', async () => {
    expect((await call('/acr', { acr: 'urn:sigil:higher' })).status).toBe(200);
    for (const acr of [undefined, 'urn:sigil:low']) {
      const res = await call('/acr', { acr });
      expect(res.status).toBe(401);
      expect(res.challenge).toBe(
        'Bearer realm="sigil", error="insufficient_user_authentication", error_description="A different authentication level is required", acr_values="urn:sigil:high urn:sigil:higher"',
      );
    }
  });

  it('refuses a malformed amr, auth_time or acr as an invalid token before any level is checked', async () => {
    for (const claims of [{ amr: 'mfa' }, { amr: ['mfa', 1] }, { auth_time: String(now()) }, { auth_time: null }, { acr: 2 }]) {
      const res = await call('/mfa-recent', { amr: ['mfa'], auth_time: now(), ...claims });
      expect(res.status, JSON.stringify(claims)).toBe(401);
      expect(res.body).toMatchObject({ code: 'invalid_token', detail: 'The token claims are invalid' });
    }
  });

  it('answers 401 without error when optional auth let a request without a token through', async () => {
    const res = await call('/optional');
    expect(res.status).toBe(401);
    expect(res.challenge).toBe('Bearer realm="sigil"');
  });

  it("hands a typed error to the app's error handler with onError: 'next'", async () => {
    seen.length = 0;
    const res = await call('/next', { amr: ['pwd'] });
    expect(res.status).toBe(401);
    expect(res.challenge).toMatch(/^Bearer realm="admin", error="insufficient_user_authentication"/);
    const error = seen[0];
    expect(error).toBeInstanceOf(InsufficientUserAuthenticationError);
    expect(error).toMatchObject({ code: 'insufficient_user_authentication', reason: 'amr', status: 401, maxAge: undefined });
  });

  it("on createSigil, uses the set's realm, clock and clock tolerance", async () => {
    // A day later by the set's clock: a sign-in 2 minutes before now is 1 day + 2 min old there.
    const res = await call('/sigil', { exp: now() + 2 * 86_400, auth_time: now() - 120 });
    expect(res.status).toBe(401);
    expect(res.challenge).toBe(
      'Bearer realm="lessons", error="insufficient_user_authentication", error_description="A more recent authentication is required", max_age=86460',
    );
    expect((await call('/sigil', { exp: now() + 2 * 86_400, auth_time: now() - 30 })).status).toBe(200);
  });

  it('refuses bad options at setup', () => {
    for (const options of [
      {},
      { amr: [] },
      { amr: ['m fa'] },
      { amr: 'mfa' },
      { maxAge: -1 },
      { maxAge: 1.5 },
      { maxAge: '300' },
      { acrValues: ['a"b'] },
      { amr: ['mfa'], onError: 'log' },
      { amr: ['mfa'], realm: 'a"b' },
      { amr: ['mfa'], clockTolerance: -1 },
    ]) {
      expect(() => requireAuthLevel(options as never), JSON.stringify(options)).toThrow(TypeError);
    }
    expect(() => requireAuthLevel(undefined as never)).toThrow(TypeError);
    const sigil = createSigil({ issuer: ISSUER, audience: AUDIENCE, secret: 'x'.repeat(32) });
    expect(() => sigil.requireAuthLevel({})).toThrow(new TypeError('createSigil.requireAuthLevel: give amr, maxAge or acrValues'));
    expect(() => requireAuthLevel({ amr: ['mfa'], maxAge: 0 })).not.toThrow();
  });
});
