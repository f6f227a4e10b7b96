import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import type { AuthServerOptions } from '../src/index.ts';
import { PASSWORD, expectProblem, request, signup, uniqueEmail, uniqueName } from './helpers/auth-server.ts';
import { outboxOf, startMailingServer, tokenOf, until, type MailingServer } from './support/lifecycle.ts';

// The mail budgets (per address, per IP) and the link-token failure budget, in memory and in
// Redis like the other limits.

const TEST_REDIS_URL = process.env.TEST_REDIS_URL || undefined;
const PREFIX = `${uniqueName('life')}:`;
const stores: Array<{ name: string; options: () => AuthServerOptions }> = [{ name: 'memory', options: () => ({}) }];
if (TEST_REDIS_URL)
  stores.push({ name: 'Redis', options: () => ({ redisUrl: TEST_REDIS_URL, redisPrefix: `${PREFIX}${uniqueName('s')}:` }) });

const started: MailingServer[] = [];
afterAll(async () => {
  await Promise.all(started.map((s) => s.close()));
  if (!TEST_REDIS_URL) return;
  const redis = new Redis(TEST_REDIS_URL);
  const keys = await redis.keys(`${PREFIX}*`);
  if (keys.length) await redis.del(...keys);
  await redis.quit();
});

async function server(options: AuthServerOptions): Promise<MailingServer> {
  const s = await startMailingServer(options);
  started.push(s);
  if (options.redisUrl) {
    // Until the server's Redis connection is up, its limits count in memory (the fallback):
    // wait until its counters appear in Redis, so every counted request below lands there.
    const redis = new Redis(options.redisUrl);
    try {
      await until('the server counting in Redis', async () => {
        await request(`${s.t.url}/auth/csrf`);
        return (await redis.exists(`${options.redisPrefix}rl:ip:127.0.0.1`)) === 1;
      });
    } finally {
      await redis.quit();
    }
  }
  return s;
}

const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

describe.each(stores)('account lifecycle limits ($name)', (store) => {
  it('forgot: over the per-address budget it still answers 202 but mails nothing more', async () => {
    const s = await server({ ...store.options(), mailsPerEmailPerHour: 2 });
    const user = await signup(s.t.url);
    for (let i = 0; i < 4; i++) {
      const res = await request(`${s.t.url}/auth/password/forgot`, { body: { email: user.email } });
      expect(res.status).toBe(202);
      expect(res.text).toBe('');
    }
    // The same for an unknown address: no 429 that would tell it apart.
    const unknown = uniqueEmail();
    for (let i = 0; i < 4; i++) expect((await request(`${s.t.url}/auth/password/forgot`, { body: { email: unknown } })).status).toBe(202);
    expect((await outboxOf(s.t.db, user.email)).filter((row) => row.template === 'password_reset')).toHaveLength(2);
    expect(await outboxOf(s.t.db, unknown)).toHaveLength(2);
  });

  it('forgot: over the per-IP budget it answers 429 with Retry-After', async () => {
    const s = await server({ ...store.options(), mailsPerIpPerHour: 3 });
    for (let i = 0; i < 3; i++)
      expect((await request(`${s.t.url}/auth/password/forgot`, { body: { email: uniqueEmail() } })).status).toBe(202);
    const limited = await request(`${s.t.url}/auth/password/forgot`, { body: { email: uniqueEmail() } });
    expectProblem(limited, 429, 'rate_limited');
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
  });

  it('link tokens: after SIGIL_LINK_FAILURES_PER_HOUR wrong ones, the IP gets 429, even for a good token', async () => {
    const s = await server({ ...store.options(), linkFailuresPerHour: 3 });
    const user = await signup(s.t.url);
    const good = tokenOf(await s.mailbox.next(user.email, '/email/verify'));
    const guess = () => 'G'.repeat(20) + Math.random().toString(36).slice(2, 25).padEnd(23, 'x');
    expectProblem(await request(`${s.t.url}/auth/email/verify`, { body: { token: guess() } }), 400, 'invalid_grant');
    expectProblem(
      await request(`${s.t.url}/auth/password/reset`, { body: { token: guess(), new_password: 'a brand new passphrase' } }),
      400,
      'invalid_grant',
    );
    expectProblem(await request(`${s.t.url}/auth/email/verify`, { body: { token: guess() } }), 400, 'invalid_grant');
    const limited = await request(`${s.t.url}/auth/email/verify`, { body: { token: good } });
    expectProblem(limited, 429, 'rate_limited');
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
    // The refused attempt did not use the link up.
    const row = await s.t.db.query<{ used_at: Date | null }>('SELECT used_at FROM account_tokens WHERE user_id = $1', [user.user.id]);
    expect(row).toEqual([{ used_at: null }]);
  });

  it('verification resends and email changes: 429 over the per-address budget', async () => {
    const s = await server({ ...store.options(), mailsPerEmailPerHour: 2 });
    const user = await signup(s.t.url);
    const resend = () => request(`${s.t.url}/auth/email/verification`, { method: 'POST', headers: bearer(user.access_token) });
    expect((await resend()).status).toBe(202);
    expect((await resend()).status).toBe(202);
    expectProblem(await resend(), 429, 'rate_limited');

    const other = await signup(s.t.url);
    const change = () =>
      request(`${s.t.url}/auth/email/change`, {
        headers: bearer(other.access_token),
        body: { new_email: uniqueEmail(), password: PASSWORD },
      });
    expect((await change()).status).toBe(202);
    expect((await change()).status).toBe(202);
    expectProblem(await change(), 429, 'rate_limited');
  });
});

describe('SIGIL_EMAIL_VERIFICATION=required: the fresh link at login is limited too', () => {
  it('answers 403 email_not_verified every time, and mails at most the per-address budget', async () => {
    const s = await server({ emailVerification: 'required', mailsPerEmailPerHour: 2 });
    const email = uniqueEmail();
    expect((await request(`${s.t.url}/auth/signup`, { body: { email, password: PASSWORD } })).status).toBe(201);
    for (let i = 0; i < 4; i++) {
      expectProblem(await request(`${s.t.url}/auth/login`, { body: { email, password: PASSWORD } }), 403, 'email_not_verified');
    }
    // The signup's own mail, plus two fresh links.
    await until('the mails', async () => (await outboxOf(s.t.db, email)).length === 3);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(await outboxOf(s.t.db, email)).toHaveLength(3);
  });
});
