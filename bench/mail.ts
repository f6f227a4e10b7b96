/**
 * Benchmark 7: mail through the outbox. The real auth server (servers/mail.ts) queues mails as
 * request handlers do, and its delivery worker sends them to an SMTP server on loopback
 * (lib/smtp-sink.ts): mails/s from the first queued to the last accepted by SMTP, and RSS (after
 * a forced GC) idle and after each quarter of the mails, which must level off. Every Message-ID
 * must arrive once.
 */
import pg from 'pg';
import { startChild } from './lib/child.ts';
import { startBenchSmtpSink } from './lib/smtp-sink.ts';

export interface MailBenchOptions {
  mails: number;
  /** Mails queued at once (as concurrent requests would). */
  concurrency: number;
  databaseUrl: string | undefined;
}

export interface MailRow {
  storage: 'PGlite' | 'PostgreSQL';
  mails: number;
  /** Queued to accepted by SMTP, the whole run. */
  mailsPerSec: number;
  /** Queueing alone (while the worker sends). */
  queuedPerSec: number;
  duplicates: number;
  idleRssMiB: number;
  /** After each quarter of the mails was delivered. */
  rssMiB: number[];
}

export interface MailResult {
  options: { mails: number; concurrency: number };
  rows: MailRow[];
}

const MiB = 1024 * 1024;

async function runOne(storage: MailRow['storage'], options: MailBenchOptions, log: (line: string) => void): Promise<MailRow> {
  const sink = await startBenchSmtpSink();
  const schema = `sigil_bench_mail_${process.pid}_${Date.now()}`;
  const server = await startChild(
    'mail.ts',
    { smtpUrl: sink.url, ...(storage === 'PostgreSQL' ? { databaseUrl: options.databaseUrl, databaseSchema: schema } : {}) },
    { timeoutMs: 120_000, execArgv: ['--expose-gc'] },
  );
  try {
    const rss = async () => (await server.ask<NodeJS.MemoryUsage>('memory')).rss / MiB;
    const idleRssMiB = await rss();
    const quarter = Math.ceil(options.mails / 4);
    const rssMiB: number[] = [];
    let queuedMs = 0;
    const started = performance.now();
    for (let from = 0; from < options.mails; from += quarter) {
      const count = Math.min(quarter, options.mails - from);
      queuedMs += (await server.ask<{ ms: number }>('enqueue', { from, count, concurrency: options.concurrency })).ms;
      const deadline = Date.now() + 120_000 + count * 50;
      while (sink.messageIds.length < from + count) {
        if (Date.now() > deadline) throw new Error(`mail: ${sink.messageIds.length} of ${from + count} mails arrived in time`);
        await new Promise((resolve) => setTimeout(resolve, 5));
      }
      rssMiB.push(await rss());
    }
    const seconds = (performance.now() - started) / 1000;
    // Past a poll interval: a late duplicate would show up now.
    await new Promise((resolve) => setTimeout(resolve, 1500));
    const duplicates = sink.messageIds.length - new Set(sink.messageIds).size;
    const row: MailRow = {
      storage,
      mails: options.mails,
      mailsPerSec: options.mails / seconds,
      queuedPerSec: options.mails / (queuedMs / 1000),
      duplicates,
      idleRssMiB,
      rssMiB,
    };
    log(
      `mail ${storage}: ${options.mails} mails at ${row.mailsPerSec.toFixed(0)} mails/s (queued at ${row.queuedPerSec.toFixed(0)}/s), ${duplicates} duplicates, RSS ${idleRssMiB.toFixed(1)} -> ${rssMiB.map((r) => r.toFixed(1)).join(' -> ')} MiB`,
    );
    return row;
  } finally {
    await server.stop();
    await sink.close();
    if (storage === 'PostgreSQL') {
      const client = new pg.Client({ connectionString: options.databaseUrl });
      await client.connect();
      await client.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
      await client.end();
    }
  }
}

export async function runMail(options: MailBenchOptions, log: (line: string) => void): Promise<MailResult> {
  const rows = [await runOne('PGlite', options, log)];
  if (options.databaseUrl) rows.push(await runOne('PostgreSQL', options, log));
  else log('mail PostgreSQL: skipped (no BENCH_DATABASE_URL or TEST_DATABASE_URL)');
  return { options: { mails: options.mails, concurrency: options.concurrency }, rows };
}
