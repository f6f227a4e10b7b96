import path from 'node:path';
import type { Config } from '../config.ts';
import type { AuthServer } from '../server.ts';

/**
 * What `sigil serve` prints after it starts, for someone who just installed it: where the data
 * lives, where mail goes, and, while there is no account yet, how to create the first admin (docs/server.md "The
 * sigil CLI"). The embedded database takes one process at a time, so the CLI needs the server
 * stopped there.
 *
 * @example
 * for (const line of await startupHints(server, config)) print(line);
 */
export async function startupHints(server: AuthServer, config: Pick<Config, 'dataDir' | 'databaseUrl'>): Promise<string[]> {
  const embedded = !config.databaseUrl;
  const lines = [
    embedded
      ? `Data: ${path.resolve(config.dataDir)} (embedded PGlite database; SIGIL_DATA_DIR moves it, DATABASE_URL uses PostgreSQL instead)`
      : 'Data: PostgreSQL (DATABASE_URL)',
  ];
  const mail = server.mail.mode();
  lines.push(
    mail === 'none'
      ? 'Mail: not sent (no SIGIL_SMTP_URL, and the issuer is not a loopback address): it waits in the outbox, see sigil mail list'
      : mail === 'dev-mailbox'
        ? `Mail: the development mailbox ${server.issuer}/dev/mailbox and this log (SIGIL_SMTP_URL sends it for real)`
        : `Mail: ${server.mail.description()}`,
  );
  if (!(await server.service.hasUsers())) {
    lines.push(
      embedded
        ? 'No users yet. To create the first admin, stop the server (Ctrl-C; the embedded database takes one process at a time), then run:'
        : 'No users yet. To create the first admin, run:',
      '  npx sigil users create --email you@example.com --role admin',
    );
  }
  return lines;
}
