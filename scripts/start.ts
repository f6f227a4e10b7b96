/**
 * `npm start`: the whole demo on one machine. The auth server (:4000, embedded PGlite in
 * ./.sigil/data, demo user and admin seeded, the web app's OAuth client `sigil-demo` registered,
 * mail links pointing at the web app), the demo API (:3000) and the web app (:4200).
 * Ctrl-C (or SIGTERM) stops all of them; if one dies, the others are stopped too.
 *
 * `npm start -- --flow=redirect`: the web app signs in through the auth server's page (OAuth
 * authorization code with PKCE, as the client `sigil-demo`) and is opened at http://127.0.0.1:4200,
 * another site than the auth server on http://localhost:4000. Any tab can switch with
 * `?flow=redirect` or `?flow=same-site`.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { DEMO_CLIENT_ID, seedDemoClient } from './demo-client.ts';

const root = path.resolve(import.meta.dirname, '..');
const AUTH_PORT = process.env.SIGIL_PORT ?? '4000';
const API_PORT = process.env.API_PORT ?? '3000';
const WEB_PORT = process.env.WEB_PORT ?? '4200';
const issuer = `http://localhost:${AUTH_PORT}`;
const webOrigin = `http://localhost:${WEB_PORT}`;
// The same app by its address: another site than the auth server (the redirect flow's setting).
const webOriginByAddress = `http://127.0.0.1:${WEB_PORT}`;
const redirectFlow = process.argv.slice(2).includes('--flow=redirect');

const children: Array<{ name: string; child: ChildProcess }> = [];
let stopping = false;

function run(name: string, args: string[], env: Record<string, string>, cwd = root): ChildProcess {
  const child = spawn(process.execPath, ['--conditions=sigil-source', ...args], {
    cwd,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const prefix = `[${name}]`.padEnd(7);
  for (const stream of [child.stdout!, child.stderr!]) {
    let buffered = '';
    stream.on('data', (chunk: Buffer) => {
      buffered += chunk.toString();
      const lines = buffered.split('\n');
      buffered = lines.pop() ?? '';
      for (const line of lines) if (line.trim()) process.stdout.write(`${prefix} ${line}\n`);
    });
  }
  child.once('exit', (code, signal) => {
    if (!stopping) {
      process.stdout.write(`${prefix} exited (${signal ?? code}); stopping the demo\n`);
      void stopAll(code ?? 1);
    }
  });
  children.push({ name, child });
  return child;
}

/** Waits for `url` to answer, served by `child` (a port held by another process must not count). */
async function waitFor(url: string, child: ChildProcess, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (stopping) return;
    if (child.exitCode !== null || child.signalCode !== null) throw new Error(`${url}: its process exited before it became ready`);
    try {
      if ((await fetch(url)).ok) return;
    } catch {
      /* not up yet */
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  throw new Error(`${url} did not become ready in ${timeoutMs / 1000} s`);
}

async function stopAll(exitCode: number): Promise<void> {
  if (stopping) return;
  stopping = true;
  await Promise.all(
    children.map(
      ({ child }) =>
        new Promise<void>((resolve) => {
          if (child.exitCode !== null || child.signalCode !== null) return resolve();
          const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
          child.once('exit', () => {
            clearTimeout(timer);
            resolve();
          });
          child.kill('SIGTERM');
        }),
    ),
  );
  process.exit(exitCode);
}

process.on('SIGINT', () => void stopAll(0));
process.on('SIGTERM', () => void stopAll(0));

const authEnv = {
  PORT: AUTH_PORT,
  SIGIL_ISSUER: process.env.SIGIL_ISSUER ?? issuer,
  SIGIL_ALLOWED_ORIGINS: process.env.SIGIL_ALLOWED_ORIGINS ?? `${webOrigin},${webOriginByAddress}`,
  // The links in mails (verification, password reset) open the web app's own pages.
  SIGIL_APP_LINKS: process.env.SIGIL_APP_LINKS ?? webOrigin,
  SIGIL_DATA_DIR: process.env.SIGIL_DATA_DIR ?? path.join(root, '.sigil', 'data'),
  LOG_LEVEL: process.env.LOG_LEVEL ?? 'warn',
};
// The web app signs in through OAuth as sigil-demo: registered before the server holds the storage.
await seedDemoClient({ ...process.env, ...authEnv }, WEB_PORT).catch((error: unknown) => {
  process.stdout.write(`[auth]  could not register the demo's OAuth client: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
const auth = run('auth', ['packages/server/src/cli.ts', 'serve', '--seed-demo'], authEnv);
await waitFor(`http://127.0.0.1:${AUTH_PORT}/readyz`, auth, 120_000);

const api = run('api', ['apps/api/src/main.ts'], {
  PORT: API_PORT,
  SIGIL_ISSUER: issuer,
  API_ALLOWED_ORIGINS: `${webOrigin},${webOriginByAddress}`,
});
await waitFor(`http://127.0.0.1:${API_PORT}/api/public`, api, 60_000);

const webDir = path.join(root, 'apps', 'web');
const webServer = path.join(webDir, 'serve.ts');
if (existsSync(webServer)) {
  // An SSR build writes dist/server/server.mjs (and index.csr.html, not index.html).
  if (!existsSync(path.join(webDir, 'dist', 'server', 'server.mjs'))) {
    process.stdout.write('[web]   building the demo web app (first start only)...\n');
    await new Promise<void>((resolve, reject) => {
      const build = spawn('npm', ['run', 'build', '-w', '@sigil/demo-web'], { cwd: root, stdio: 'inherit' });
      build.once('exit', (code) => (code === 0 ? resolve() : reject(new Error(`web build failed (${code})`))));
    });
  }
  const web = run(
    'web',
    ['serve.ts'],
    {
      PORT: WEB_PORT,
      SIGIL_ISSUER: issuer,
      DEMO_API_ORIGIN: `http://localhost:${API_PORT}`,
      ...(redirectFlow ? { DEMO_FLOW: 'redirect' } : {}),
    },
    webDir,
  );
  await waitFor(`http://127.0.0.1:${WEB_PORT}/`, web, 60_000);
}

// Without an SMTP server the auth server keeps every mail (sign-up, verification, reset) in its
// development mailbox, so the links can be followed with no setup.
const mailbox = process.env.SIGIL_SMTP_URL ? '' : `    mailbox      ${issuer}/dev/mailbox   (the mails the demo sends)\n`;
process.stdout.write(`
  Sigil demo is running:
    web app      ${redirectFlow ? `${webOriginByAddress}   (redirect flow: sign-in on the auth server's page)` : webOrigin}
    auth server  ${issuer}   (JWKS ${issuer}/.well-known/jwks.json)
    demo API     http://localhost:${API_PORT}/api/public
    OAuth client ${DEMO_CLIENT_ID}   (public, first-party; redirect ${webOrigin}/auth/callback)
${mailbox}  Logins: demo@sigil.dev / sigil-demo-password   admin@sigil.dev / sigil-admin-password (admin)
  Ctrl-C stops everything.
`);
