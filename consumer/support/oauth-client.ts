/**
 * Registers an OAuth client with the tarball auth server as its operator does (docs/oauth.md,
 * "Clients"): `npx sigil clients create ... --json` in the folder it serves from, while it is
 * stopped (its embedded database is one process's at a time).
 *
 * @example
 * const { client_id } = await registerClient(serverDir, node24, settings, { name: 'RP', redirectUris: [origin] });
 */
import { sigil, type ServerSettings } from './auth-server.ts';
import type { Runtime } from './commands.ts';

export interface ClientInput {
  name: string;
  redirectUris: string[];
  postLogoutRedirectUris?: string[];
}

/** What `sigil clients create --json` prints of a public client. */
export interface RegisteredClient {
  client_id: string;
  confidential: boolean;
  first_party: boolean;
  redirect_uris: string[];
  post_logout_redirect_uris: string[];
}

export async function registerClient(
  dir: string,
  runtime: Runtime,
  settings: ServerSettings,
  input: ClientInput,
): Promise<RegisteredClient> {
  const args = ['clients', 'create', '--name', input.name, '--json'];
  for (const uri of input.redirectUris) args.push('--redirect-uri', uri);
  for (const uri of input.postLogoutRedirectUris ?? []) args.push('--post-logout-redirect-uri', uri);
  const { stdout } = await sigil(dir, runtime, settings, args);
  const created = JSON.parse(stdout) as RegisteredClient;
  if (typeof created.client_id !== 'string') throw new Error(`sigil clients create printed no client_id: ${stdout}`);
  return created;
}
