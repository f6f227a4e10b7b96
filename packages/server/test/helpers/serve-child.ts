// A real auth server in its own process, for crash tests (test/support/child-server.ts starts
// it): configured from the environment, it prints one JSON line {"url": ...} once it listens,
// and for each JSON line {"seq", "mail"} on stdin queues the mail and prints {"seq", "queued": id}
// once that committed. The test kills it with SIGKILL.
import { createInterface } from 'node:readline';
import { createAuthServer, loadConfigFromEnv } from '../../src/index.ts';

const config = loadConfigFromEnv(process.env, { port: 0, logLevel: 'silent' });
const server = await createAuthServer({ ...config, issuer: config.issuer });
const { url } = await server.listen(0, '127.0.0.1');
process.stdout.write(`${JSON.stringify({ url })}\n`);

for await (const line of createInterface({ input: process.stdin })) {
  if (!line.trim()) continue;
  const { seq, mail } = JSON.parse(line) as { seq: number; mail: Parameters<typeof server.mail.enqueue>[0] };
  const queued = await server.mail.enqueue(mail);
  process.stdout.write(`${JSON.stringify({ seq, queued })}\n`);
}
