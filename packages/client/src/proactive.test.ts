import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSigilClient, type AuthEvent } from './index.ts';
import { PASSWORD, startAuth, type TestAuth } from './test-servers.ts';

// Two-second access tokens: the proactive refresh has to happen within the test's lifetime.
let auth: TestAuth;
beforeAll(async () => {
  auth = await startAuth({ accessTtl: 2, ipRequestsPerMinute: 100_000 });
  await auth.auth.createUser({ email: 'ann@example.com', password: PASSWORD, name: 'Ann' });
});
afterAll(async () => {
  await auth?.close();
});

const waitFor = async (condition: () => boolean, ms: number) => {
  const end = Date.now() + ms;
  while (!condition() && Date.now() < end) await new Promise((r) => setTimeout(r, 20));
};

describe('proactive refresh', () => {
  it('renews the token before it expires, without any request asking for it', async () => {
    const client = createSigilClient({ issuer: auth.url, apiOrigins: [], lockName: 'p1', channelName: 'p1' });
    try {
      const events: AuthEvent[] = [];
      client.subscribe((e) => events.push(e));
      await client.login({ email: 'ann@example.com', password: PASSWORD });
      const first = client.expiresAt!;
      await waitFor(() => events.some((e) => e.type === 'refresh'), 4_000);
      expect(events.map((e) => e.type)).toEqual(['login', 'refresh']);
      expect(auth.count('POST', '/auth/refresh')).toBe(1);
      // It happened inside the expiring window (the last second of a 2 s token), not before.
      expect(client.expiresAt!).toBeGreaterThan(first);
      expect(Date.now()).toBeLessThan(first + 500);
      const me = await fetch(`${auth.url}/auth/me`, { headers: { authorization: `Bearer ${await client.getAccessToken()}` } });
      expect(me.status).toBe(200);
    } finally {
      client.destroy();
    }
  });

  it('stops after destroy()', async () => {
    const before = auth.count('POST', '/auth/refresh');
    const client = createSigilClient({ issuer: auth.url, apiOrigins: [], lockName: 'p2', channelName: 'p2' });
    await client.login({ email: 'ann@example.com', password: PASSWORD });
    client.destroy();
    await new Promise((r) => setTimeout(r, 2_000));
    expect(auth.count('POST', '/auth/refresh')).toBe(before);
  });
});
