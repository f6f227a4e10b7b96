/**
 * Child process: the real auth server with its mail worker sending to the bench's SMTP sink
 * (in-memory PGlite or a PostgreSQL schema, silent logs). Over IPC it queues mail the way request
 * handlers do (one transaction per mail, `concurrency` at a time) and reports its memory.
 * argv[2]: JSON `{ smtpUrl, databaseUrl?, databaseSchema? }`.
 */
import { createAuthServer } from '@sigil/server';
import { answerParent } from '../lib/child.ts';

const config = JSON.parse(process.argv[2] ?? '{}') as { smtpUrl: string; databaseUrl?: string; databaseSchema?: string };

const auth = await createAuthServer({
  dataDir: 'memory://',
  ...(config.databaseUrl ? { databaseUrl: config.databaseUrl, databaseSchema: config.databaseSchema } : {}),
  logLevel: 'silent',
  issuer: 'http://sigil.bench',
  smtpUrl: config.smtpUrl,
});

answerParent({
  enqueue: async (data) => {
    const { from, count, concurrency } = data as { from: number; count: number; concurrency: number };
    let next = from;
    const end = from + count;
    const started = performance.now();
    await Promise.all(
      Array.from({ length: concurrency }, async () => {
        while (next < end) {
          const i = next++;
          await auth.mail.enqueue({
            to: `bench${i}@example.test`,
            template: 'verify_email',
            data: { link: `http://sigil.bench/email/verify?token=bench-${i}` },
          });
        }
      }),
    );
    return { ms: performance.now() - started };
  },
  memory: () => {
    globalThis.gc?.();
    return process.memoryUsage();
  },
});
const { port } = await auth.listen(0, '127.0.0.1');
process.send!({ type: 'listening', port });
