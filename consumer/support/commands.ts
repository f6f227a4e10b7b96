/**
 * Running commands the way a user of the packages would: in a folder outside the repository, on a
 * chosen Node, with nothing on PATH or in the environment that leads back into the workspace
 * (npm run puts every ancestor's node_modules/.bin first and exports its config as npm_*
 * variables; a consumer's npx must not find the workspace's `sigil` or `tsc` there).
 *
 * @example
 * await runOk('npm', ['install', '../tarballs/sigil-core-0.1.0.tgz'], { cwd: app, runtime });
 */
import { spawn } from 'node:child_process';
import path from 'node:path';

/** A Node installation the consumer commands run on (see runtimes.ts). */
export interface Runtime {
  /** Major version: '20', '22' or '24'. */
  major: string;
  /** The folder holding its `node` binary, put first on PATH. */
  binDir: string;
}

export interface RunOptions {
  cwd: string;
  runtime: Runtime | null;
  env?: Record<string, string>;
  input?: string;
  timeoutMs?: number;
}

export interface RunResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** PATH without any node_modules/.bin (the workspace's), the runtime's Node first. */
export function consumerPath(runtime: Runtime | null): string {
  const system = (process.env['PATH'] ?? '').split(path.delimiter).filter((entry) => entry && !/node_modules[\\/]\.bin$/.test(entry));
  return [...(runtime ? [runtime.binDir] : []), ...system].join(path.delimiter);
}

/** The environment of a consumer command: the machine's, minus what npm run and Vitest add. */
export function consumerEnv(runtime: Runtime | null, extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (/^(npm_|INIT_CWD$|NODE_OPTIONS$|NODE_PATH$|NODE_ENV$|VITEST|TEST$)/.test(key)) continue;
    env[key] = value;
  }
  return { ...env, PATH: consumerPath(runtime), NG_CLI_ANALYTICS: 'false', NO_UPDATE_NOTIFIER: '1', ...extra };
}

/** Runs a command to its end; never rejects for a non-zero exit (see runOk). */
export function run(command: string, args: readonly string[], options: RunOptions): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {
      cwd: options.cwd,
      env: consumerEnv(options.runtime, options.env),
      stdio: ['pipe', 'pipe', 'pipe'],
      // Its own process group, so that a time-out ends what it started too (npm's install
      // scripts run npm again).
      detached: true,
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const timer = setTimeout(() => {
      try {
        process.kill(-child.pid!, 'SIGKILL');
      } catch {}
    }, options.timeoutMs ?? 300_000);
    child.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
    // A command that exits without reading its input closes the pipe: that is its business.
    child.stdin.on('error', () => {});
    child.stdin.end(options.input ?? '');
  });
}

/** Runs a command and throws, with its output, unless it exits 0. */
export async function runOk(command: string, args: readonly string[], options: RunOptions): Promise<RunResult> {
  const result = await run(command, args, options);
  if (result.code !== 0) {
    const output = `${result.stdout}\n${result.stderr}`.trim().slice(-6_000);
    throw new Error(`\`${[command, ...args].join(' ')}\` in ${options.cwd} exited with ${result.code}:\n${output}`);
  }
  return result;
}

/** `npm install` flags of every consumer install: the npm cache first, no audit or funding noise. */
export const NPM_INSTALL_FLAGS = ['--prefer-offline', '--no-audit', '--no-fund', '--loglevel', 'error'] as const;
