/**
 * Once per run: checks that every tarball of dist-packages is complete (a missing file fails the
 * run here, naming the package), copies the tarballs into a fresh folder under the OS temp dir,
 * installs Node 20, 22 and 24 there from the registry, and starts the auth server from its
 * tarball the way its README says: `npx sigil serve` in an empty folder, then, as it advises,
 * stopped to create the first admin with `sigil users create --role admin` (and to register the
 * OAuth client of the second relying party with `sigil clients create`), and started again.
 */
import { existsSync } from 'node:fs';
import { copyFile, mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { TestProject } from 'vitest/node';
import { accessToken, sigil, startServer, type ServerSettings } from './support/auth-server.ts';
import { installPackages } from './support/install.ts';
import { registerClient } from './support/oauth-client.ts';
import { freePort, type StartedProcess } from './support/processes.ts';
import type { ConsumerRun, Credentials } from './support/run.ts';
import { installRuntime } from './support/runtimes.ts';
import { assertComplete, findTarballs, PACKAGE_NAMES, type PackageName } from './support/tarballs.ts';

const root = path.resolve(import.meta.dirname, '..');
const PASSWORD = 'consumer-suite-password-1';

let server: StartedProcess | undefined;
let runDir: string | undefined;

export async function setup(project: TestProject): Promise<void> {
  const packed = findTarballs(path.join(root, 'dist-packages'));
  for (const name of PACKAGE_NAMES) assertComplete(packed[name]);

  runDir = await mkdtemp(path.join(tmpdir(), 'sigil-consumer-'));
  process.stdout.write(`consumer suite: working in ${runDir}\n`);
  await mkdir(path.join(runDir, 'tarballs'));
  const tarballs = {} as Record<PackageName, string>;
  for (const name of PACKAGE_NAMES) {
    tarballs[name] = path.join(runDir, 'tarballs', path.basename(packed[name].file));
    await copyFile(packed[name].file, tarballs[name]);
  }

  const runtimesDir = path.join(runDir, 'runtimes');
  // One after the other: parallel installs of the three (each runs npm again in its install
  // script) have been seen to stall.
  const node20 = await installRuntime(runtimesDir, '20');
  const node22 = await installRuntime(runtimesDir, '22');
  const node24 = await installRuntime(runtimesDir, '24');

  // An empty folder, as the server's README starts: npm install creates its package.json.
  const serverDir = path.join(runDir, 'auth-server');
  await mkdir(serverDir);
  await installPackages(serverDir, node24, tarballs, ['@sigil/server']);

  const port = await freePort();
  const webPort = await freePort();
  // The OAuth relying party's origin is not among the allowed origins: it needs none of Sigil's
  // CORS, only the OAuth endpoints'.
  const rpPort = await freePort();
  const settings: ServerSettings = { port, issuer: `http://localhost:${port}`, allowedOrigin: `http://localhost:${webPort}` };
  if (existsSync(path.join(serverDir, '.sigil'))) throw new Error(`${serverDir}/.sigil exists before the first sigil serve`);
  const first = await startServer(serverDir, node24, settings);
  await first.stop();
  // All it printed from its start to its stop: the lines after "listening" come in their own time.
  const firstStart = first.output();
  if (!firstStart.includes('Sigil auth server stopped.'))
    throw new Error(`the first sigil serve did not stop cleanly on SIGTERM:\n${firstStart}`);

  const admin: Credentials = { email: 'admin@consumer.test', password: PASSWORD };
  const member: Credentials = { email: 'member@consumer.test', password: PASSWORD };
  await sigil(
    serverDir,
    node24,
    settings,
    ['users', 'create', '--email', admin.email, '--name', 'Ada Admin', '--role', 'admin', '--password-stdin'],
    PASSWORD,
  );
  await sigil(
    serverDir,
    node24,
    settings,
    ['users', 'create', '--email', member.email, '--name', 'Max Member', '--password-stdin'],
    PASSWORD,
  );

  const rpOrigin = `http://localhost:${rpPort}`;
  const rpClientName = 'Consumer OIDC relying party';
  const client = await registerClient(serverDir, node24, settings, {
    name: rpClientName,
    redirectUris: [rpOrigin],
    postLogoutRedirectUris: [rpOrigin],
  });

  server = await startServer(serverDir, node24, settings);
  await accessToken(settings.issuer, admin);

  const run: ConsumerRun = {
    dir: runDir,
    tarballs,
    runtimes: { '20': node20, '22': node22, '24': node24 },
    server: { dir: serverDir, issuer: settings.issuer, firstStart, admin, member },
    webPort,
    rp: { port: rpPort, clientId: client.client_id, clientName: rpClientName },
  };
  project.provide('consumer', run);
}

export async function teardown(): Promise<void> {
  await server?.stop();
  // SIGIL_CONSUMER_KEEP=1 keeps the apps for a look after a failure.
  if (runDir && !process.env['SIGIL_CONSUMER_KEEP']) await rm(runDir, { recursive: true, force: true });
}
