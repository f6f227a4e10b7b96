/**
 * Long-running consumer processes (the auth server, the Express apps): started in a process group
 * of their own, so that stopping `npx sigil serve` stops npx and the server under it, and ready
 * once they print a given line. Ports are picked free at run time (never the e2e suite's).
 *
 * @example
 * const api = await startProcess('node', ['dist/server.js'], { cwd, runtime, env: { PORT }, ready: /API on/ });
 * await api.stop();
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { consumerEnv, type Runtime } from './commands.ts';

/** A port nothing listens on now (the OS's pick on 127.0.0.1). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

export interface StartedProcess {
  child: ChildProcess;
  /** Everything it printed so far, stdout and stderr. */
  output(): string;
  /**
   * SIGTERM to its group; resolves once every process of the group exited (SIGKILL after 20 s),
   * to the exit code of the one started (null when a signal ended it).
   */
  stop(): Promise<number | null>;
}

export interface StartOptions {
  cwd: string;
  runtime: Runtime;
  env?: Record<string, string>;
  /** Printed once the process is ready. */
  ready: RegExp;
  timeoutMs?: number;
}

export function startProcess(command: string, args: readonly string[], options: StartOptions): Promise<StartedProcess> {
  const child = spawn(command, args, {
    cwd: options.cwd,
    env: consumerEnv(options.runtime, options.env),
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  let output = '';
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const signalGroup = (signal: NodeJS.Signals | 0) => {
    try {
      process.kill(-child.pid!, signal);
      return true;
    } catch {
      return false; // ESRCH: nothing of the group is left
    }
  };
  // Like Ctrl-C in a terminal, the signal goes to the whole group: npx does not pass it on to the
  // command it started, which then drains and exits on its own, after npx.
  const stop = async () => {
    signalGroup('SIGTERM');
    const code = await exited;
    const deadline = Date.now() + 20_000;
    while (signalGroup(0) && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 100));
    signalGroup('SIGKILL');
    return code;
  };
  const started: StartedProcess = { child, output: () => output, stop };
  return new Promise((resolve, reject) => {
    const describe = `\`${[command, ...args].join(' ')}\` in ${options.cwd}`;
    const timer = setTimeout(() => {
      void stop();
      reject(
        new Error(`${describe} did not print ${options.ready} within ${(options.timeoutMs ?? 120_000) / 1000} s:\n${output.slice(-4_000)}`),
      );
    }, options.timeoutMs ?? 120_000);
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      if (options.ready.test(output)) {
        clearTimeout(timer);
        child.off('exit', onExit);
        resolve(started);
      }
    };
    const onExit = (code: number | null) => {
      clearTimeout(timer);
      reject(new Error(`${describe} exited with ${code} before it was ready:\n${output.slice(-4_000)}`));
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.once('exit', onExit);
  });
}
