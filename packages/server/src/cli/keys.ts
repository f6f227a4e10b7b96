import { Command } from 'commander';
import type { KeyInfo } from '../keys/index.ts';
import { CliError, withAuthServer } from './context.ts';
import { formatDate, print, printJson, printTable, relative } from './output.ts';

function keyJson(key: KeyInfo) {
  const iso = (date: Date | null) => date?.toISOString() ?? null;
  return {
    kid: key.kid,
    alg: key.alg,
    state: key.state,
    created_at: iso(key.createdAt),
    activates_at: iso(key.activatesAt),
    retired_at: iso(key.retiredAt),
    revoked_at: iso(key.revokedAt),
    published_until: iso(key.publishedUntil),
  };
}

const RELOAD_NOTE = 'Running servers on the same database pick this up within 30 s.';

/** `sigil keys list|rotate|revoke`. */
export function keysCommand(): Command {
  const keys = new Command('keys').description('manage the signing keys in the configured storage');

  keys
    .command('list')
    .description('list every signing key: kid, alg, state (pending, active, retired, revoked) and dates')
    .option('--json', 'print JSON instead of a table')
    .action(async (options: { json?: boolean }) => {
      await withAuthServer(async (server) => {
        const list = await server.keys.list();
        if (options.json) return printJson(list.map(keyJson));
        printTable(
          ['KID', 'ALG', 'STATE', 'CREATED', 'SIGNS FROM', 'RETIRED', 'REVOKED', 'PUBLISHED UNTIL'],
          list.map((k) => [
            k.kid,
            k.alg,
            k.state,
            formatDate(k.createdAt),
            formatDate(k.activatesAt),
            formatDate(k.retiredAt),
            formatDate(k.revokedAt),
            formatDate(k.publishedUntil),
          ]),
        );
      });
    });

  keys
    .command('rotate')
    .description('stage a new signing key: published in the JWKS now, signing after the publish lead (SIGIL_KEY_PUBLISH_LEAD)')
    .option('--now', 'sign with the new key at once (emergencies: resource servers with a cached JWKS must refetch it)')
    .action(async (options: { now?: boolean }) => {
      await withAuthServer(async (server) => {
        const key = await server.keys.rotate({ immediate: options.now === true });
        const now = new Date();
        const when =
          key.activatesAt.getTime() <= now.getTime()
            ? 'signs now'
            : `signs from ${formatDate(key.activatesAt)} (${relative(key.activatesAt, now)})`;
        print(`New ${key.alg} key ${key.kid}: published in the JWKS now, ${when}.`);
        print(`The previous key stays published until every token it signed has expired. ${RELOAD_NOTE}`);
      });
    });

  keys
    .command('revoke')
    .description('revoke a key at once: it leaves the JWKS and tokens it signed stop verifying')
    .argument('<kid>', 'the key id (see sigil keys list)')
    // A kid is base64url and may start with "-": it is the argument, not an unknown option.
    .allowUnknownOption()
    .action(async (kid: string) => {
      await withAuthServer(async (server) => {
        const revoked = await server.keys.revoke(kid);
        if (!revoked) throw new CliError(`No unrevoked signing key with kid ${kid} (see sigil keys list)`);
        const signing = (await server.keys.list()).find((k) => k.state === 'active');
        print(`Revoked ${kid}: removed from the JWKS; tokens it signed no longer verify.`);
        if (signing) print(`Signing key now: ${signing.kid} (${signing.alg}). ${RELOAD_NOTE}`);
      });
    });

  return keys;
}
