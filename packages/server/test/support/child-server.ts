/**
 * A real auth server in a child process, for crash tests: it runs test/helpers/serve-child.ts
 * (configured from `env`), and the test kills it with SIGKILL. The child also queues mail on
 * request, so a test can kill it between a mail's acknowledgement and its delivery.
 *
 * @example
 * const server = await startServerChild({ SIGIL_DATA_DIR: dir });
 * const id = await server.enqueueMail({ to: 'ada@example.com', template: 'password_changed', data: {} });
 * await killHard(server.child);
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { OutboxMail } from '../../src/mail/outbox.ts';

const script = fileURLToPath(new URL('../helpers/serve-child.ts', import.meta.url));

export interface ServerChild {
  child: ChildProcess;
  url: string;
  /** Queues a mail in the child (its own transaction); resolves with the id once it committed. */
  enqueueMail(mail: OutboxMail): Promise<string>;
}

export async function startServerChild(env: Record<string, string>): Promise<ServerChild> {
  const child = spawn(process.execPath, ['--conditions=sigil-source', script], {
    env: {
      ...process.env,
      NODE_OPTIONS: '',
      SIGIL_ISSUER: 'http://sigil.test',
      SIGIL_IP_REQUESTS_PER_MINUTE: '100000',
      SIGIL_SIGNUPS_PER_HOUR: '100000',
      ...env,
    },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr!.on('data', (chunk) => (stderr += chunk));
  const waiting = new Map<number, (id: string) => void>();
  let out = '';
  const url = await new Promise<string>((resolve, reject) => {
    child.stdout!.on('data', (chunk) => {
      out += chunk;
      const lines = out.split('\n');
      out = lines.pop() ?? '';
      for (const line of lines.filter((l) => l.startsWith('{'))) {
        const message = JSON.parse(line) as { url?: string; queued?: string; seq?: number };
        if (message.url) resolve(message.url);
        if (message.queued && message.seq !== undefined) waiting.get(message.seq)?.(message.queued);
      }
    });
    child.once('exit', (code) => reject(new Error(`server exited with ${code}: ${stderr}`)));
  });
  let seq = 0;
  return {
    child,
    url,
    enqueueMail(mail) {
      const n = seq++;
      return new Promise((resolve) => {
        waiting.set(n, resolve);
        child.stdin!.write(`${JSON.stringify({ seq: n, mail })}\n`);
      });
    },
  };
}

export function killHard(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    child.once('exit', () => resolve());
    child.kill('SIGKILL');
  });
}
