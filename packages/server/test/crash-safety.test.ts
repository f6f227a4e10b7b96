import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { PASSWORD, request, uniqueEmail } from './helpers/auth-server.ts';
import { killHard, startServerChild as startChild } from './support/child-server.ts';
import { until } from './support/lifecycle.ts';
import { startSmtpSink } from './support/smtp-sink.ts';
import { TEST_DATABASE_URL, dropSchema, uniqueSchema } from './support/database.ts';

const variants: Array<{ name: string; env: () => Promise<Record<string, string>>; cleanup: () => Promise<void> }> = [];
const tmpDirs: string[] = [];
variants.push({
  name: 'PGlite',
  env: async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'sigil-crash-'));
    tmpDirs.push(dir);
    return { SIGIL_DATA_DIR: path.join(dir, 'data') };
  },
  cleanup: async () => {
    for (const dir of tmpDirs) await rm(dir, { recursive: true, force: true });
  },
});
if (TEST_DATABASE_URL) {
  // A schema per test, as PGlite gets a directory per test: mail a killed server left queued in
  // one test must not arrive in the next test's sink.
  const schemas: string[] = [];
  variants.push({
    name: 'PostgreSQL',
    env: async () => {
      const schema = uniqueSchema('crash');
      schemas.push(schema);
      return { DATABASE_URL: TEST_DATABASE_URL!, SIGIL_DATABASE_SCHEMA: schema };
    },
    cleanup: async () => {
      for (const schema of schemas) await dropSchema(schema);
    },
  });
}

describe.each(variants)('kill -9 of the auth server ($name)', (variant) => {
  afterAll(() => variant.cleanup());

  it('every user acknowledged with 201 and every rotated refresh token survive', { timeout: 240_000 }, async () => {
    const env = await variant.env();
    const first = await startChild(env);
    const acknowledged: string[] = [];
    const rotated: string[] = [];
    let stop = false;

    // Signups from 4 concurrent clients; the server is killed while requests are in flight.
    const writer = async () => {
      while (!stop) {
        const email = uniqueEmail();
        try {
          const res = await request(`${first.url}/auth/signup`, { body: { email, password: PASSWORD } });
          if (res.status === 201) {
            acknowledged.push(email);
            const refreshed = await request(`${first.url}/auth/refresh`, { body: { refresh_token: res.body.refresh_token } });
            if (refreshed.status === 200) rotated.push(refreshed.body.refresh_token);
          }
        } catch {
          return; // connection dropped by the kill
        }
      }
    };
    const writers = Array.from({ length: 4 }, writer);
    while (acknowledged.length < 12) await new Promise((resolve) => setTimeout(resolve, 20));
    await killHard(first.child);
    stop = true;
    await Promise.all(writers);

    const second = await startChild(env);
    try {
      for (const email of acknowledged) {
        const res = await request(`${second.url}/auth/login`, { body: { email, password: PASSWORD } });
        expect(res.status, `user ${email} acknowledged before the crash`).toBe(200);
      }
      // A successor acknowledged before the crash must still be accepted (no session left refusing a valid token).
      for (const token of rotated) {
        expect((await request(`${second.url}/auth/refresh`, { body: { refresh_token: token } })).status).toBe(200);
      }
    } finally {
      await killHard(second.child);
    }
    expect(acknowledged.length).toBeGreaterThanOrEqual(12);
  });

  it(
    'a forgotten-password 202 survives kill -9: the reset mail is resolved and delivered after the restart, once',
    { timeout: 240_000 },
    async () => {
      // SMTP down: whether or not the worker resolved the row before the kill, nothing was sent.
      const smtp = await startSmtpSink({ mode: 'down' });
      const env = {
        ...(await variant.env()),
        SIGIL_SMTP_URL: smtp.url,
        SIGIL_MAIL_POLL_INTERVAL: '1',
        SIGIL_MAIL_RETRY_BASE: '1',
        SIGIL_MAIL_RETRY_MAX: '2',
        // A kill while a send is in flight leaves the row leased (twice the send timeout + 10 s):
        // a short timeout keeps that lease, and so the wait after the restart, under a minute.
        SIGIL_MAIL_SEND_TIMEOUT: '2',
      };
      try {
        const first = await startChild(env);
        const email = uniqueEmail();
        const stranger = uniqueEmail();
        expect((await request(`${first.url}/auth/signup`, { body: { email, password: PASSWORD } })).status).toBe(201);
        expect((await request(`${first.url}/auth/password/forgot`, { body: { email: stranger } })).status).toBe(202);
        expect((await request(`${first.url}/auth/password/forgot`, { body: { email } })).status).toBe(202);
        await killHard(first.child);

        await smtp.setMode('accept');
        const second = await startChild(env);
        try {
          const resets = () =>
            smtp.mails.filter((mail) => mail.to.includes(email) && mail.links.some((l) => l.includes('/password/reset')));
          await until('the reset mail', async () => resets().length > 0, 60_000);
          const link = new URL(resets()[0]!.links.find((l) => l.includes('/password/reset'))!);
          expect(link.origin).toBe('http://sigil.test');
          const token = link.searchParams.get('token');
          const reset = await request(`${second.url}/auth/password/reset`, { body: { token, new_password: 'a brand new passphrase' } });
          expect(reset.status).toBe(204);
          expect((await request(`${second.url}/auth/login`, { body: { email, password: 'a brand new passphrase' } })).status).toBe(200);
          await new Promise((resolve) => setTimeout(resolve, 3000));
          expect(resets()).toHaveLength(1);
          expect(smtp.mails.filter((mail) => mail.to.includes(stranger))).toEqual([]);
        } finally {
          await killHard(second.child);
        }
      } finally {
        await smtp.close();
      }
    },
  );

  it('every mail queued before the kill is delivered after the restart, once', { timeout: 240_000 }, async () => {
    // A server that accepts connections and never answers: the worker is mid-send when killed.
    const smtp = await startSmtpSink({ mode: 'hang' });
    // Send timeout 2 s: a lease of 2 * 2 + 10 = 14 s, after which the restarted server resends.
    const env = { ...(await variant.env()), SIGIL_SMTP_URL: smtp.url, SIGIL_MAIL_SEND_TIMEOUT: '2', SIGIL_MAIL_POLL_INTERVAL: '1' };
    try {
      const first = await startChild(env);
      const queued: string[] = [];
      const recipients = Array.from({ length: 6 }, () => uniqueEmail());
      for (const to of recipients) queued.push(await first.enqueueMail({ to, template: 'password_changed', data: {} }));
      // Some mails are claimed and in the middle of their send, the rest still waiting.
      while (smtp.attempts === 0) await new Promise((resolve) => setTimeout(resolve, 10));
      await killHard(first.child);
      expect(smtp.mails).toHaveLength(0);

      await smtp.setMode('accept');
      const second = await startChild(env);
      try {
        await smtp.waitForMail({ count: recipients.length, timeoutMs: 60_000 });
        // Past every lease: nothing more arrives.
        await new Promise((resolve) => setTimeout(resolve, 3000));
        expect(smtp.mails.map((mail) => mail.messageId).sort()).toEqual(queued.map((id) => `<${id}@sigil.test>`).sort());
        expect(smtp.mails.flatMap((mail) => mail.to).sort()).toEqual([...recipients].sort());
      } finally {
        await killHard(second.child);
      }
    } finally {
      await smtp.close();
    }
  });
});
