import { beforeAll, describe, expect, it } from 'vitest';
import { AUDIENCE, ISSUER, makeKey, sign, type TestKey } from '../test/support.ts';
import { createVerifier, explainToken, type InvalidTokenError, type ExplainOptions } from './index.ts';

let key: TestKey;
let other: TestKey;
let options: ExplainOptions;

beforeAll(async () => {
  [key, other] = await Promise.all([makeKey('ES256'), makeKey('ES256')]);
  options = { issuer: ISSUER, audience: AUDIENCE, keys: { jwks: () => ({ keys: [key.jwk] }) } };
});

const statuses = (checks: { name: string; status: string }[]) => Object.fromEntries(checks.map((c) => [c.name, c.status]));

describe('explainToken', () => {
  it('passes every check of a valid token and shows its header and payload, never its signature', async () => {
    const token = await sign(key, { email: 'a@example.com' });
    const result = await explainToken(token, options);
    expect(result.valid).toBe(true);
    expect(result.checks.every((c) => c.status === 'pass')).toBe(true);
    expect(result.payload).toMatchObject({ email: 'a@example.com' });
    expect(JSON.stringify(result)).not.toContain(token.split('.')[2]);
  });

  it('reports each failing check and goes on with the others', async () => {
    const now = Math.floor(Date.now() / 1000);
    const token = await sign(other, { iss: 'https://elsewhere.test', exp: now - 600, iat: now - 900 });
    const forged = `${token.split('.').slice(0, 2).join('.')}.${(await sign(key)).split('.')[2]}`;
    const result = await explainToken(forged, { ...options, keys: { jwks: () => ({ keys: [{ ...key.jwk, kid: other.kid }] }) } });
    expect(result.valid).toBe(false);
    expect(statuses(result.checks)).toMatchObject({ format: 'pass', signature: 'fail', iss: 'fail', exp: 'fail', aud: 'pass' });
    const exp = result.checks.find((c) => c.name === 'exp')!;
    expect(exp).toMatchObject({ reason: 'token_expired', instant: now - 600 });
    expect(exp.detail).toMatch(/^expired /);
  });

  it('fails the claims check of a malformed amr or auth_time, as the verifier refuses it', async () => {
    const verify = createVerifier({ ...options, issuer: ISSUER });
    for (const claims of [{ amr: 'mfa' }, { auth_time: '1700000000' }]) {
      const token = await sign(key, claims);
      const result = await explainToken(token, options);
      expect(result.checks.find((c) => c.name === 'claims')).toMatchObject({ status: 'fail', reason: 'claims_invalid' });
      await expect(verify(token)).rejects.toMatchObject({ reason: 'claims_invalid' });
    }
    const fine = await explainToken(await sign(key, { amr: ['pwd', 'otp', 'mfa'], auth_time: 1_700_000_000 }), options);
    expect(fine.valid).toBe(true);
  });

  it('skips what cannot be checked: a malformed token, an algorithm that is not allowed, an unknown key', async () => {
    const malformed = await explainToken('not.a-token', options);
    expect(malformed.checks[0]).toMatchObject({ name: 'format', status: 'fail', reason: 'token_malformed' });
    expect(malformed.checks.slice(1).every((c) => c.status === 'skip')).toBe(true);

    const es = await sign(key);
    const refused = await explainToken(es, { ...options, algorithms: ['RS256'] });
    expect(statuses(refused.checks)).toMatchObject({ 'alg allowed': 'fail', 'kid known': 'skip', signature: 'skip' });
    expect(refused.valid).toBe(false);

    const unknown = await explainToken(await sign(other), options);
    expect(unknown.checks.find((c) => c.name === 'kid known')).toMatchObject({ status: 'fail', reason: 'key_not_found' });
    expect(unknown.valid).toBe(false);
  });

  it('does not compare iss without an issuer, and needs a key source then', async () => {
    const { issuer: _issuer, ...withoutIssuer } = options;
    const result = await explainToken(await sign(key), withoutIssuer);
    expect(result.checks.find((c) => c.name === 'iss')?.status).toBe('skip');
    expect(result.valid).toBe(true);
    await expect(explainToken('x', { audience: AUDIENCE })).rejects.toThrow(TypeError);
  });

  it('never disagrees with the verifier: the first failure it reports is the reason the verifier gives', async () => {
    const verify = createVerifier({ ...options, issuer: ISSUER, tokenCache: false });
    const now = Math.floor(Date.now() / 1000);
    const good = await sign(key);
    const [h, p, s] = good.split('.') as [string, string, string];
    const corpus = [
      good,
      await sign(key, { exp: now - 60 }),
      await sign(key, { nbf: now + 600 }),
      await sign(key, { aud: 'other' }),
      await sign(key, { iss: 'https://other.test' }),
      await sign(key, { roles: 'admin' as never }),
      await sign(other),
      `${h}.${p}.${s.slice(0, -2)}AA`,
      `${h}.${p.slice(0, 9)}*${p.slice(10)}.${s}`,
      `${Buffer.from(JSON.stringify({ alg: 'none' })).toString('base64url')}.${p}.${s}`,
      `${Buffer.from(JSON.stringify({ alg: 'ES256', kid: key.kid, typ: 'JWT' })).toString('base64url')}.${p}.${s}`,
      `${Buffer.from(JSON.stringify({ alg: 'ES256', kid: key.kid, typ: 'at+jwt', crit: ['x'] })).toString('base64url')}.${p}.${s}`,
      `${Buffer.from(JSON.stringify({ alg: 'HS256', kid: 7 })).toString('base64url')}.${p}.${s}`,
      'a.b',
    ];
    for (const token of corpus) {
      const verdict = await verify(token).then(
        () => 'valid',
        (error: unknown) => (error as InvalidTokenError).reason,
      );
      const explanation = await explainToken(token, options);
      const firstFailure = explanation.checks.find((c) => c.status === 'fail')?.reason ?? 'valid';
      expect(explanation.valid, token.slice(0, 30)).toBe(verdict === 'valid');
      // The verifier stops at its first failure; the explanation's order is the verifier's.
      expect(firstFailure, token.slice(0, 30)).toBe(verdict);
    }
  });
});
