import { networkInterfaces } from 'node:os';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAuthServer } from '../src/server.ts';
import { SigilError } from '../src/errors.ts';
import { enqueueMail } from '../src/mail/outbox.ts';
import { findMail } from '../src/storage/mail-outbox.ts';
import { request, signup, startTestServer, uniqueEmail, type TestServer } from './helpers/auth-server.ts';
import { TEST_DATABASE_URL, sharedMemoryPGlite, testDrivers, uniqueSchema } from './support/database.ts';
import { startSmtpSink, type SmtpSink } from './support/smtp-sink.ts';

// Real auth servers, each with its worker, against a real SMTP server on loopback.

const FAST = { mailPollInterval: 1, mailRetryBase: 1, mailRetryMax: 2, mailSendTimeout: 5 } as const;

beforeAll(async () => {
  await sharedMemoryPGlite();
}, 120_000);

async function until<T>(what: string, probe: () => Promise<T | undefined | false>, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

const servers: TestServer[] = [];
const sinks: SmtpSink[] = [];
afterAll(async () => {
  await Promise.all(servers.map((s) => s.close()));
  await Promise.all(sinks.map((s) => s.close()));
});

async function sink(options: Parameters<typeof startSmtpSink>[0] = {}) {
  const started = await startSmtpSink(options);
  sinks.push(started);
  return started;
}

async function server(options: Parameters<typeof startTestServer>[0]) {
  const started = await startTestServer({ issuer: 'http://sigil.test', ...FAST, ...options });
  servers.push(started);
  return started;
}

describe.each(testDrivers())('mail delivery through the auth server on $name', (driver) => {
  it('delays mail while the SMTP server is down, never the requests, then delivers it once', async () => {
    const smtp = await sink({ mode: 'down' });
    const auth = await server({ ...driver.configFor(uniqueSchema('mails')), smtpUrl: smtp.url });
    const to = uniqueEmail();
    const id = await auth.server.mail.enqueue({ to, template: 'password_changed', data: {} });

    const failedOnce = await until('a failed attempt', async () => {
      const row = await findMail(auth.db, id);
      return row && row.attempts >= 1 && row.lastError ? row : undefined;
    });
    expect(failedOnce.status).toBe('pending');
    expect(failedOnce.lastError).toMatch(/ECONNREFUSED|connect/i);
    // The request path never waits for mail.
    const started = Date.now();
    await signup(auth.url);
    expect((await request(`${auth.url}/readyz`)).status).toBe(200);
    expect(Date.now() - started).toBeLessThan(5000);

    await smtp.setMode('accept');
    const [mail] = await smtp.waitForMail({ to });
    expect(mail!.messageId).toBe(`<${id}@sigil.test>`);
    await until('the mail marked sent', async () => (await findMail(auth.db, id))?.status === 'sent');
    await new Promise((resolve) => setTimeout(resolve, 2500));
    // The signup above queued its own verification mail: count this one only.
    expect(smtp.mails.filter((m) => m.to.includes(to))).toHaveLength(1);
  });

  it('marks a mail failed after SIGIL_MAIL_MAX_ATTEMPTS, and retry() sends it again', async () => {
    const smtp = await sink({ mode: 'refuse' });
    const auth = await server({ ...driver.configFor(uniqueSchema('maild')), smtpUrl: smtp.url, mailMaxAttempts: 2 });
    const to = uniqueEmail();
    const link = 'http://sigil.test/email/verify?token=dead-letter-token';
    const id = await auth.server.mail.enqueue({ to, template: 'verify_email', data: { link } });

    await until('the mail marked failed', async () => (await findMail(auth.db, id))?.status === 'failed');
    const [listed] = await auth.server.mail.list({ statuses: ['failed'] });
    expect(listed).toMatchObject({ id, to, template: 'verify_email', status: 'failed', attempts: 2 });
    expect(listed!.lastError).toMatch(/550/);
    expect(listed).not.toHaveProperty('data');
    const dead = auth.logs.find((line) => line.event === 'mail_failed');
    expect(dead).toMatchObject({ level: 50, mail_id: id });
    expect(auth.rawLogs.join('\n')).not.toContain('dead-letter-token');

    await expect(auth.server.mail.retry('00000000-0000-4000-8000-000000000000')).rejects.toMatchObject({ code: 'not_found' });
    await expect(auth.server.mail.retry('not-a-uuid')).rejects.toBeInstanceOf(SigilError);

    await smtp.setMode('accept');
    await auth.server.mail.retry(id);
    const [mail] = await smtp.waitForMail({ to });
    expect(mail!.links).toEqual([link]);
    expect(mail!.messageId).toBe(`<${id}@sigil.test>`);
    await until('the retried mail marked sent', async () => (await findMail(auth.db, id))?.status === 'sent');
    await expect(auth.server.mail.retry(id)).rejects.toMatchObject({
      code: 'invalid_request',
      message: expect.stringMatching(/sent, not failed/),
    });
  });

  it('logs in with the credentials of SIGIL_SMTP_URL and never shows its password', async () => {
    const password = 'p@ss w0rd/!';
    const smtp = await sink({ auth: { user: 'sigil', pass: password } });
    const auth = await server({ ...driver.configFor(uniqueSchema('maila')), smtpUrl: smtp.url });
    expect(smtp.url).toContain(encodeURIComponent(password));
    const to = uniqueEmail();
    await auth.server.mail.enqueue({ to, template: 'account_deleted', data: {} });
    await smtp.waitForMail({ to });
    expect(auth.server.mail.description()).toBe(`smtp://sigil@127.0.0.1:${smtp.port}`);

    // A wrong password: the server's refusal is recorded without the password in it.
    const wrong = await server({
      ...driver.configFor(uniqueSchema('mailb')),
      smtpUrl: `smtp://sigil:${encodeURIComponent('wrong secret')}@127.0.0.1:${smtp.port}`,
    });
    const id = await wrong.server.mail.enqueue({ to, template: 'account_deleted', data: {} });
    const row = await until('a failed attempt', async () => {
      const found = await findMail(wrong.db, id);
      return found?.lastError ? found : undefined;
    });
    expect(row.lastError).toMatch(/Invalid|auth|535/i);
    for (const text of [...auth.rawLogs, ...wrong.rawLogs, row.lastError!]) {
      expect(text).not.toContain(password);
      expect(text).not.toContain(encodeURIComponent(password));
      expect(text).not.toContain('wrong secret');
      expect(text).not.toContain('wrong%20secret');
    }
  });
});

describe('the development mailbox', () => {
  it('shows mail sent without SIGIL_SMTP_URL on a loopback issuer: page, JSON and one log line each', async () => {
    // No issuer: the server takes http://127.0.0.1:<port>, a loopback one.
    const auth = await server({ issuer: undefined });
    expect(auth.server.mail.mode()).toBe('dev-mailbox');
    const to = uniqueEmail();
    const link = `${auth.url}/email/verify?token=dev-token-123`;
    const first = await auth.server.mail.enqueue({ to, template: 'verify_email', data: { link } });
    await new Promise((resolve) => setTimeout(resolve, 10));
    const second = await auth.server.mail.enqueue({ to, template: 'email_changed', data: { new_email: '<script>x</script>@example.com' } });

    const list = await until('two mails in the mailbox', async () => {
      const res = await request(`${auth.url}/dev/mailbox.json`);
      return res.status === 200 && res.body.length === 2 ? res.body : undefined;
    });
    expect(list.map((mail: { id: string }) => mail.id)).toEqual([second, first]);
    expect(list[1]).toEqual({
      id: first,
      to,
      subject: 'Sigil: confirm your email address',
      text: expect.stringContaining(link),
      links: [link],
      created_at: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
    });

    const page = await fetch(`${auth.url}/dev/mailbox`);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toMatch(/^text\/html/);
    const csp = page.headers.get('content-security-policy')!;
    expect(csp).toMatch(/default-src 'none'; style-src 'nonce-[A-Za-z0-9+/=]+'/);
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).not.toContain('script-src');
    const html = await page.text();
    expect(html).toContain('<h1>Development mailbox</h1>');
    expect(html).toContain(`<a href="${link}">${link}</a>`);
    expect(html).toContain(escape(to));
    expect(html).toContain('&lt;script&gt;x&lt;/script&gt;@example.com');
    expect(html).not.toContain('<script');

    const lines = auth.logs.filter((line) => line.event === 'dev_mail');
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatchObject({ level: 40, to, links: [link] });
    expect(String(lines[0]!.msg)).toContain(link);
    // Kept in the outbox (the page renders from it), so the mailbox survives a restart.
    expect((await findMail(auth.db, first))!.data).toEqual({ link });
  });

  it('is not there with a non-loopback issuer, where mail stays queued and a warning says so', async () => {
    const auth = await server({});
    expect(auth.server.mail.mode()).toBe('none');
    expect(auth.server.mail.worker).toBeUndefined();
    expect(auth.logs.find((line) => line.event === 'mail_not_configured')).toMatchObject({ level: 40 });
    const id = await auth.server.mail.enqueue({ to: uniqueEmail(), template: 'password_changed', data: {} });
    expect((await request(`${auth.url}/dev/mailbox`)).status).toBe(404);
    expect((await request(`${auth.url}/dev/mailbox.json`)).status).toBe(404);
    await new Promise((resolve) => setTimeout(resolve, 1500));
    expect(await findMail(auth.db, id)).toMatchObject({ status: 'pending', attempts: 0 });
  });

  it('answers only requests from this machine, even on a server bound to every interface', async () => {
    const address = Object.values(networkInterfaces())
      .flat()
      .find((a) => a && !a.internal && a.family === 'IPv4')?.address;
    expect(address, 'this test needs a non-loopback IPv4 address on the machine').toBeDefined();
    const auth = await createAuthServer({ dataDir: 'memory://', logLevel: 'silent', issuer: 'http://localhost:4999' });
    try {
      const { port } = await auth.listen(0, '0.0.0.0');
      expect(auth.mail.mode()).toBe('dev-mailbox');
      expect((await fetch(`http://127.0.0.1:${port}/dev/mailbox.json`)).status).toBe(200);
      expect((await fetch(`http://${address}:${port}/dev/mailbox.json`)).status).toBe(404);
      expect((await fetch(`http://${address}:${port}/dev/mailbox`)).status).toBe(404);
      // Forwarding headers are the client's word, not its address.
      const forwarded = await fetch(`http://${address}:${port}/dev/mailbox.json`, { headers: { 'x-forwarded-for': '127.0.0.1' } });
      expect(forwarded.status).toBe(404);
    } finally {
      await auth.close();
    }
  });

  it('is not there when SMTP is configured', async () => {
    const smtp = await sink();
    const auth = await server({ issuer: undefined, smtpUrl: smtp.url });
    expect(auth.server.mail.mode()).toBe('smtp');
    expect((await request(`${auth.url}/dev/mailbox.json`)).status).toBe(404);
  });
});

function escape(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

// Several instances on one PostgreSQL: each mail leaves exactly once, whichever worker takes it.
if (TEST_DATABASE_URL) {
  describe('two auth server instances on one PostgreSQL schema', () => {
    it('deliver 50 mails between them, each exactly once', async () => {
      // A slow SMTP server keeps both workers busy at once.
      const smtp = await sink({ delayMs: 150 });
      const options = { databaseUrl: TEST_DATABASE_URL, databaseSchema: uniqueSchema('mailmulti'), smtpUrl: smtp.url };
      const a = await server(options);
      const b = await server(options);
      const recipients = Array.from({ length: 50 }, () => uniqueEmail());
      // Queued from outside either server (no worker is woken): both find them by polling.
      await a.db.transaction(async (tx) => {
        for (const to of recipients) await enqueueMail(tx, { to, template: 'password_changed', data: {} }, new Date());
      });

      await smtp.waitForMail({ count: 50, timeoutMs: 60_000 });
      await new Promise((resolve) => setTimeout(resolve, 2500));
      expect(smtp.mails).toHaveLength(50);
      expect(new Set(smtp.mails.map((mail) => mail.messageId)).size).toBe(50);
      expect(smtp.mails.flatMap((mail) => mail.to).sort()).toEqual([...recipients].sort());
      const sentBy = (s: TestServer) => s.logs.filter((line) => line.event === 'mail_sent').length;
      expect(sentBy(a) + sentBy(b)).toBe(50);
      expect(sentBy(a)).toBeGreaterThan(0);
      expect(sentBy(b)).toBeGreaterThan(0);
      expect(await a.db.query(`SELECT status, count(*)::int AS n FROM mail_outbox GROUP BY status`)).toEqual([{ status: 'sent', n: 50 }]);
    }, 90_000);
  });
}
