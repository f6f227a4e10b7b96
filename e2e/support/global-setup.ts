/**
 * Starts the demo stack exactly as `npm start` does (scripts/start.ts: auth server with
 * `serve --seed-demo` on PGlite, demo API, built web app) with a fresh temporary data directory,
 * waits for its "Sigil demo is running" banner, and stops it with SIGINT afterwards.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ACCESS_TTL_SECONDS, PORTS, WEB } from './stack.ts';

const root = path.resolve(import.meta.dirname, '..', '..');
const READY = 'Sigil demo is running';
// First start on a fresh clone builds the web app; a loaded two-core machine needs minutes.
const START_TIMEOUT_MS = 420_000;

let stack: ChildProcess | undefined;
let dataDir: string | undefined;

/** True when something already accepts connections on the port (IPv4 or IPv6 loopback). */
async function portTaken(port: number): Promise<boolean> {
  const probe = (host: string) =>
    new Promise<boolean>((resolve) => {
      const socket = connect({ port, host });
      socket.setTimeout(2_000);
      socket.once('connect', () => (socket.destroy(), resolve(true)));
      socket.once('timeout', () => (socket.destroy(), resolve(false)));
      socket.once('error', () => resolve(false));
    });
  return (await probe('127.0.0.1')) || (await probe('::1'));
}

export async function setup(): Promise<void> {
  const taken = [];
  for (const port of PORTS) if (await portTaken(port)) taken.push(port);
  if (taken.length > 0) {
    throw new Error(
      `e2e: port ${taken.join(', ')} already in use. The suite starts its own demo stack on 4000/3000/4200 ` +
        '(the web app is built for them): stop whatever listens there (another `npm start`?) and run again.',
    );
  }

  dataDir = await mkdtemp(path.join(tmpdir(), 'sigil-e2e-'));
  // Outside dataDir so it outlives the run: the place to look when a test failed on the server side.
  const logFile = path.join(tmpdir(), 'sigil-e2e-stack.log');
  const log = createWriteStream(logFile);
  // SIGIL_E2E_START_SCRIPT: another start script (e.g. one being changed), the stack otherwise as is.
  const script = process.env['SIGIL_E2E_START_SCRIPT'] ?? 'scripts/start.ts';
  const child = spawn(process.execPath, ['--conditions=sigil-source', script], {
    cwd: root,
    env: {
      ...process.env,
      SIGIL_DATA_DIR: path.join(dataDir, 'data'),
      SIGIL_ACCESS_TTL: `${ACCESS_TTL_SECONDS}s`,
      // Every browser of the suite shares 127.0.0.1, and a 5 s token refreshes often: the
      // per-IP limit of real deployments would throttle the suite itself. (Login lockout stays on.)
      SIGIL_IP_REQUESTS_PER_MINUTE: '100000',
      // Each view of a login page asks for passkey options (for autofill): the same holds for the
      // per-IP passkey budget.
      SIGIL_PASSKEY_REQUESTS_PER_MINUTE: '100000',
      LOG_LEVEL: 'warn',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  stack = child;
  child.stdout!.pipe(log);
  child.stderr!.pipe(log);

  let output = '';
  await new Promise<void>((resolve, reject) => {
    const fail = (why: string) => {
      clearTimeout(timer);
      reject(new Error(`e2e: the demo stack ${why}. Its output (${logFile}):\n${output.slice(-4_000)}`));
    };
    const timer = setTimeout(() => fail(`did not print "${READY}" within ${START_TIMEOUT_MS / 1000} s`), START_TIMEOUT_MS);
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes(READY)) {
        clearTimeout(timer);
        child.off('exit', onExit);
        resolve();
      }
    };
    const onExit = (code: number | null, signal: string | null) => fail(`exited (${signal ?? code}) before it was ready`);
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.once('exit', onExit);
  }).catch(async (error: unknown) => {
    await stop();
    throw error;
  });
  // The banner says the web app runs; make sure it is there (not silently skipped).
  const web = await fetch(`${WEB}/login`).catch((error: unknown) => error as Error);
  if (web instanceof Error || !web.ok) {
    await stop();
    throw new Error(
      `e2e: the demo stack is up but ${WEB}/login answers ${web instanceof Error ? web.message : web.status}: did the start script start the web app? See ${logFile}`,
    );
  }
  // scripts/start.ts stops everything if one service dies; say so instead of failing obscurely.
  child.once('exit', (code, signal) => {
    if (stack === child) process.stderr.write(`e2e: the demo stack exited (${signal ?? code}) during the tests; see ${logFile}\n`);
  });
}

async function stop(): Promise<void> {
  const child = stack;
  stack = undefined;
  if (child && child.exitCode === null && child.signalCode === null) {
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGINT'); // start.ts stops its three children, then exits
    const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
    await exited;
    clearTimeout(timer);
  }
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
  dataDir = undefined;
}

export async function teardown(): Promise<void> {
  await stop();
}
