/**
 * @sigil/server as a product, from its tarball: what the first `sigil serve` in an empty folder
 * printed and created (global-setup.ts), `sigil --help` and every subcommand, the running server
 * answering the token it issued through `sigil token inspect`, and the launcher's message on a
 * Node older than its engines.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, inject, it } from 'vitest';
import { accessToken, sigil, type ServerSettings } from './support/auth-server.ts';
import { run } from './support/commands.ts';

const { server, runtimes, webPort } = inject('consumer');
const node24 = runtimes['24'];
const port = Number(new URL(server.issuer).port);
const settings: ServerSettings = { port, issuer: server.issuer, allowedOrigin: `http://localhost:${webPort}` };

/** `npx sigil ...` in the server's folder, with the server's configuration. */
function cli(args: string[], input?: string) {
  return sigil(server.dir, node24, settings, args, input);
}

describe('sigil serve in an empty folder', () => {
  it('keeps its data in ./.sigil/data there (embedded PGlite)', () => {
    expect(existsSync(path.join(server.dir, '.sigil', 'data'))).toBe(true);
    expect(server.firstStart).toContain(
      `Sigil auth server listening on http://127.0.0.1:${port} (issuer ${server.issuer}, storage ./.sigil/data, RS256)`,
    );
  });

  it('prints where its data lives and how to create the first admin', () => {
    expect(server.firstStart).toContain(`Data: ${path.join(server.dir, '.sigil', 'data')} (embedded PGlite database`);
    expect(server.firstStart).toContain('No users yet. To create the first admin, stop the server');
    expect(server.firstStart).toContain('npx sigil users create --email you@example.com --role admin');
  });

  it('runs the compiled CLI: the installed package has no sources to fall back to', () => {
    const installed = path.join(server.dir, 'node_modules', '@sigil', 'server');
    expect(existsSync(path.join(installed, 'dist', 'cli.js'))).toBe(true);
    expect(existsSync(path.join(installed, 'src'))).toBe(false);
    expect(readFileSync(path.join(installed, 'bin', 'sigil.js'), 'utf8')).not.toContain('src/cli.ts');
  });
});

describe('the sigil CLI from the tarball', () => {
  it('prints its help and version', async () => {
    const help = await cli(['--help']);
    for (const command of ['serve', 'users', 'clients', 'keys', 'token'])
      expect(help.stdout).toMatch(new RegExp(`^\\s+${command}\\b`, 'm'));
    const { version } = JSON.parse(readFileSync(path.join(server.dir, 'node_modules/@sigil/server/package.json'), 'utf8')) as {
      version: string;
    };
    expect((await cli(['--version'])).stdout.trim()).toBe(version);
  });

  it.each([
    'serve',
    'users',
    'users create',
    'users list',
    'users disable',
    'users enable',
    'clients',
    'clients create',
    'clients list',
    'clients delete',
    'keys',
    'keys list',
    'keys rotate',
    'keys revoke',
    'token',
    'token inspect',
  ])('sigil %s --help', async (command) => {
    const { stdout } = await cli([...command.split(' '), '--help']);
    expect(stdout).toMatch(new RegExp(`^Usage: sigil ${command}\\b`, 'm'));
  });

  it('manages users and keys (users create|list|disable|enable, keys list|rotate|revoke)', async () => {
    // Its own embedded database: the one in ./.sigil/data is held by the running server.
    const own = (args: string[], input?: string) =>
      run('npx', ['sigil', ...args], {
        cwd: server.dir,
        runtime: node24,
        env: { SIGIL_DATA_DIR: './cli-data', LOG_LEVEL: 'warn' },
        ...(input === undefined ? {} : { input }),
      });
    const expectOk = async (args: string[], input?: string) => {
      const result = await own(args, input);
      expect(result.code, `sigil ${args.join(' ')}:\n${result.stdout}\n${result.stderr}`).toBe(0);
      return result.stdout;
    };
    expect(await expectOk(['users', 'create', '--email', 'grace@consumer.test', '--role', 'admin'])).toMatch(
      /Created user grace@consumer\.test[\s\S]*Password: /,
    );
    const users = JSON.parse(await expectOk(['users', 'list', '--json'])) as Array<{ email: string; roles: string[]; disabled: boolean }>;
    expect(users).toEqual([expect.objectContaining({ email: 'grace@consumer.test', roles: ['admin'], disabled: false })]);
    await expectOk(['users', 'disable', 'grace@consumer.test']);
    expect((JSON.parse(await expectOk(['users', 'list', '--json'])) as Array<{ disabled: boolean }>)[0]!.disabled).toBe(true);
    await expectOk(['users', 'enable', 'grace@consumer.test']);

    const before = JSON.parse(await expectOk(['keys', 'list', '--json'])) as Array<{ kid: string }>;
    expect(await expectOk(['keys', 'rotate'])).toMatch(/^New RS256 key /);
    const after = JSON.parse(await expectOk(['keys', 'list', '--json'])) as Array<{ kid: string; state: string }>;
    const staged = after.find((key) => !before.some((old) => old.kid === key.kid));
    expect(staged).toBeDefined();
    await expectOk(['keys', 'revoke', staged!.kid]);
    const revoked = (JSON.parse(await expectOk(['keys', 'list', '--json'])) as Array<{ kid: string; state: string }>).find(
      (key) => key.kid === staged!.kid,
    );
    expect(revoked?.state).toBe('revoked');
  });

  it('inspects a token the running server issued (token inspect --issuer)', async () => {
    const token = await accessToken(server.issuer, server.admin);
    const { stdout } = await cli(['token', 'inspect', '--issuer', server.issuer, token]);
    expect(stdout).toContain('Valid: every check passed.');
  });
});

describe('the sigil launcher', () => {
  it('says which Node it needs when started on Node 20', async () => {
    const launcher = path.join(server.dir, 'node_modules', '@sigil', 'server', 'bin', 'sigil.js');
    const result = await run('node', [launcher, '--help'], { cwd: server.dir, runtime: runtimes['20'] });
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/^sigil: needs Node 24\.15 or later \(this is Node 20\.\d+\.\d+\)\n$/);
  });
});
