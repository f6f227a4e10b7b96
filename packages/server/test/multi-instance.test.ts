import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createRemoteJWKSet, jwtVerify } from 'jose';
import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { createAuthServer } from '../src/index.ts';
import { PASSWORD, expectProblem, request, signup, startTestServer, uniqueName, type TestServer } from './helpers/auth-server.ts';
import { TEST_DATABASE_URL, dropSchema, uniqueSchema } from './support/database.ts';

const TEST_REDIS_URL = process.env.TEST_REDIS_URL || undefined;

describe('embedded PGlite', () => {
  it('refuses a second server on the same data directory with a clear error', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'sigil-lock-'));
    const first = await createAuthServer({ dataDir: path.join(dir, 'data'), logLevel: 'silent' });
    try {
      await expect(createAuthServer({ dataDir: path.join(dir, 'data'), logLevel: 'silent' })).rejects.toThrow(
        /in use|already open|PGlite serves one process/i,
      );
    } finally {
      await first.close();
      await rm(dir, { recursive: true, force: true });
    }
  }, 120_000);
});

// Two instances behind one PostgreSQL and one Redis, as in a scaled-out deployment.
if (TEST_DATABASE_URL && TEST_REDIS_URL) {
  describe('two auth server instances on one PostgreSQL + Redis', () => {
    const schema = uniqueSchema('multi');
    const redisPrefix = `${uniqueName('sigiltest')}:`;
    const instances: TestServer[] = [];
    const options = {
      databaseUrl: TEST_DATABASE_URL,
      databaseSchema: schema,
      redisUrl: TEST_REDIS_URL,
      redisPrefix,
      issuer: 'http://sigil.test',
      loginMaxFailures: 3,
    };

    afterAll(async () => {
      await Promise.all(instances.map((i) => i.close()));
      await dropSchema(schema);
      const redis = new Redis(TEST_REDIS_URL);
      const keys = await redis.keys(`${redisPrefix}*`);
      if (keys.length) await redis.del(...keys);
      await redis.quit();
    });

    it('start together, migrate once and agree on one signing key', async () => {
      instances.push(...(await Promise.all([startTestServer(options), startTestServer(options)])));
      const [a, b] = instances as [TestServer, TestServer];
      const jwksA = (await request(`${a.url}/.well-known/jwks.json`)).body;
      const jwksB = (await request(`${b.url}/.well-known/jwks.json`)).body;
      expect(jwksA.keys).toHaveLength(1);
      expect(jwksB).toEqual(jwksA);
    });

    it('a token from one instance verifies on the other, and a refresh works across them', async () => {
      const [a, b] = instances as [TestServer, TestServer];
      const user = await signup(a.url);
      const me = await request(`${b.url}/auth/me`, { headers: { authorization: `Bearer ${user.access_token}` } });
      expect(me.status).toBe(200);
      const jwks = createRemoteJWKSet(new URL(`${b.url}/.well-known/jwks.json`));
      await jwtVerify(user.access_token, jwks, { issuer: 'http://sigil.test', audience: 'sigil' });

      const refreshed = await request(`${b.url}/auth/refresh`, { body: { refresh_token: user.refresh_token } });
      expect(refreshed.status).toBe(200);
      // The grace window is shared too: the same old token on the other instance yields the same successor.
      const replay = await request(`${a.url}/auth/refresh`, { body: { refresh_token: user.refresh_token } });
      expect(replay.body.refresh_token).toBe(refreshed.body.refresh_token);
      expect((await request(`${a.url}/auth/refresh`, { body: { refresh_token: refreshed.body.refresh_token } })).status).toBe(200);
    });

    it('rate-limit counters are shared: failures on one instance lock the account on the other', async () => {
      const [a, b] = instances as [TestServer, TestServer];
      const user = await signup(a.url);
      const login = (url: string, password: string) => request(`${url}/auth/login`, { body: { email: user.email, password } });
      await login(a.url, 'wrong password!');
      await login(b.url, 'wrong password!');
      await login(a.url, 'wrong password!');
      expectProblem(await login(b.url, PASSWORD), 429, 'rate_limited');
    });

    it('a key rotated on one instance is published by the other after reload', async () => {
      const [a, b] = instances as [TestServer, TestServer];
      const rotated = await a.server.keys.rotate();
      await b.server.keys.reload();
      const kids = (await request(`${b.url}/.well-known/jwks.json`)).body.keys.map((k: { kid: string }) => k.kid);
      expect(kids).toContain(rotated.kid);
    });
  });
}
