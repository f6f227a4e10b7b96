import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { keyServer, makeKey, sign, ISSUER, AUDIENCE, type TestKey } from '../test/support.ts';
import { createVerifier, InvalidTokenError } from './index.ts';
import { resolveOptions } from './options.ts';
import { createTokenCheck, isPending } from './token-check.ts';

const ALGS = ['RS256', 'PS256', 'ES256', 'ES384', 'EdDSA'] as const;
let keys: Record<(typeof ALGS)[number], TestKey>;
let impostors: Record<(typeof ALGS)[number], TestKey>;
let jwks: Awaited<ReturnType<typeof keyServer>>;

beforeAll(async () => {
  keys = {} as typeof keys;
  impostors = {} as typeof impostors;
  for (const alg of ALGS) {
    keys[alg] = await makeKey(alg);
    // Same kid, different key material: what an attacker who knows the kid would sign with.
    impostors[alg] = await makeKey(alg, keys[alg].kid);
  }
  jwks = await keyServer(Object.values(keys));
});
afterAll(() => jwks.close());

/** Flips one bit in the middle of the signature, keeping it canonical base64url. */
function tamperSignature(token: string): string {
  const dot = token.lastIndexOf('.');
  const signature = Buffer.from(token.slice(dot + 1), 'base64url');
  signature[signature.length >> 1]! ^= 0x01;
  return `${token.slice(0, dot + 1)}${signature.toString('base64url')}`;
}

async function reasonOf(promise: Promise<unknown>): Promise<string> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(InvalidTokenError);
  return (error as InvalidTokenError).reason;
}

describe.each([true, false])('signature checks with offloadSignatures: %s', (offloadSignatures) => {
  it.each(ALGS)('%s: valid accepted; tampered, impostor-signed and cross-algorithm tokens refused', async (alg) => {
    const verify = createVerifier({
      issuer: ISSUER,
      audience: AUDIENCE,
      jwksUri: jwks.url,
      algorithms: [...ALGS],
      tokenCache: false,
      offloadSignatures,
    });
    const token = await sign(keys[alg], { sub: `user-${alg}` });
    await expect(verify(token)).resolves.toMatchObject({ sub: `user-${alg}` });
    expect(await reasonOf(verify(tamperSignature(token)))).toBe('signature_invalid');
    expect(await reasonOf(verify(await sign(impostors[alg], { sub: 'attacker' })))).toBe('signature_invalid');
  });
});

describe('offloaded signature checks', () => {
  it('leave the event loop: a known key still yields a pending check, finished asynchronously', async () => {
    const token = await sign(keys.ES256, { sub: 'pending' });
    const base = { issuer: ISSUER, audience: AUDIENCE, jwksUri: jwks.url, tokenCache: false } as const;
    const inline = createTokenCheck(resolveOptions({ ...base, offloadSignatures: false }));
    const offloaded = createTokenCheck(resolveOptions({ ...base, offloadSignatures: true }));
    for (const check of [inline, offloaded]) {
      const first = check.checkSync(token);
      if (isPending(first)) await check.finish(first); // loads the key set
    }
    expect(isPending(inline.checkSync(token))).toBe(false);
    const pending = offloaded.checkSync(token);
    expect(isPending(pending)).toBe(true);
    if (isPending(pending)) await expect(offloaded.finish(pending)).resolves.toMatchObject({ sub: 'pending' });
  });

  it('refuses a token whose key left the key set while its signature was being checked', async () => {
    const leaving = await makeKey('RS256');
    const staying = await makeKey('RS256');
    const server = await keyServer([leaving, staying]);
    try {
      const check = createTokenCheck(
        resolveOptions({ issuer: ISSUER, audience: AUDIENCE, jwksUri: server.url, offloadSignatures: true, jwks: { cooldown: 0 } }),
      );
      const warm = check.checkSync(await sign(staying));
      if (isPending(warm)) await check.finish(warm);
      const doomed = check.checkSync(await sign(leaving, { sub: 'revoked' }));
      expect(isPending(doomed)).toBe(true);
      // Before the doomed check finishes, the issuer revokes the key and a token with an unknown
      // kid makes the middleware reload the set.
      server.keys = [staying];
      const unknown = check.checkSync(await sign(await makeKey('RS256')));
      if (isPending(unknown)) await check.finish(unknown).catch(() => undefined);
      if (isPending(doomed)) expect(await reasonOf(check.finish(doomed))).toBe('key_not_found');
    } finally {
      await server.close();
    }
  });

  it('is off by default for createVerifier and for shared secrets', () => {
    expect(resolveOptions({ issuer: ISSUER, audience: AUDIENCE }).offloadSignatures).toBe(false);
    expect(resolveOptions({ issuer: ISSUER, audience: AUDIENCE }, { offloadSignatures: true }).offloadSignatures).toBe(true);
    expect(resolveOptions({ issuer: ISSUER, audience: AUDIENCE, secret: 'k'.repeat(40), offloadSignatures: true }).offloadSignatures).toBe(
      false,
    );
    expect(() => resolveOptions({ issuer: ISSUER, audience: AUDIENCE, offloadSignatures: 'yes' as never })).toThrow(TypeError);
  });
});
