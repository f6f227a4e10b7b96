import fc from 'fast-check';
import express from 'express';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { requireAuth, sigilErrorHandler } from '../src/index.ts';
import { AUDIENCE, ISSUER, keyServer, listen, makeKey, sign, type TestKey } from './support.ts';

// Property-based attack on the token parser: thousands of generated tokens, mutations of a valid
// one among them, must all be answered 401 (never a 5xx, never an unhandled rejection), and the
// server must keep serving valid tokens.
let key: TestKey;
let valid: string;
let url: string;
const closers: Array<() => Promise<void>> = [];
const unhandled: unknown[] = [];
const onUnhandled = (reason: unknown) => unhandled.push(reason);

beforeAll(async () => {
  process.on('unhandledRejection', onUnhandled);
  key = await makeKey('ES256');
  const jwks = await keyServer([key]);
  closers.push(jwks.close);
  const app = express();
  app.get('/x', requireAuth({ issuer: ISSUER, audience: AUDIENCE, jwksUri: jwks.url, jwks: { cooldown: 60_000 } }), (_req, res) => {
    res.json({ ok: true });
  });
  app.use(sigilErrorHandler());
  const server = await listen(app);
  closers.push(server.close);
  url = `${server.url}/x`;
  valid = await sign(key);
});
afterAll(async () => {
  process.off('unhandledRejection', onUnhandled);
  await Promise.all(closers.map((close) => close()));
});

const b64 = (value: unknown) => Buffer.from(typeof value === 'string' ? value : JSON.stringify(value)).toString('base64url');
const segment = fc.oneof(fc.base64String({ maxLength: 300 }), fc.string({ maxLength: 60 }), fc.jsonValue({ maxDepth: 2 }).map(b64));
const header = fc.record(
  {
    alg: fc.oneof(
      fc.constantFrom('none', 'NONE', 'nOnE', 'HS256', 'RS256', 'ES256', 'EdDSA', 'PS256', ''),
      fc.string({ maxLength: 10 }),
      fc.jsonValue({ maxDepth: 1 }),
    ),
    typ: fc.oneof(fc.constantFrom('at+jwt', 'JWT', 'application/at+jwt'), fc.jsonValue({ maxDepth: 1 })),
    kid: fc.oneof(fc.constant('known'), fc.string({ maxLength: 40 }), fc.jsonValue({ maxDepth: 1 })),
    jku: fc.constant('http://127.0.0.1:9/jwks'),
    crit: fc.array(fc.string({ maxLength: 8 }), { maxLength: 2 }),
  },
  { requiredKeys: [] },
);

function mutate(token: string, position: number, char: string): string {
  const index = position % token.length;
  return token.slice(0, index) + char + token.slice(index + 1);
}

describe('fuzzing the middleware token parser', () => {
  it('generated and mutated tokens are all 401, the server stays up and still accepts a valid token', { timeout: 300_000 }, async () => {
    const token = fc.oneof(
      fc.tuple(segment, segment, segment).map((parts) => parts.join('.')),
      fc
        .tuple(header, fc.jsonValue({ maxDepth: 2 }), segment)
        .map(([h, p, s]) => `${b64({ ...h, kid: h.kid === 'known' ? key.kid : h.kid })}.${b64(p)}.${s}`),
      fc
        .tuple(fc.nat(), fc.constantFrom('A', '_', '-', '.', '=', '~', 'a', '0'))
        .map(([position, char]) => mutate(valid, position, char))
        .filter((t) => t !== valid),
      fc.array(segment, { minLength: 0, maxLength: 6 }).map((parts) => parts.join('.')),
    );
    const seen = new Map<number, number>();
    await fc.assert(
      fc.asyncProperty(token, fc.constantFrom('Bearer ', 'bearer ', 'BEARER '), async (tok, scheme) => {
        const res = await fetch(url, { headers: { authorization: `${scheme}${tok}`.replace(/[^\t\x20-\x7e]/g, '') } });
        await res.arrayBuffer();
        seen.set(res.status, (seen.get(res.status) ?? 0) + 1);
        expect(res.status).toBe(401);
      }),
      { numRuns: 3000 },
    );
    expect(unhandled).toEqual([]);
    expect([...seen.keys()]).toEqual([401]);
    expect((await fetch(url, { headers: { authorization: `Bearer ${valid}` } })).status).toBe(200);
  });
});
