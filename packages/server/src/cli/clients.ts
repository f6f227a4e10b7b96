import { Command } from 'commander';
import { SigilError } from '../errors.ts';
import type { OAuthClient } from '../oauth/clients.ts';
import { CliError, collect, EXIT, withAuthServer } from './context.ts';
import { formatDate, print, printJson, printTable } from './output.ts';

interface CreateOptions {
  name: string;
  redirectUri: string[];
  postLogoutRedirectUri?: string[];
  confidential?: boolean;
  firstParty?: boolean;
  resource?: string[];
  scope?: string[];
  id?: string;
  json?: boolean;
}

/** The registry names fields as the registration does (`redirect_uris`); a CLI user typed flags. */
const FLAG_OF_FIELD: Record<string, string> = {
  name: '--name',
  redirect_uris: '--redirect-uri',
  post_logout_redirect_uris: '--post-logout-redirect-uri',
  resources: '--resource',
  scopes: '--scope',
  client_id: '--id',
};

// Never a secret or its hash: an OAuthClient carries neither.
function clientJson(client: OAuthClient) {
  return {
    client_id: client.clientId,
    name: client.name,
    confidential: client.confidential,
    first_party: client.firstParty,
    redirect_uris: client.redirectUris,
    post_logout_redirect_uris: client.postLogoutRedirectUris,
    resources: client.resources,
    scopes: client.scopes,
    created_at: client.createdAt.toISOString(),
  };
}

const kind = (client: OAuthClient) =>
  `${client.confidential ? 'confidential' : 'public'}, ${client.firstParty ? 'first-party' : 'third-party'}`;

/** A refused registration as one line naming the flags: `--redirect-uri http://x/cb: http is allowed only for loopback hosts ...`. */
function registrationError(error: unknown): unknown {
  if (!(error instanceof SigilError) || error.code !== 'invalid_request') return error;
  if (error.status === 409) return new CliError(`${error.message} (see sigil clients list)`);
  const problems = (error.errors ?? []).map((field) => `${FLAG_OF_FIELD[field.path] ?? field.path}: ${field.message}`);
  return new CliError(`Invalid client: ${problems.length ? problems.join('; ') : error.message}`, EXIT.usage);
}

/** `sigil clients create|list|delete`: the registered OAuth clients (docs/oauth.md, "Clients"). */
export function clientsCommand(): Command {
  const clients = new Command('clients').description('manage the OAuth clients (relying parties) in the configured storage');

  clients
    .command('create')
    .description('register an OAuth client; a confidential client gets a secret, printed once')
    .requiredOption('--name <name>', 'the name the consent page shows')
    .requiredOption(
      '--redirect-uri <uri>',
      'an exact redirect URI: https, or http on localhost/127.0.0.1/[::1] (repeat for several)',
      collect,
    )
    .option('--post-logout-redirect-uri <uri>', 'an exact URI logout may return to (repeat for several)', collect)
    .option('--confidential', 'a server-side client that authenticates with a secret (and may use client_credentials)')
    .option('--first-party', 'your own app: sign-in skips the consent page')
    .option('--resource <uri>', 'an API (aud value) it may ask tokens for besides SIGIL_AUDIENCE (repeat for several)', collect)
    .option('--scope <scope>', 'an API scope its client_credentials tokens may carry, e.g. lessons:read (repeat for several)', collect)
    .option('--id <client-id>', 'a chosen client id (1 to 128 of A-Z a-z 0-9 . _ ~ -); random by default')
    .option('--json', 'print JSON (with client_secret for a confidential client) instead of text')
    .addHelpText(
      'after',
      '\nExamples:\n  sigil clients create --name "My app" --first-party --redirect-uri https://app.example.com/auth/callback\n  sigil clients create --name Reports --confidential --redirect-uri https://reports.example.com/callback',
    )
    .action(async (options: CreateOptions) => {
      await withAuthServer(async (server) => {
        const created = await server.clients
          .create({
            name: options.name,
            redirectUris: options.redirectUri,
            postLogoutRedirectUris: options.postLogoutRedirectUri ?? [],
            confidential: options.confidential ?? false,
            firstParty: options.firstParty ?? false,
            resources: options.resource ?? [],
            scopes: options.scope ?? [],
            ...(options.id !== undefined ? { clientId: options.id } : {}),
          })
          .catch((error: unknown) => {
            throw registrationError(error);
          });
        const { client, clientSecret } = created;
        if (options.json) return printJson({ ...clientJson(client), ...(clientSecret ? { client_secret: clientSecret } : {}) });
        print(`Created client ${client.name} (${kind(client)})`);
        print(`Client ID: ${client.clientId}`);
        if (clientSecret) {
          print(`Client secret: ${clientSecret}`);
          print('(shown once: Sigil stores only a hash of it and cannot show it again; store it now)');
        }
      });
    });

  clients
    .command('list')
    .description('list every client (never a secret)')
    .option('--json', 'print JSON instead of a table')
    .action(async (options: { json?: boolean }) => {
      await withAuthServer(async (server) => {
        const all = await server.clients.list();
        if (options.json) return printJson(all.map(clientJson));
        if (all.length === 0) return print('No clients.');
        printTable(
          ['CLIENT ID', 'NAME', 'TYPE', 'CONSENT', 'CREATED', 'REDIRECT URIS'],
          all.map((c) => [
            c.clientId,
            c.name,
            c.confidential ? 'confidential' : 'public',
            c.firstParty ? 'first-party' : 'asked',
            formatDate(c.createdAt),
            c.redirectUris.join(' '),
          ]),
        );
      });
    });

  clients
    .command('delete')
    .description('delete a client: its sessions end, its codes and consents go with it')
    .argument('<client-id>', 'the client id (see sigil clients list)')
    // A random client id is base64url and may start with "-": it is the argument, not an unknown option.
    .allowUnknownOption()
    .action(async (clientId: string) => {
      await withAuthServer(async (server) => {
        if (!(await server.clients.delete(clientId))) throw new CliError(`No client with id ${clientId} (see sigil clients list)`);
        print(
          `Deleted client ${clientId}: its sessions ended (access tokens already issued stay valid until they expire, at most SIGIL_ACCESS_TTL).`,
        );
      });
    });

  return clients;
}
