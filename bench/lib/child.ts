/**
 * Target servers run in child processes (forked with the same Node and `--conditions=sigil-source`),
 * so the load generator's CPU is never spent in the server's process. Each child reports
 * `{ type: 'listening', port }` over IPC and answers `{ type: 'ask', id, what }` requests.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export interface ChildServer {
  port: number;
  url: string;
  /** Sends a question over IPC and resolves with the child's answer. */
  ask<T = unknown>(what: string, data?: unknown): Promise<T>;
  stop(): Promise<void>;
}

let nextId = 1;

export interface ChildOptions {
  /** How long the child may take to listen. @default 60_000 */
  timeoutMs?: number;
  /** Node options for the child. */
  execArgv?: string[];
  env?: Record<string, string>;
}

export async function startChild(script: string, config: unknown, options: ChildOptions = {}): Promise<ChildServer> {
  const { timeoutMs = 60_000, execArgv = [], env = {} } = options;
  const child: ChildProcess = fork(fileURLToPath(new URL(`../servers/${script}`, import.meta.url)), [JSON.stringify(config)], {
    execArgv: ['--conditions=sigil-source', ...execArgv],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    env: { ...process.env, ...env },
  });
  const pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  child.on('message', (message: { type: string; id?: number; answer?: unknown; error?: string }) => {
    if (message.type !== 'answer' || message.id === undefined) return;
    const p = pending.get(message.id);
    pending.delete(message.id);
    if (message.error) p?.reject(new Error(message.error));
    else p?.resolve(message.answer);
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${script} did not start within ${timeoutMs} ms`)), timeoutMs);
    child.on('message', (m: { type: string; port?: number }) => {
      if (m.type === 'listening') {
        clearTimeout(timer);
        resolve(m.port!);
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`${script} exited with code ${code} before listening`));
    });
  });
  return {
    port,
    url: `http://127.0.0.1:${port}`,
    ask<T>(what: string, data?: unknown): Promise<T> {
      const id = nextId++;
      return new Promise<T>((resolve, reject) => {
        pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
        child.send({ type: 'ask', id, what, data });
      });
    },
    async stop() {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
        await exited;
        clearTimeout(timer);
      }
    },
  };
}

/** In a child: answer the parent's questions with `handlers[what](data)`. */
export function answerParent(handlers: Record<string, (data: unknown) => unknown>): void {
  process.on('message', async (message: { type: string; id: number; what: string; data: unknown }) => {
    if (message.type !== 'ask') return;
    try {
      const handler = handlers[message.what];
      if (!handler) throw new Error(`unknown question ${message.what}`);
      process.send!({ type: 'answer', id: message.id, answer: await handler(message.data) });
    } catch (error) {
      process.send!({ type: 'answer', id: message.id, error: error instanceof Error ? error.message : String(error) });
    }
  });
  process.on('SIGTERM', () => process.exit(0));
  // The parent died: do not linger.
  process.on('disconnect', () => process.exit(0));
}
