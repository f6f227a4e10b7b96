import { randomBytes } from 'node:crypto';
import { Command } from 'commander';
import { SigilError } from '../errors.ts';
import type { AuthServer } from '../server.ts';
import type { UserAccount } from '../sessions/auth-service.ts';
import { CliError, collect, EXIT, withAuthServer } from './context.ts';
import { formatDate, print, printJson, printTable } from './output.ts';
import { importCommand } from './users-import.ts';

/** The whole of stdin, without its final newline (`echo pw | sigil users create ... --password-stdin`). */
async function readStdin(): Promise<string> {
  if (process.stdin.isTTY) throw new CliError('--password-stdin expects the password on standard input (pipe it in)', EXIT.usage);
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks)
    .toString('utf8')
    .replace(/\r?\n$/, '');
}

async function requireUser(server: AuthServer, email: string): Promise<UserAccount> {
  const user = await server.service.findUserByEmail(email);
  if (!user) throw new CliError(`No user with email ${email}`);
  return user;
}

function accountJson(user: UserAccount) {
  return {
    id: user.id,
    email: user.email,
    name: user.name,
    roles: user.roles,
    disabled: user.disabled,
    email_verified: user.email_verified,
    created_at: user.createdAt.toISOString(),
  };
}

/** `sigil users create|list|disable|enable|reset-mfa|import`. */
export function usersCommand(): Command {
  const users = new Command('users').description('manage user accounts in the configured storage');

  users
    .command('create')
    .description('create a user (the password is read from stdin, or generated and printed once)')
    .requiredOption('--email <email>', 'email address (the login)')
    .option('--name <name>', 'display name')
    .option('--role <role>', 'a role such as admin (repeat for several)', collect, [])
    .option('--password-stdin', 'read the password from standard input instead of generating one')
    .option('--verified', 'mark the address verified (no link to follow, also under SIGIL_EMAIL_VERIFICATION=required)')
    .addHelpText(
      'after',
      '\nExample:\n  printf %s "$PASSWORD" | sigil users create --email ada@example.com --name Ada --role admin --password-stdin',
    )
    .action(async (options: { email: string; name?: string; role: string[]; passwordStdin?: boolean; verified?: boolean }) => {
      const generated = !options.passwordStdin;
      const password = generated ? randomBytes(18).toString('base64url') : await readStdin();
      if (!password) throw new CliError('No password on standard input', EXIT.usage);
      await withAuthServer(async (server) => {
        try {
          const user = await server.createUser({
            email: options.email,
            password,
            name: options.name ?? null,
            roles: options.role,
            emailVerified: options.verified ?? false,
          });
          print(`Created user ${user.email} (id ${user.id}${user.roles.length ? `, roles ${user.roles.join(', ')}` : ''})`);
          if (generated) print(`Password: ${password}\n(shown once: store it now)`);
        } catch (error) {
          if (error instanceof SigilError && error.code === 'email_taken')
            throw new CliError(`A user with email ${options.email} already exists`);
          throw error;
        }
      });
    });

  users
    .command('list')
    .description('list every user')
    .option('--json', 'print JSON instead of a table')
    .action(async (options: { json?: boolean }) => {
      await withAuthServer(async (server) => {
        const all = await server.service.listUsers();
        if (options.json) return printJson(all.map(accountJson));
        if (all.length === 0) return print('No users.');
        printTable(
          ['EMAIL', 'NAME', 'ROLES', 'STATUS', 'VERIFIED', 'CREATED', 'ID'],
          all.map((u) => [
            u.email,
            u.name,
            u.roles.join(','),
            u.disabled ? 'disabled' : 'active',
            u.email_verified ? 'yes' : 'no',
            formatDate(u.createdAt),
            u.id,
          ]),
        );
      });
    });

  users
    .command('disable')
    .description('disable a user: they cannot log in, and every session of theirs is revoked at once')
    .argument('<email>', "the user's email")
    .action(async (email: string) => {
      await withAuthServer(async (server) => {
        const user = await requireUser(server, email);
        await server.service.setUserDisabled(user.id, true);
        print(
          `Disabled ${user.email}; their sessions were revoked (access tokens already issued stay valid until they expire, at most SIGIL_ACCESS_TTL).`,
        );
      });
    });

  users
    .command('enable')
    .description('re-enable a disabled user')
    .argument('<email>', "the user's email")
    .action(async (email: string) => {
      await withAuthServer(async (server) => {
        const user = await requireUser(server, email);
        await server.service.setUserDisabled(user.id, false);
        print(`Enabled ${user.email}.`);
      });
    });

  users
    .command('reset-mfa')
    .description("remove a user's second factors (TOTP, recovery codes, passkeys) and end their sessions, for a user who lost every factor")
    .argument('<email>', "the user's email")
    .action(async (email: string) => {
      // An audit line even with the management commands' quiet default: warn, with the user id, on stderr.
      const env = { ...process.env, LOG_LEVEL: process.env.LOG_LEVEL || 'warn' };
      await withAuthServer(async (server) => {
        const user = await requireUser(server, email);
        const removed = await server.service.resetSecondFactors(user.id);
        const what = [
          removed.totp ? 'TOTP' : undefined,
          removed.recoveryCodes ? `${removed.recoveryCodes} recovery codes` : undefined,
          removed.passkeys ? `${removed.passkeys} passkeys` : undefined,
        ].filter(Boolean);
        print(
          `Reset the second factors of ${user.email}: ${what.length ? `removed ${what.join(', ')}` : 'there were none'}; every session was revoked. They sign in with their password alone and can enrol again.`,
        );
      }, env);
    });

  users.addCommand(importCommand());

  return users;
}
