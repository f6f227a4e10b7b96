import { pbkdf2 } from 'node:crypto';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { keyServer, makeKey, sign, ISSUER, AUDIENCE, type TestKey } from '../test/support.ts';
import { createVerifier, InvalidTokenError } from './index.ts';
import { resolveOptions } from './options.ts';
import { createTokenVerifier } from './token-verifier.ts';

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

/** Keeps every thread of libuv's pool busy for a few hundred ms (key derivations), until the promise settles. */
function occupyThreadPool(): Promise<unknown> {
  const threads = Number(process.env.UV_THREADPOOL_SIZE ?? 4);
  return Promise.all(Array.from({ length: threads }, () => promisify(pbkdf2)('busy', 'salt', 300_000, 32, 'sha256')));
}

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
  it('leave the event loop: a known key still yields a promise, settled asynchronously', async () => {
    const token = await sign(keys.ES256, { sub: 'pending' });
    const base = { issuer: ISSUER, audience: AUDIENCE, jwksUri: jwks.url, tokenCache: false } as const;
    const inline = createTokenVerifier(resolveOptions({ ...base, offloadSignatures: false }));
    const offloaded = createTokenVerifier(resolveOptions({ ...base, offloadSignatures: true }));
    for (const verifier of [inline, offloaded]) await verifier.check(token); // loads the key set
    expect(inline.check(token)).not.toBeInstanceOf(Promise);
    const pending = offloaded.check(token);
    expect(pending).toBeInstanceOf(Promise);
    await expect(pending).resolves.toMatchObject({ sub: 'pending' });
  });

  it('refuses a token whose key left the key set while its signature was being checked', async () => {
    const leaving = await makeKey('RS256');
    const staying = await makeKey('RS256');
    const server = await keyServer([leaving, staying]);
    try {
      const verifier = createTokenVerifier(
        resolveOptions({ issuer: ISSUER, audience: AUDIENCE, jwksUri: server.url, offloadSignatures: true, jwks: { cooldown: 0 } }),
      );
      await verifier.check(await sign(staying));
      const doomedToken = await sign(leaving, { sub: 'revoked' });
      const unknownToken = await sign(await makeKey('RS256'));
      // Every thread of the pool is busy, so the doomed token's signature check waits in its queue...
      const busy = occupyThreadPool();
      const doomed = verifier.check(doomedToken);
      expect(doomed).toBeInstanceOf(Promise);
      // ...while the issuer revokes the key and a token with an unknown kid makes the verifier reload the set.
      server.keys = [staying];
      await Promise.resolve(verifier.check(unknownToken)).catch(() => undefined);
      expect(await reasonOf(Promise.resolve(doomed))).toBe('key_not_found');
      await busy;
    } finally {
      await server.close();
    }
  });

  it('is off by default for createVerifier and for shared secrets', () => {
    expect(resolveOptions({ issuer: ISSUER, audience: AUDIENCE }).offloadSignatures).toBe(false);
    expect(
      resolveOptions({ issuer: ISSUER, audience: AUDIENCE }, { caller: 'requireAuth', offloadSignatures: true }).offloadSignatures,
    ).toBe(true);
    expect(resolveOptions({ issuer: ISSUER, audience: AUDIENCE, secret: 'k'.repeat(40), offloadSignatures: true }).offloadSignatures).toBe(
      false,
    );
    expect(() => resolveOptions({ issuer: ISSUER, audience: AUDIENCE, offloadSignatures: 'yes' as never })).toThrow(TypeError);
  });
});
