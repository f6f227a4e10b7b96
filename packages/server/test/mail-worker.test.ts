import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../src/config.ts';
import { createLogger } from '../src/logger.ts';
import { enqueueMail } from '../src/mail/outbox.ts';
import type { MailResolvers } from '../src/mail/resolvers.ts';
import { createSmtpTransport } from '../src/mail/smtp-transport.ts';
import type { MailTransport } from '../src/mail/transport.ts';
import { createMailWorker, type MailWorker } from '../src/mail/worker.ts';
import type { Database } from '../src/storage/database.ts';
import { findMail } from '../src/storage/mail-outbox.ts';
import { sharedMemoryPGlite, testDrivers, uniqueSchema } from './support/database.ts';
import { startSmtpSink, type SmtpSink } from './support/smtp-sink.ts';

// The worker against the real outbox on every driver and a real SMTP server, on a clock the
// tests move by hand (so backoff and leases need no waiting).

const T0 = new Date('2030-01-01T00:00:00.000Z');
const ISSUER = 'https://auth.example.test';
const LINK = 'https://auth.example.test/email/verify?token=secret-token-value';

beforeAll(async () => {
  await sharedMemoryPGlite();
}, 120_000);

function clock() {
  let current = T0.getTime();
  return { now: () => new Date(current), advance: (seconds: number) => (current += seconds * 1000) };
}

function captureLogs() {
  const lines: Array<Record<string, unknown>> = [];
  const raw: string[] = [];
  const destination = new Writable({
    write(chunk, _encoding, callback) {
      for (const line of String(chunk).split('\n').filter(Boolean)) {
        raw.push(line);
        lines.push(JSON.parse(line) as Record<string, unknown>);
      }
      callback();
    },
  });
  return { logger: createLogger({ level: 'info', destination }), lines, raw };
}

describe.each(testDrivers())('mail worker on $name', (driver) => {
  let sink: SmtpSink;
  const open: Database[] = [];
  const workers: MailWorker[] = [];
  const transports: MailTransport[] = [];

  beforeAll(async () => {
    sink = await startSmtpSink();
  });
  afterAll(async () => {
    await Promise.all(workers.map((w) => w.stop()));
    await Promise.all(transports.map((t) => t.close()));
    await Promise.all(open.map((db) => db.close()));
    await sink.close();
  });

  async function setup(options: { maxAttempts?: number; resolvers?: MailResolvers; url?: string; sendTimeout?: number } = {}) {
    const db = await driver.open(uniqueSchema('mailw'));
    open.push(db);
    const time = clock();
    const logs = captureLogs();
    const config = parseConfig({
      issuer: ISSUER,
      mailMaxAttempts: options.maxAttempts ?? 3,
      mailRetryBase: '10s',
      mailRetryMax: '1m',
      mailSendTimeout: options.sendTimeout ?? 5,
      productName: 'Acme <Cloud>',
      mailFrom: 'Acme <no-reply@acme.test>',
    });
    const transport = createSmtpTransport({ url: options.url ?? sink.url, sendTimeoutMs: config.mailSendTimeout * 1000 });
    transports.push(transport);
    const make = () => {
      const worker = createMailWorker({
        db,
        transport,
        logger: logs.logger,
        config,
        issuer: () => ISSUER,
        now: time.now,
        ...(options.resolvers ? { resolvers: options.resolvers } : {}),
      });
      workers.push(worker);
      return worker;
    };
    return { db, time, logs, worker: make(), make };
  }

  const to = (name: string) => `${name}.${driver.name}.${Math.random().toString(36).slice(2, 8)}@example.test`;

  it('delivers a mail once, with a Message-ID from its row, then empties its data', async () => {
    const { db, time, worker } = await setup();
    const recipient = to('once');
    const id = await enqueueMail(db, { to: recipient, template: 'verify_email', data: { link: LINK } }, time.now());

    expect(await worker.runOnce()).toMatchObject({ claimed: 1, sent: 1 });
    const [mail] = await sink.waitForMail({ to: recipient });
    expect(mail!.messageId).toBe(`<${id}@auth.example.test>`);
    expect(mail!.from).toBe('"Acme" <no-reply@acme.test>');
    expect(mail!.subject).toBe('Acme <Cloud>: confirm your email address');
    expect(mail!.text).toContain(LINK);
    expect(mail!.links).toEqual([LINK]);
    // The product name is escaped in the HTML part; the link is the button's target.
    expect(mail!.html).toContain('Acme &lt;Cloud&gt;');
    expect(mail!.html).not.toContain('Acme <Cloud>');
    expect(mail!.html).toContain(`href="${LINK}"`);

    const row = await findMail(db, id);
    expect(row).toMatchObject({ status: 'sent', attempts: 1, messageId: `<${id}@auth.example.test>`, data: {}, leaseUntil: null });
    expect(JSON.stringify(await db.query('SELECT * FROM mail_outbox'))).not.toContain('secret-token-value');

    // Nothing is due any more: later passes send nothing.
    time.advance(3600);
    expect(await worker.runOnce()).toMatchObject({ claimed: 0 });
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(sink.mails.filter((m) => m.to.includes(recipient))).toHaveLength(1);
  });

  it('retries with exponential backoff while the SMTP server is down, then delivers once', async () => {
    const down = await startSmtpSink({ mode: 'down' });
    try {
      const { db, time, worker } = await setup({ url: down.url, maxAttempts: 5 });
      const recipient = to('down');
      const id = await enqueueMail(db, { to: recipient, template: 'password_changed', data: {} }, time.now());

      expect(await worker.runOnce()).toMatchObject({ claimed: 1, retried: 1 });
      let row = (await findMail(db, id))!;
      expect(row).toMatchObject({ status: 'pending', attempts: 1, leaseUntil: null });
      expect(row.lastError).toMatch(/ECONNREFUSED|connect/i);
      // Due again after 10 s minus at most a quarter of jitter, and not before.
      const firstDelay = (row.nextAttemptAt.getTime() - T0.getTime()) / 1000;
      expect(firstDelay).toBeGreaterThanOrEqual(7.5);
      expect(firstDelay).toBeLessThanOrEqual(10);
      expect(await worker.runOnce()).toMatchObject({ claimed: 0 });

      time.advance(10);
      expect(await worker.runOnce()).toMatchObject({ claimed: 1, retried: 1 });
      row = (await findMail(db, id))!;
      const secondDelay = (row.nextAttemptAt.getTime() - time.now().getTime()) / 1000;
      expect(secondDelay).toBeGreaterThanOrEqual(15);
      expect(secondDelay).toBeLessThanOrEqual(20);

      await down.setMode('accept');
      time.advance(20);
      expect(await worker.runOnce()).toMatchObject({ claimed: 1, sent: 1 });
      await down.waitForMail({ to: recipient });
      expect(await findMail(db, id)).toMatchObject({ status: 'sent', attempts: 3, lastError: null });
      time.advance(3600);
      expect(await worker.runOnce()).toMatchObject({ claimed: 0 });
      expect(down.mails).toHaveLength(1);
    } finally {
      await down.close();
    }
  });

  it('marks a mail failed after the last attempt, logged at error without its link', async () => {
    const refusing = await startSmtpSink({ mode: 'refuse' });
    try {
      const { db, time, worker, logs } = await setup({ url: refusing.url, maxAttempts: 2 });
      const recipient = to('dead');
      const id = await enqueueMail(db, { to: recipient, template: 'verify_email', data: { link: LINK } }, time.now());
      expect(await worker.runOnce()).toMatchObject({ retried: 1 });
      time.advance(60);
      expect(await worker.runOnce()).toMatchObject({ failed: 1 });
      const row = (await findMail(db, id))!;
      expect(row).toMatchObject({ status: 'failed', attempts: 2 });
      expect(row.lastError).toMatch(/550/);
      time.advance(3600);
      expect(await worker.runOnce()).toMatchObject({ claimed: 0 });

      const dead = logs.lines.find((line) => line.event === 'mail_failed');
      expect(dead).toMatchObject({ level: 50, mail_id: id, template: 'verify_email', attempts: 2 });
      expect(String(dead!.msg)).toContain(`sigil mail retry ${id}`);
      expect(logs.raw.join('\n')).not.toContain('secret-token-value');
      expect(logs.raw.join('\n')).not.toContain('Confirm email address');
      expect(refusing.attempts).toBe(2);
    } finally {
      await refusing.close();
    }
  });

  it('runs a resolver once before the first send and keeps its result for retries', async () => {
    const flaky = await startSmtpSink({ mode: 'reject' });
    let calls = 0;
    const resolvers: MailResolvers = {
      password_reset: async (tx, data, now) => {
        calls++;
        // Work done in the claim transaction commits with it.
        await tx.query(`INSERT INTO sigil_meta (key, value) VALUES ($1, $2)`, [`reset:${data.email}`, now.toISOString()]);
        return { ...data, link: `https://auth.example.test/password/reset?token=made-${calls}` };
      },
    };
    try {
      const { db, time, worker } = await setup({ url: flaky.url, resolvers });
      const recipient = to('resolve');
      const id = await enqueueMail(db, { to: recipient, template: 'password_reset', data: { email: recipient } }, time.now());
      expect(await worker.runOnce()).toMatchObject({ retried: 1 });
      expect(calls).toBe(1);
      const row = (await findMail(db, id))!;
      expect(row.data).toEqual({ email: recipient, link: 'https://auth.example.test/password/reset?token=made-1' });
      expect(row.resolvedAt).toEqual(T0);
      expect(await db.query('SELECT value FROM sigil_meta WHERE key = $1', [`reset:${recipient}`])).toEqual([{ value: T0.toISOString() }]);

      await flaky.setMode('accept');
      time.advance(60);
      expect(await worker.runOnce()).toMatchObject({ sent: 1 });
      expect(calls).toBe(1);
      const [mail] = await flaky.waitForMail({ to: recipient });
      expect(mail!.links).toEqual(['https://auth.example.test/password/reset?token=made-1']);
    } finally {
      await flaky.close();
    }
  });

  it('skips a mail its resolver finds nothing for, sending nothing and undoing nothing else', async () => {
    const resolvers: MailResolvers = { password_reset: async () => undefined };
    const { db, time, worker } = await setup({ resolvers });
    const nobody = to('nobody');
    const somebody = to('somebody');
    const skipped = await enqueueMail(db, { to: nobody, template: 'password_reset', data: { email: nobody } }, time.now());
    const sent = await enqueueMail(db, { to: somebody, template: 'password_changed', data: {} }, time.now());
    expect(await worker.runOnce()).toMatchObject({ claimed: 2, skipped: 1, sent: 1 });
    await sink.waitForMail({ to: somebody });
    expect(await findMail(db, skipped)).toMatchObject({ status: 'skipped', data: {}, sentAt: null });
    expect(await findMail(db, sent)).toMatchObject({ status: 'sent' });
    time.advance(3600);
    expect(await worker.runOnce()).toMatchObject({ claimed: 0 });
    expect(sink.mails.filter((m) => m.to.includes(nobody))).toHaveLength(0);
  });

  it('counts a failing resolver as an attempt and leaves the rest of the batch alone', async () => {
    let calls = 0;
    const resolvers: MailResolvers = {
      password_reset: async (tx, data) => {
        calls++;
        await tx.query(`INSERT INTO sigil_meta (key, value) VALUES ('half-done', 'x')`);
        if (calls === 1) throw new Error('lookup failed');
        return { ...data, link: 'https://auth.example.test/password/reset?token=second' };
      },
    };
    const { db, time, worker } = await setup({ resolvers });
    const recipient = to('resolvefail');
    const other = to('bystander');
    const id = await enqueueMail(db, { to: recipient, template: 'password_reset', data: { email: recipient } }, time.now());
    await enqueueMail(db, { to: other, template: 'account_deleted', data: {} }, time.now());
    expect(await worker.runOnce()).toMatchObject({ claimed: 2, retried: 1, sent: 1 });
    expect(await findMail(db, id)).toMatchObject({ status: 'pending', attempts: 1, lastError: 'lookup failed', resolvedAt: null });
    // The failed resolver's own writes were rolled back with its savepoint.
    expect(await db.query(`SELECT 1 FROM sigil_meta WHERE key = 'half-done'`)).toHaveLength(0);
    time.advance(60);
    expect(await worker.runOnce()).toMatchObject({ sent: 1 });
    expect(calls).toBe(2);
    expect((await sink.waitForMail({ to: recipient }))[0]!.links).toEqual(['https://auth.example.test/password/reset?token=second']);
    await sink.waitForMail({ to: other });
  });

  it('fails a mail that cannot be rendered at once', async () => {
    const { db, time, worker } = await setup();
    const recipient = to('norender');
    // A password_reset that no resolver completed has no link to send.
    const id = await enqueueMail(db, { to: recipient, template: 'password_reset', data: { email: recipient } }, time.now());
    expect(await worker.runOnce()).toMatchObject({ failed: 1 });
    expect(await findMail(db, id)).toMatchObject({ status: 'failed', attempts: 1 });
  });

  it('never lets two workers claim the same mail', async () => {
    const { db, time, make } = await setup();
    const recipients = Array.from({ length: 12 }, (_, i) => to(`pair${i}`));
    for (const recipient of recipients) await enqueueMail(db, { to: recipient, template: 'password_changed', data: {} }, time.now());
    const [a, b] = [make(), make()];
    const passes = await Promise.all([a.runOnce(), b.runOnce(), a.runOnce(), b.runOnce()]);
    expect(passes.reduce((sum, p) => sum + p.claimed, 0)).toBe(12);
    expect(passes.reduce((sum, p) => sum + p.sent, 0)).toBe(12);
    const received = await Promise.all(recipients.map((r) => sink.waitForMail({ to: r })));
    expect(received.every((mails) => mails.length === 1)).toBe(true);
  });

  it('leaves a leased mail alone until the lease runs out (a worker that hangs or died mid-send)', async () => {
    const hanging = await startSmtpSink({ mode: 'hang' });
    try {
      // A send timeout longer than this test: the hung send ends only when the sink closes.
      const { db, time, worker: stuck, make } = await setup({ url: hanging.url, sendTimeout: 60 });
      const recipient = to('lease');
      const id = await enqueueMail(db, { to: recipient, template: 'password_changed', data: {} }, time.now());
      // The first worker claims and hangs in the send.
      const firstPass = stuck.runOnce();
      while (hanging.attempts === 0) await new Promise((resolve) => setTimeout(resolve, 20));
      expect((await findMail(db, id))!.leaseUntil).toEqual(new Date(T0.getTime() + 130_000));
      const rescuer = make();
      time.advance(129);
      expect(await rescuer.runOnce()).toMatchObject({ claimed: 0 });

      // Lease over: another worker sends it, under the same Message-ID.
      await hanging.setMode('accept');
      time.advance(2);
      expect(await rescuer.runOnce()).toMatchObject({ claimed: 1, sent: 1 });
      const [mail] = await hanging.waitForMail({ to: recipient });
      expect(mail!.messageId).toBe(`<${id}@auth.example.test>`);

      // The first send finally fails: its stale attempt must not reopen the delivered mail.
      await hanging.close();
      expect(await firstPass).toMatchObject({ retried: 1 });
      expect(await findMail(db, id)).toMatchObject({ status: 'sent', attempts: 2 });
    } finally {
      await hanging.close();
    }
  });
});
