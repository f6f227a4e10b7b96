import { request as httpRequest } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PASSWORD, request, signup, uniqueEmail } from './helpers/auth-server.ts';
import { testDrivers, uniqueSchema } from './support/database.ts';
import { linkOf, outboxOf, startMailingServer, until, type MailingServer } from './support/lifecycle.ts';

// What an attacker tries against the account lifecycle: learning which addresses have accounts
// from POST /auth/password/forgot, and steering a victim's link to another host.

/** A raw HTTP POST, so the Host header can be anything (fetch sets its own). */
function rawPost(url: string, path: string, body: unknown, headers: Record<string, string>): Promise<number> {
  const target = new URL(url);
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      { host: target.hostname, port: target.port, path, method: 'POST', headers: { 'content-type': 'application/json', ...headers } },
      (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
      },
    );
    req.on('error', reject);
    req.end(JSON.stringify(body));
  });
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

describe.each(testDrivers())('account enumeration through POST /auth/password/forgot on $name', (driver) => {
  let s: MailingServer;
  beforeAll(async () => {
    s = await startMailingServer(driver.configFor(uniqueSchema('enum')));
  });
  afterAll(() => s?.close());

  it('answers a known and an unknown address with the same status, headers and body', async () => {
    const known = await signup(s.t.url);
    const answers = [];
    for (const email of [known.email, uniqueEmail()]) {
      const res = await fetch(`${s.t.url}/auth/password/forgot`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ email }),
      });
      const headers = [...res.headers].filter(([name]) => name !== 'date');
      answers.push({ status: res.status, headers, body: await res.text() });
    }
    expect(answers[0]).toEqual(answers[1]);
    expect(answers[0]!.status).toBe(202);
    expect(answers[0]!.body).toBe('');
  });

  it('takes the same time for both (medians of interleaved runs, within noise)', { timeout: 120_000 }, async () => {
    const known = await signup(s.t.url);
    const time = async (email: string) => {
      const started = performance.now();
      const res = await request(`${s.t.url}/auth/password/forgot`, { body: { email } });
      expect(res.status).toBe(202);
      return performance.now() - started;
    };
    for (let i = 0; i < 5; i++) await Promise.all([time(known.email), time(uniqueEmail())]); // warm-up
    const knownTimes: number[] = [];
    const unknownTimes: number[] = [];
    for (let i = 0; i < 40; i++) {
      // Alternating which goes first, so neither always meets a warmer server.
      if (i % 2) {
        knownTimes.push(await time(known.email));
        unknownTimes.push(await time(uniqueEmail()));
      } else {
        unknownTimes.push(await time(uniqueEmail()));
        knownTimes.push(await time(known.email));
      }
    }
    const [k, u] = [median(knownTimes), median(unknownTimes)];
    // A lookup that hashed, or created a token, for known addresses only would differ by a
    // password hash (tens of ms) or a transaction; noise on a shared machine is a few ms.
    expect(Math.abs(k - u), `known ${k.toFixed(2)} ms, unknown ${u.toFixed(2)} ms`).toBeLessThanOrEqual(3 + 0.5 * Math.max(k, u));
  });
});

describe('links are built from SIGIL_ISSUER only', () => {
  let s: MailingServer;
  beforeAll(async () => {
    // Behind a proxy that would pass X-Forwarded-Host on: the link still ignores it.
    s = await startMailingServer({ issuer: 'https://auth.sigil.test', trustProxy: true });
  });
  afterAll(() => s?.close());

  it.each([
    ['Host', { host: 'evil.example' }],
    ['X-Forwarded-Host', { 'x-forwarded-host': 'evil.example', 'x-forwarded-proto': 'http' }],
    ['Forwarded', { forwarded: 'host=evil.example;proto=http' }],
  ])('a forged %s header cannot move a reset link or a signup link', async (_name, forged) => {
    const email = uniqueEmail();
    expect(await rawPost(s.t.url, '/auth/signup', { email, password: PASSWORD }, forged)).toBe(201);
    const verify = linkOf(await s.mailbox.next(email, '/email/verify'), '/email/verify');
    expect(verify.origin).toBe('https://auth.sigil.test');
    expect(await rawPost(s.t.url, '/auth/password/forgot', { email }, forged)).toBe(202);
    const reset = linkOf(await s.mailbox.next(email, '/password/reset'), '/password/reset');
    expect(`${reset.origin}${reset.pathname}`).toBe('https://auth.sigil.test/password/reset');
    for (const mail of s.mailbox.all(email)) expect(`${mail.text}\n${mail.html}`).not.toContain('evil.example');
  });
});

describe('SIGIL_APP_LINKS', () => {
  const APP = 'http://localhost:4200';
  let s: MailingServer;
  beforeAll(async () => {
    s = await startMailingServer({ allowedOrigins: [APP], appLinks: APP });
  });
  afterAll(() => s?.close());

  it("points the links at the app's own routes", async () => {
    const user = await signup(s.t.url);
    const verify = linkOf(await s.mailbox.next(user.email, '/email/verify'), '/email/verify');
    expect(`${verify.origin}${verify.pathname}`).toBe(`${APP}/email/verify`);
    expect(verify.searchParams.get('token')).toMatch(/^[A-Za-z0-9_-]{43}$/);
    await request(`${s.t.url}/auth/password/forgot`, { body: { email: user.email } });
    const reset = linkOf(await s.mailbox.next(user.email, '/password/reset'), '/password/reset');
    expect(`${reset.origin}${reset.pathname}`).toBe(`${APP}/password/reset`);
    // The app posts the token to the API as usual.
    const res = await request(`${s.t.url}/auth/password/reset`, {
      body: { token: reset.searchParams.get('token'), new_password: 'a brand new passphrase' },
    });
    expect(res.status).toBe(204);
    await until('the notice', async () => (await outboxOf(s.t.db, user.email)).some((row) => row.template === 'password_changed'));
  });
});
