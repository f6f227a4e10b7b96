import { afterAll, describe, expect, it } from 'vitest';
import { PASSWORD, expectProblem, request, signup, startTestServer, type TestServer } from './helpers/auth-server.ts';
import { startTcpProxy, type TcpProxy } from './support/tcp-proxy.ts';
import { TEST_DATABASE_URL, dropSchema, uniqueSchema } from './support/database.ts';

describe('embedded storage closed under the server', () => {
  it('answers 503 unavailable, never 500 or a logout-inducing 401', async () => {
    const t = await startTestServer();
    try {
      const user = await signup(t.url);
      await t.db.close();
      expectProblem(await request(`${t.url}/readyz`), 503, 'unavailable');
      expect((await request(`${t.url}/healthz`)).status).toBe(200);
      expectProblem(await request(`${t.url}/auth/login`, { body: { email: user.email, password: PASSWORD } }), 503, 'unavailable');
      expectProblem(await request(`${t.url}/auth/refresh`, { body: { refresh_token: user.refresh_token } }), 503, 'unavailable');
    } finally {
      await t.close();
    }
  });
});

if (TEST_DATABASE_URL) {
  describe('PostgreSQL stopped mid-run', () => {
    const schema = uniqueSchema('outage');
    let proxy: TcpProxy | undefined;
    let t: TestServer | undefined;
    afterAll(async () => {
      await t?.close();
      await proxy?.stop();
      await dropSchema(schema);
    });

    it('gives clear 503s while it is down and recovers with nothing lost', async () => {
      const target = new URL(TEST_DATABASE_URL!);
      proxy = await startTcpProxy(target);
      const viaProxy = new URL(TEST_DATABASE_URL!);
      viaProxy.host = `127.0.0.1:${proxy.port}`;
      t = await startTestServer({ databaseUrl: viaProxy.href, databaseSchema: schema });
      const user = await signup(t.url);
      const port = proxy.port;

      await proxy.stop();
      expectProblem(await request(`${t.url}/readyz`), 503, 'unavailable');
      expect((await request(`${t.url}/healthz`)).status).toBe(200);
      expectProblem(await request(`${t.url}/auth/login`, { body: { email: user.email, password: PASSWORD } }), 503, 'unavailable');
      expectProblem(await request(`${t.url}/auth/refresh`, { body: { refresh_token: user.refresh_token } }), 503, 'unavailable');
      expectProblem(
        await request(`${t.url}/auth/signup`, { body: { email: 'during-outage@example.com', password: PASSWORD } }),
        503,
        'unavailable',
      );
      // Verifying a token needs the session row, so /auth/me is unavailable too (not a 401 that would log the user out).
      expectProblem(await request(`${t.url}/auth/me`, { headers: { authorization: `Bearer ${user.access_token}` } }), 503, 'unavailable');
      // Keys are served from memory: resource servers keep verifying tokens.
      expect((await request(`${t.url}/.well-known/jwks.json`)).status).toBe(200);

      proxy = await startTcpProxy(target, port);
      let ready = 0;
      for (let i = 0; i < 50 && ready !== 200; i++) {
        ready = (await request(`${t.url}/readyz`)).status;
        if (ready !== 200) await new Promise((resolve) => setTimeout(resolve, 100));
      }
      expect(ready).toBe(200);
      expect((await request(`${t.url}/auth/login`, { body: { email: user.email, password: PASSWORD } })).status).toBe(200);
      expect((await request(`${t.url}/auth/refresh`, { body: { refresh_token: user.refresh_token } })).status).toBe(200);
    });
  });
}
