/**
 * Registers an OAuth client with the tarball auth server, in the folder it serves from, while it
 * is stopped (its embedded database is one process's at a time): through the installed package's
 * `auth.clients.create` (docs/server.md), run on the run's Node 24 by a script in that folder, as
 * an operator's own setup script would. It prints the created client as JSON.
 *
 * @example
 * const { client } = await registerClient(serverDir, node24, settings, { name: 'RP', redirectUris: [origin] });
 */
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { serverEnv, type ServerSettings } from './auth-server.ts';
import { runOk, type Runtime } from './commands.ts';

export interface ClientInput {
  name: string;
  redirectUris: string[];
  postLogoutRedirectUris?: string[];
}

export interface RegisteredClient {
  client: { clientId: string; confidential: boolean; redirectUris: string[]; postLogoutRedirectUris: string[] };
  clientSecret?: string;
}

const SCRIPT = `import { createAuthServer, loadConfigFromEnv } from '@sigil/server';

const input = JSON.parse(process.argv[2]);
const auth = await createAuthServer({ ...loadConfigFromEnv(), logLevel: 'warn' });
try {
  process.stdout.write(JSON.stringify(await auth.clients.create(input)));
} finally {
  await auth.close();
}
`;

export async function registerClient(
  dir: string,
  runtime: Runtime,
  settings: ServerSettings,
  input: ClientInput,
): Promise<RegisteredClient> {
  const script = path.join(dir, 'register-client.mjs');
  await writeFile(script, SCRIPT);
  const { stdout } = await runOk('node', [script, JSON.stringify(input)], { cwd: dir, runtime, env: serverEnv(settings) });
  const created = JSON.parse(stdout) as RegisteredClient;
  if (typeof created.client?.clientId !== 'string') throw new Error(`registering ${input.name} printed no client id: ${stdout}`);
  return created;
}
