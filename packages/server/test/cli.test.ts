import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { hashSync as bcryptHash } from 'bcryptjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { enqueueMail } from '../src/mail/outbox.ts';
import { openDatabase } from '../src/storage/index.ts';
import { hashOpaqueToken } from '../src/tokens/opaque-token.ts';
import { TEST_DATABASE_URL, dropSchema, uniqueSchema } from './support/database.ts';

// The CLI as users run it: a separate Node 24 process (the one running Vitest) on the sources,
// with its own embedded database in a temporary directory. Each command that opens storage
// starts PGlite (seconds on a loaded machine), so the file shares one data directory and keeps
// the number of such commands small; commands run one at a time, as PGlite serves one process.

const CLI = fileURLToPath(new URL('../src/cli.ts', import.meta.url));
const VERSION = (JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string }).version;
const ISSUER = 'http://localhost:4999';
const SLOW = 180_000;

let dir: string;
let dataDir: string;
let lockFile: string;

interface Result {
  code: number | null;
  stdout: string;
  stderr: string;
}

function cliEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  // Only what the CLI needs: nothing from the developer's own SIGIL_* or DATABASE_URL leaks in.
  return {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    SIGIL_DATA_DIR: dataDir,
    SIGIL_ISSUER: ISSUER,
    PORT: '0',
    LOG_LEVEL: 'error',
    ...extra,
  };
}

function start(args: string[], env: NodeJS.ProcessEnv): ChildProcessWithoutNullStreams {
  return spawn(process.execPath, ['--conditions=sigil-source', CLI, ...args], { env, stdio: 'pipe' });
}

function sigil(args: string[], options: { env?: Record<string, string>; input?: string } = {}): Promise<Result> {
  const child = start(args, cliEnv(options.env));
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk) => (stdout += chunk));
  child.stderr.on('data', (chunk) => (stderr += chunk));
  child.stdin.end(options.input ?? '');
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), SLOW - 5000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

function expectOneLineError(result: Result, code: number, pattern: RegExp): void {
  expect(result.code, result.stderr).toBe(code);
  const lines = result.stderr.trim().split('\n');
  expect(lines, result.stderr).toHaveLength(1);
  expect(lines[0]).toMatch(/^sigil: /);
  expect(lines[0]).toMatch(pattern);
  expect(result.stderr).not.toMatch(/\n\s+at /);
}

async function postJson(url: string, body: unknown) {
  const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  return { status: res.status, body: (await res.json()) as Record<string, any> };
}

function tamper(token: string): string {
  const [header, payload, signature] = token.split('.') as [string, string, string];
  const claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
  claims.roles = ['admin'];
  return `${header}.${Buffer.from(JSON.stringify(claims)).toString('base64url')}.${signature}`;
}

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'sigil-cli-'));
  dataDir = path.join(dir, 'data');
  lockFile = path.join(dir, '.data.lock');
});

afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('sigil without storage', () => {
  it(
    'prints --help for every command, and --version',
    async () => {
      const commands = [
        [],
        ['serve'],
        ['users'],
        ['users', 'create'],
        ['users', 'list'],
        ['users', 'disable'],
        ['users', 'enable'],
        ['users', 'reset-mfa'],
        ['clients'],
        ['clients', 'create'],
        ['clients', 'list'],
        ['clients', 'delete'],
        ['keys'],
        ['keys', 'list'],
        ['keys', 'rotate'],
        ['keys', 'revoke'],
        ['token'],
        ['token', 'inspect'],
        ['mail'],
        ['mail', 'list'],
        ['mail', 'retry'],
      ];
      const results = await Promise.all(commands.map((command) => sigil([...command, '--help'])));
      results.forEach((result, index) => {
        const name = ['sigil', ...commands[index]!].join(' ');
        expect(result.code, `${name} --help: ${result.stderr}`).toBe(0);
        expect(result.stdout, name).toContain(`Usage: ${name}`);
      });
      const help = (...command: string[]) => results[commands.findIndex((c) => c.join(' ') === command.join(' '))]!.stdout;
      expect(help()).toMatch(/^\s+clients\s+manage the OAuth clients/m);
      expect(help('users', 'create')).toContain('--password-stdin');
      expect(help('clients', 'create')).toMatch(/--redirect-uri <uri>[\s\S]*--confidential[\s\S]*--first-party[\s\S]*--json/);
      expect(help('clients', 'delete')).toContain('<client-id>');
      expect(help('keys', 'revoke')).toContain('<kid>');
      expect(help('token', 'inspect')).toMatch(/--jwks-uri[\s\S]*--issuer|--issuer[\s\S]*--jwks-uri/);
      const version = await sigil(['--version']);
      expect(version.code).toBe(0);
      expect(version.stdout.trim()).toBe(VERSION);
    },
    SLOW,
  );

  it(
    'reports usage errors in one line with exit 2',
    async () => {
      const [missing, unknown, noKid, noRedirect] = await Promise.all([
        sigil(['users', 'create']),
        sigil(['frobnicate']),
        sigil(['keys', 'revoke']),
        sigil(['clients', 'create', '--name', 'No redirect']),
      ]);
      expectOneLineError(missing, 2, /--email/);
      expectOneLineError(unknown, 2, /frobnicate/);
      expectOneLineError(noKid, 2, /kid/);
      expectOneLineError(noRedirect, 2, /--redirect-uri/);
    },
    SLOW,
  );

  it(
    'users import: --help shows the line format; a missing file or half the --firebase-* options is a usage error',
    async () => {
      const file = path.join(dir, 'nothing-here.jsonl');
      const [help, missing, partial] = await Promise.all([
        sigil(['users', 'import', '--help']),
        sigil(['users', 'import', file]),
        sigil(['users', 'import', file, '--firebase-signer-key', 'AAAA', '--firebase-rounds', '8']),
      ]);
      expect(help.code, help.stderr).toBe(0);
      expect(help.stdout).toContain('Usage: sigil users import [options] <file>');
      expect(help.stdout).toMatch(/--dry-run[\s\S]*--firebase-signer-key[\s\S]*--firebase-mem-cost/);
      expect(help.stdout).toContain('"password_hash"');
      expectOneLineError(missing, 2, /Cannot read .*nothing-here\.jsonl/);
      expectOneLineError(
        partial,
        2,
        /--firebase-signer-key, --firebase-salt-separator, --firebase-rounds and --firebase-mem-cost go together/,
      );
      expect(existsSync(dataDir)).toBe(false);
    },
    SLOW,
  );

  it(
    'refuses a bad configuration in one line naming the variable, with exit 2',
    async () => {
      const [alg, ttl] = await Promise.all([
        sigil(['users', 'list'], { env: { SIGIL_ALG: 'HS512' } }),
        sigil(['serve'], { env: { SIGIL_ACCESS_TTL: 'soon' } }),
      ]);
      expectOneLineError(alg, 2, /SIGIL_ALG/);
      expectOneLineError(ttl, 2, /SIGIL_ACCESS_TTL/);
      expect(existsSync(dataDir)).toBe(false);
    },
    SLOW,
  );
});

describe('sigil with the embedded database', () => {
  let adaPassword: string;
  let token: string;

  it(
    'users create: generated password printed once, or read from stdin',
    async () => {
      const ada = await sigil(['users', 'create', '--email', 'ada@example.com', '--name', 'Ada', '--role', 'admin', '--role', 'ops']);
      expect(ada.code, ada.stderr).toBe(0);
      expect(ada.stdout).toContain('Created user ada@example.com');
      adaPassword = /Password: (\S+)/.exec(ada.stdout)?.[1] ?? '';
      expect(adaPassword.length).toBeGreaterThanOrEqual(20);

      const bob = await sigil(['users', 'create', '--email', 'bob@example.com', '--password-stdin', '--verified'], {
        input: 'bob has a long password\n',
      });
      expect(bob.code, bob.stderr).toBe(0);
      expect(bob.stdout).toContain('Created user bob@example.com');
      expect(bob.stdout).not.toContain('Password:');
      expect(bob.stdout + bob.stderr).not.toContain('bob has a long password');
    },
    SLOW,
  );

  it(
    'users disable, then users list --json shows who is disabled',
    async () => {
      const disabled = await sigil(['users', 'disable', 'bob@example.com']);
      expect(disabled.code, disabled.stderr).toBe(0);
      expect(disabled.stdout).toMatch(/Disabled bob@example.com/);

      const list = await sigil(['users', 'list', '--json']);
      expect(list.code, list.stderr).toBe(0);
      const users = JSON.parse(list.stdout) as Array<{
        email: string;
        name: string | null;
        roles: string[];
        disabled: boolean;
        email_verified: boolean;
      }>;
      expect(users.map((u) => [u.email, u.name, u.roles, u.disabled, u.email_verified])).toEqual([
        ['ada@example.com', 'Ada', ['admin', 'ops'], false, false],
        ['bob@example.com', null, [], true, true],
      ]);
      expect(list.stdout).not.toMatch(/hash|argon/i);
    },
    SLOW,
  );

  it(
    'users import: a bad line is reported by number and nothing is imported; --dry-run writes nothing; then the import',
    async () => {
      const bcrypt = bcryptHash('imported with bcrypt', 4);
      const users = [
        { email: 'imported@example.com', name: 'Imported', roles: ['ops'], password_hash: bcrypt },
        // firebase/scrypt's README example account (its project parameters are the flags below).
        {
          email: 'user1@test.com',
          password_hash: {
            algorithm: 'firebase-scrypt',
            hash: 'lSrfV15cpx95/sZS2W9c9Kp6i/LVgQNDNC/qzrCnh1SAyZvqmZqAjTdn3aoItz+VHjoZilo78198JAdRuid5lQ==',
            salt: '42xEC+ixf3L2lw==',
          },
        },
        { email: 'social@example.com', email_verified: true },
      ];
      const good = path.join(dir, 'users.jsonl');
      const bad = path.join(dir, 'bad.jsonl');
      await writeFile(good, `${users.map((user) => JSON.stringify(user)).join('\n')}\n`);
      await writeFile(bad, `${JSON.stringify(users[0])}\n{"email": "half@example.com", "password_hash": "$2b$04$\n`);
      const firebase = [
        '--firebase-signer-key',
        'jxspr8Ki0RYycVU8zykbdLGjFQ3McFUH0uiiTvC8pVMXAn210wjLNmdZJzxUECKbm0QsEmYUSDzZvpjeJ9WmXA==',
        '--firebase-salt-separator',
        'Bw==',
        '--firebase-rounds',
        '8',
        '--firebase-mem-cost',
        '14',
      ];

      const refused = await sigil(['users', 'import', bad]);
      expectOneLineError(refused, 1, /1 bad line in .*bad\.jsonl: nothing was imported/);
      expect(refused.stdout).toBe('Bad lines:\n  line 2: not valid JSON\n');

      const dryRun = await sigil(['users', 'import', good, '--dry-run', ...firebase]);
      expect(dryRun.code, dryRun.stderr).toBe(0);
      expect(dryRun.stdout).toContain(`Dry run: 3 users in ${good} would be imported; nothing was written.`);
      expect(dryRun.stdout).toMatch(/bcrypt\s+1\n/);
      expect(dryRun.stdout).toMatch(/Firebase scrypt\s+1\n/);
      expect(dryRun.stdout).toMatch(/no password\s+1\n/);

      const imported = await sigil(['users', 'import', good, ...firebase]);
      expect(imported.code, imported.stderr).toBe(0);
      expect(imported.stdout).toContain(`Imported 3 users from ${good}.`);
      expect(imported.stdout).toContain('redone with argon2id at their first login');
      for (const output of [refused, dryRun, imported]) {
        expect(output.stdout + output.stderr).not.toContain(bcrypt.slice(7));
        expect(output.stdout + output.stderr).not.toContain('lSrfV15cpx95');
      }

      // Imported already: every line is now a duplicate of an account.
      const again = await sigil(['users', 'import', good, '--dry-run', '--json', ...firebase]);
      expect(again.code).toBe(1);
      const report = JSON.parse(again.stdout) as { problemCount: number; problems: Array<{ line: number; message: string }> };
      expect(report.problemCount).toBe(3);
      expect(report.problems[0]).toEqual({ line: 1, message: 'email imported@example.com already has an account' });
    },
    SLOW * 2,
  );

  it(
    'serve --seed-demo: serves, holds the data directory, stops on SIGTERM with exit 0 and releases it',
    async () => {
      const server = start(['serve', '--seed-demo'], cliEnv());
      let stdout = '';
      let stderr = '';
      server.stderr.on('data', (chunk) => (stderr += chunk));
      const exited = new Promise<number | null>((resolve) => server.on('close', resolve));
      try {
        const url = await new Promise<string>((resolve, reject) => {
          const timer = setTimeout(() => reject(new Error(`serve did not start: ${stdout} ${stderr}`)), SLOW - 30_000);
          server.stdout.on('data', (chunk) => {
            stdout += chunk;
            const match = /listening on (http:\/\/\S+)/.exec(stdout);
            if (match) {
              clearTimeout(timer);
              resolve(match[1]!);
            }
          });
          server.on('close', () => reject(new Error(`serve exited: ${stdout} ${stderr}`)));
        });
        expect(stdout).toContain('demo@sigil.dev / sigil-demo-password');
        expect(stdout).toContain('admin@sigil.dev / sigil-admin-password');
        expect(existsSync(lockFile)).toBe(true);

        const demo = await postJson(`${url}/auth/login`, { email: 'demo@sigil.dev', password: 'sigil-demo-password' });
        expect(demo.status).toBe(200);
        expect(demo.body.user).toMatchObject({ name: 'Demo User', roles: [] });
        const admin = await postJson(`${url}/auth/login`, { email: 'admin@sigil.dev', password: 'sigil-admin-password' });
        expect(admin.body.user).toMatchObject({ name: 'Demo Admin', roles: ['admin'] });
        expect((await postJson(`${url}/auth/login`, { email: 'ada@example.com', password: adaPassword })).status).toBe(200);
        expect((await postJson(`${url}/auth/login`, { email: 'bob@example.com', password: 'bob has a long password' })).status).toBe(401);
        // Imported with their old hashes by `users import` above.
        const imported = await postJson(`${url}/auth/login`, { email: 'imported@example.com', password: 'imported with bcrypt' });
        expect(imported.status).toBe(200);
        expect(imported.body.user).toMatchObject({ name: 'Imported', roles: ['ops'] });
        expect((await postJson(`${url}/auth/login`, { email: 'user1@test.com', password: 'user1password' })).status).toBe(200);
        token = demo.body.access_token;

        // The running server holds the embedded database: other commands say so in one line.
        const locked = await sigil(['users', 'list']);
        expectOneLineError(locked, 1, /in use by process \d+.*DATABASE_URL/);

        // A remote check needs no storage: the server's JWKS.
        const remote = await sigil(['token', 'inspect', '--jwks-uri', `${url}/.well-known/jwks.json`, token]);
        expect(remote.code, remote.stdout + remote.stderr).toBe(0);
        expect(remote.stdout).toContain('✓ signature');
        expect(remote.stdout).toContain(`JWKS ${url}/.well-known/jwks.json`);

        server.kill('SIGTERM');
        expect(await exited).toBe(0);
        expect(stderr).toContain('shutting down');
        expect(stdout).toContain('stopped');
        expect(existsSync(lockFile)).toBe(false);
      } finally {
        if (server.exitCode === null) server.kill('SIGKILL');
      }
    },
    SLOW * 2,
  );

  it(
    'token inspect: a valid token passes every check (exit 0), never printing its signature',
    async () => {
      const result = await sigil(['token', 'inspect', token]);
      expect(result.code, result.stdout + result.stderr).toBe(0);
      for (const check of ['format', 'alg allowed', 'typ', 'kid known', 'signature', 'iss', 'aud', 'exp', 'nbf', 'iat']) {
        expect(result.stdout).toMatch(new RegExp(`✓ ${check}\\s`));
      }
      expect(result.stdout).toContain('"email": "demo@sigil.dev"');
      // How and when the user signed in, what requireAuthLevel checks.
      expect(result.stdout).toMatch(/^Signed in: pwd at \d{4}-\d\d-\d\d \d\d:\d\d:\d\dZ \(\d+ s ago\)$/m);
      expect(result.stdout).toContain('Valid');
      expect(result.stdout).not.toContain(token.split('.')[2]);
    },
    SLOW,
  );

  it(
    'token inspect: a tampered token fails the signature check, an expired one the exp check (exit 1)',
    async () => {
      const tampered = await sigil(['token', 'inspect', tamper(token)]);
      expect(tampered.code, tampered.stdout + tampered.stderr).toBe(1);
      expect(tampered.stdout).toMatch(/✗ signature\s+does not verify/);
      expect(tampered.stdout).toMatch(/✓ exp\s/);
      expect(tampered.stdout).toMatch(/Invalid: signature failed/);

      const expired = await sigil(['token', 'inspect', '--at', '2099-01-01T00:00:00Z', '--json', '-'], { input: `${token}\n` });
      expect(expired.code, expired.stdout + expired.stderr).toBe(1);
      const report = JSON.parse(expired.stdout) as { valid: boolean; checks: Array<{ name: string; status: string; detail: string }> };
      expect(report.valid).toBe(false);
      expect(report.checks.filter((c) => c.status !== 'pass').map((c) => c.name)).toEqual(['exp']);
      expect(report.checks.find((c) => c.name === 'exp')!.detail).toMatch(/^expired /);
    },
    SLOW,
  );

  it(
    'keys list, rotate, revoke; a token of the revoked key then fails "kid known"',
    async () => {
      type Key = { kid: string; alg: string; state: string; created_at: string; activates_at: string };
      const before = await sigil(['keys', 'list', '--json']);
      expect(before.code, before.stderr).toBe(0);
      const [original, ...others] = JSON.parse(before.stdout) as Key[];
      expect(others).toEqual([]);
      expect(original).toMatchObject({ alg: 'RS256', state: 'active' });

      const rotated = await sigil(['keys', 'rotate']);
      expect(rotated.code, rotated.stderr).toBe(0);
      const newKid = /key (\S+): published in the JWKS now, signs from/.exec(rotated.stdout)?.[1];
      expect(newKid, rotated.stdout).toBeDefined();

      const table = await sigil(['keys', 'list']);
      expect(table.code, table.stderr).toBe(0);
      expect(table.stdout).toMatch(/^KID\s+ALG\s+STATE/);
      expect(table.stdout).toMatch(new RegExp(`${original!.kid}\\s+RS256\\s+active`));
      expect(table.stdout).toMatch(new RegExp(`${newKid}\\s+RS256\\s+pending`));

      const revoked = await sigil(['keys', 'revoke', original!.kid]);
      expect(revoked.code, revoked.stderr).toBe(0);
      expect(revoked.stdout).toContain(`Revoked ${original!.kid}`);
      expect(revoked.stdout).toContain(`Signing key now: ${newKid}`);

      const again = await sigil(['keys', 'revoke', original!.kid]);
      expectOneLineError(again, 1, /No unrevoked signing key/);

      const inspected = await sigil(['token', 'inspect', token]);
      expect(inspected.code).toBe(1);
      expect(inspected.stdout).toMatch(/✗ kid known\s+\S+: revoked at/);
    },
    SLOW * 2,
  );

  it(
    'users reset-mfa: removes the second factors, ends the sessions, logs a warning with the user id; an unknown user is refused',
    async () => {
      // Ada's factors, written while no command holds the embedded database.
      const db = await openDatabase({ dataDir, databaseSchema: 'public' });
      let adaId: string;
      try {
        const [ada] = await db.query<{ id: string }>(`SELECT id FROM users WHERE email = 'ada@example.com'`);
        adaId = ada!.id;
        const at = new Date();
        await db.query('INSERT INTO totp_factors (user_id, secret, encrypted, confirmed_at, created_at) VALUES ($1, $2, false, $3, $3)', [
          adaId,
          'GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ',
          at,
        ]);
        await db.query(`INSERT INTO recovery_codes (user_id, code_hash, created_at) VALUES ($1, 'h1', $2), ($1, 'h2', $2)`, [adaId, at]);
      } finally {
        await db.close();
      }

      const reset = await sigil(['users', 'reset-mfa', 'ada@example.com'], { env: { LOG_LEVEL: '' } });
      expect(reset.code, reset.stderr).toBe(0);
      expect(reset.stdout).toContain(
        'Reset the second factors of ada@example.com: removed TOTP, 2 recovery codes; every session was revoked.',
      );
      const warning = reset.stderr
        .split('\n')
        .filter(Boolean)
        .map((line) => JSON.parse(line) as Record<string, unknown>)
        .find((line) => line.event === 'mfa_reset');
      expect(warning).toMatchObject({ level: 40, userId: adaId, totp: true, recoveryCodes: 2, passkeys: 0 });
      expect(reset.stderr).not.toContain('GEZDGNBV');

      const unknown = await sigil(['users', 'reset-mfa', 'nobody@example.com']);
      expectOneLineError(unknown, 1, /No user with email nobody@example.com/);
    },
    SLOW,
  );

  it(
    'mail list and retry: dead mail listed without its link, queued again; unknown or not-failed ids refused',
    async () => {
      // Mail in three states, written while no command holds the embedded database.
      const db = await openDatabase({ dataDir, databaseSchema: 'public' });
      let dead: string, sent: string, waiting: string;
      try {
        const at = new Date('2030-01-01T00:00:00Z');
        dead = await enqueueMail(
          db,
          { to: 'dead@example.com', template: 'verify_email', data: { link: `${ISSUER}/email/verify?token=cli-secret-token` } },
          at,
        );
        await db.query(`UPDATE mail_outbox SET status = 'failed', attempts = 8, last_error = '550 Mailbox unavailable' WHERE id = $1`, [
          dead,
        ]);
        sent = await enqueueMail(db, { to: 'sent@example.com', template: 'password_changed', data: {} }, new Date(at.getTime() + 1000));
        await db.query(`UPDATE mail_outbox SET status = 'sent', attempts = 1, sent_at = $2, data = '{}' WHERE id = $1`, [sent, at]);
        waiting = await enqueueMail(
          db,
          { to: 'waiting@example.com', template: 'account_deleted', data: {} },
          new Date(at.getTime() + 2000),
        );
      } finally {
        await db.close();
      }

      const all = await sigil(['mail', 'list', '--json']);
      expect(all.code, all.stderr).toBe(0);
      const listed = JSON.parse(all.stdout) as Array<Record<string, unknown>>;
      expect(listed.map((m) => [m.id, m.status])).toEqual([
        [waiting, 'pending'],
        [sent, 'sent'],
        [dead, 'failed'],
      ]);
      expect(listed[2]).toMatchObject({
        to: 'dead@example.com',
        template: 'verify_email',
        attempts: 8,
        last_error: '550 Mailbox unavailable',
      });
      expect(all.stdout).not.toContain('cli-secret-token');

      const failedTable = await sigil(['mail', 'list', '--failed']);
      expect(failedTable.code, failedTable.stderr).toBe(0);
      expect(failedTable.stdout).toMatch(/^ID\s+TEMPLATE\s+TO\s+STATUS/);
      expect(failedTable.stdout).toMatch(
        new RegExp(`${dead}\\s+verify_email\\s+dead@example.com\\s+failed\\s+8\\s.*550 Mailbox unavailable`),
      );
      expect(failedTable.stdout).not.toContain(sent);
      expect(failedTable.stdout).not.toContain('cli-secret-token');

      const retried = await sigil(['mail', 'retry', dead]);
      expect(retried.code, retried.stderr).toBe(0);
      expect(retried.stdout).toContain(`Mail ${dead} queued again`);
      const again = await sigil(['mail', 'retry', dead]);
      expectOneLineError(again, 1, /is pending, not failed/);
      const unknown = await sigil(['mail', 'retry', '00000000-0000-4000-8000-000000000000']);
      expectOneLineError(unknown, 1, /No mail with id 00000000-0000-4000-8000-000000000000/);
      const badLimit = await sigil(['mail', 'list', '--limit', '0']);
      expectOneLineError(badLimit, 2, /limit/);

      const pending = await sigil(['mail', 'list', '--pending', '--json', '--limit', '5']);
      expect(pending.code, pending.stderr).toBe(0);
      expect((JSON.parse(pending.stdout) as Array<Record<string, unknown>>).map((m) => [m.id, m.attempts])).toEqual([
        [waiting, 0],
        [dead, 0],
      ]);
    },
    SLOW * 2,
  );
});

describe('sigil clients', () => {
  interface ClientJson {
    client_id: string;
    name: string;
    confidential: boolean;
    first_party: boolean;
    redirect_uris: string[];
    post_logout_redirect_uris: string[];
    resources: string[];
    scopes: string[];
    created_at: string;
    client_secret?: string;
  }
  let secret: string;
  let reportsId: string;

  it(
    'clients create: a public first-party client with a chosen id and no secret; a confidential one with its secret printed once',
    async () => {
      const app = await sigil([
        'clients',
        'create',
        '--name',
        'Lessons app',
        '--first-party',
        '--redirect-uri',
        'http://localhost:4200/auth/callback',
        '--redirect-uri',
        'http://127.0.0.1:4200/auth/callback',
        '--post-logout-redirect-uri',
        'http://localhost:4200/',
        '--id',
        'lessons-app',
      ]);
      expect(app.code, app.stderr).toBe(0);
      expect(app.stdout).toBe('Created client Lessons app (public, first-party)\nClient ID: lessons-app\n');

      const reports = await sigil([
        'clients',
        'create',
        '--name',
        'Reports',
        '--confidential',
        '--redirect-uri',
        'https://reports.example.com/callback',
        '--resource',
        'https://reports-api.example.com',
        '--resource',
        'https://billing.example.com',
        '--scope',
        'reports:read',
        '--scope',
        'reports:write',
      ]);
      expect(reports.code, reports.stderr).toBe(0);
      expect(reports.stdout).toMatch(/^Created client Reports \(confidential, third-party\)\nClient ID: (\S+)\nClient secret: (\S+)\n/);
      expect(reports.stdout).toContain('shown once: Sigil stores only a hash of it and cannot show it again');
      reportsId = /Client ID: (\S+)/.exec(reports.stdout)![1]!;
      secret = /Client secret: (\S+)/.exec(reports.stdout)![1]!;
      expect(secret).toMatch(/^[A-Za-z0-9_-]{43}$/);

      const json = await sigil([
        'clients',
        'create',
        '--name',
        'Batch job',
        '--confidential',
        '--redirect-uri',
        'https://batch.example.com/cb',
        '--json',
      ]);
      expect(json.code, json.stderr).toBe(0);
      const batch = JSON.parse(json.stdout) as ClientJson;
      expect(batch).toMatchObject({
        name: 'Batch job',
        confidential: true,
        first_party: false,
        redirect_uris: ['https://batch.example.com/cb'],
        post_logout_redirect_uris: [],
        resources: [],
        scopes: [],
      });
      expect(batch.client_id).toMatch(/^[A-Za-z0-9_-]{22}$/);
      expect(batch.client_secret).toMatch(/^[A-Za-z0-9_-]{43}$/);
    },
    SLOW,
  );

  it(
    'clients create: a bad registration is one line naming each flag (exit 2); a taken id is refused (exit 1)',
    async () => {
      const bad = await sigil([
        'clients',
        'create',
        '--name',
        ' ',
        '--redirect-uri',
        'http://app.example.com/cb',
        '--redirect-uri',
        'https://app.example.com/*',
        '--post-logout-redirect-uri',
        'https://app.example.com/#out',
        '--resource',
        'not a uri',
        '--scope',
        'say "please"',
        '--id',
        'has space',
      ]);
      expectOneLineError(bad, 2, /^sigil: Invalid client: --name: /);
      expect(bad.stderr).toContain('--redirect-uri: http://app.example.com/cb: http is allowed only for loopback hosts');
      expect(bad.stderr).toContain('--redirect-uri: https://app.example.com/*: wildcards are not allowed');
      expect(bad.stderr).toContain('--post-logout-redirect-uri: https://app.example.com/#out: a fragment is not allowed');
      expect(bad.stderr).toContain('--resource: not a uri:');
      expect(bad.stderr).toContain('--scope: say "please": a scope is printable ASCII');
      expect(bad.stderr).toContain('--id: ');
      expect(bad.stdout).toBe('');

      const taken = await sigil([
        'clients',
        'create',
        '--name',
        'Again',
        '--redirect-uri',
        'https://again.example.com/cb',
        '--id',
        'lessons-app',
      ]);
      expectOneLineError(taken, 1, /A client with id lessons-app exists already/);
    },
    SLOW,
  );

  it(
    'clients list: every client, never a secret; the secret is stored only as its SHA-256',
    async () => {
      const list = await sigil(['clients', 'list', '--json']);
      expect(list.code, list.stderr).toBe(0);
      const clients = JSON.parse(list.stdout) as ClientJson[];
      // Only these: `serve --seed-demo` above registered no client (the demo's is npm start's).
      expect(clients.map((c) => [c.name, c.confidential, c.first_party])).toEqual([
        ['Lessons app', false, true],
        ['Reports', true, false],
        ['Batch job', true, false],
      ]);
      expect(clients[0]).toMatchObject({
        client_id: 'lessons-app',
        redirect_uris: ['http://localhost:4200/auth/callback', 'http://127.0.0.1:4200/auth/callback'],
        post_logout_redirect_uris: ['http://localhost:4200/'],
      });
      expect(clients[1]).toMatchObject({
        client_id: reportsId,
        resources: ['https://reports-api.example.com', 'https://billing.example.com'],
      });
      expect(clients.every((c) => !('client_secret' in c))).toBe(true);

      const table = await sigil(['clients', 'list']);
      expect(table.code, table.stderr).toBe(0);
      expect(table.stdout).toMatch(/^CLIENT ID\s+NAME\s+TYPE\s+CONSENT\s+CREATED\s+REDIRECT URIS\n/);
      expect(table.stdout).toMatch(
        /lessons-app\s+Lessons app\s+public\s+first-party\s+\S+ \S+\s+http:\/\/localhost:4200\/auth\/callback http:\/\/127\.0\.0\.1:4200\/auth\/callback\n/,
      );
      expect(table.stdout).toMatch(new RegExp(`${reportsId}\\s+Reports\\s+confidential\\s+asked\\s`));

      const db = await openDatabase({ dataDir, databaseSchema: 'public' });
      try {
        const [row] = await db.query<Record<string, unknown>>('SELECT * FROM oauth_clients WHERE client_id = $1', [reportsId]);
        expect(row!.secret_hash).toBe(hashOpaqueToken(secret));
        expect(JSON.stringify(row)).not.toContain(secret);
      } finally {
        await db.close();
      }
      for (const output of [list, table]) expect(output.stdout + output.stderr).not.toContain(hashOpaqueToken(secret));
      expect(list.stdout + table.stdout).not.toContain(secret);
    },
    SLOW,
  );

  it(
    'clients delete: removes the client; an unknown id is refused in one line with exit 1',
    async () => {
      const deleted = await sigil(['clients', 'delete', 'lessons-app']);
      expect(deleted.code, deleted.stderr).toBe(0);
      expect(deleted.stdout).toContain('Deleted client lessons-app: its sessions ended');
      const again = await sigil(['clients', 'delete', 'lessons-app']);
      expectOneLineError(again, 1, /No client with id lessons-app \(see sigil clients list\)/);
      // A random id may start with "-": it is the argument, not an option.
      const dashed = await sigil(['clients', 'delete', '-Xy_z']);
      expectOneLineError(dashed, 1, /No client with id -Xy_z/);

      const list = await sigil(['clients', 'list', '--json']);
      expect((JSON.parse(list.stdout) as ClientJson[]).map((c) => c.name)).toEqual(['Reports', 'Batch job']);
    },
    SLOW,
  );
});

// With PostgreSQL the CLI manages a running server's data: no lock, changes visible at once.
// Registered only when TEST_DATABASE_URL is set (DEVELOPERS.md); PGlite above always runs.
if (TEST_DATABASE_URL) {
  describe('sigil with PostgreSQL (DATABASE_URL)', () => {
    const schema = uniqueSchema('sigil_cli');
    const env = { DATABASE_URL: TEST_DATABASE_URL!, SIGIL_DATABASE_SCHEMA: schema };

    afterAll(async () => {
      await dropSchema(schema);
    });

    it(
      "users create and disable act on a running server's data",
      async () => {
        const server = start(['serve'], cliEnv(env));
        let stdout = '';
        let stderr = '';
        server.stderr.on('data', (chunk) => (stderr += chunk));
        const exited = new Promise<number | null>((resolve) => server.on('close', resolve));
        try {
          const url = await new Promise<string>((resolve, reject) => {
            server.stdout.on('data', (chunk) => {
              stdout += chunk;
              const match = /listening on (http:\/\/\S+)/.exec(stdout);
              if (match) resolve(match[1]!);
            });
            server.on('close', () => reject(new Error(`serve exited: ${stdout} ${stderr}`)));
          });
          expect(stdout).toContain('storage PostgreSQL');

          const created = await sigil(['users', 'create', '--email', 'carol@example.com', '--password-stdin'], {
            env,
            input: 'carol has a long password',
          });
          expect(created.code, created.stderr).toBe(0);
          const login = await postJson(`${url}/auth/login`, { email: 'carol@example.com', password: 'carol has a long password' });
          expect(login.status).toBe(200);

          const disabled = await sigil(['users', 'disable', 'carol@example.com'], { env });
          expect(disabled.code, disabled.stderr).toBe(0);
          expect((await postJson(`${url}/auth/refresh`, { refresh_token: login.body.refresh_token })).status).toBe(401);
          expect((await postJson(`${url}/auth/login`, { email: 'carol@example.com', password: 'carol has a long password' })).status).toBe(
            401,
          );

          server.kill('SIGTERM');
          expect(await exited).toBe(0);
        } finally {
          if (server.exitCode === null) server.kill('SIGKILL');
        }
      },
      SLOW * 2,
    );
  });
}
