/**
 * Benchmark 6: Sigil against Better Auth, both on PostgreSQL, same run, same machine.
 *
 * - Sign-in: email and password in, a session out. Sigil's auth server (servers/auth.ts,
 *   `POST /auth/login`, argon2id) against Better Auth (servers/better-auth.ts,
 *   `POST /api/auth/sign-in/email`) once with Sigil's argon2id parameters passed as its
 *   `password.hash`/`verify`, so both pay the same for a password, and once with its default scrypt.
 * - Authenticated request: `GET /api/lessons` behind each side's check. Sigil's `requireAuth`
 *   (servers/api.ts) verifies a real access token from that auth server locally, with the key set
 *   fetched from its JWKS; Better Auth's `getSession` looks the session cookie up in its database.
 *   That is the architectural difference the figures show.
 *
 * Each server gets a PostgreSQL schema of its own, created and dropped here. Without a reachable
 * PostgreSQL the section is skipped and says so.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import pg from 'pg';
import { startChild, type ChildServer } from './lib/child.ts';
import { runLoad, type LoadOptions, type LoadResult } from './lib/load.ts';
import { BENCH_PASSWORD, benchEmail, signInRequests } from './lib/targets.ts';

export interface BetterAuthBenchOptions {
  signInConnections: number;
  signInDurationSec: number;
  checkConnections: number;
  checkDurationSec: number;
  warmupSec: number;
  databaseUrl: string | undefined;
}

export interface ComparisonLoad {
  label: string;
  load: LoadResult;
}

export interface BetterAuthResult {
  options: Omit<BetterAuthBenchOptions, 'databaseUrl'>;
  /** Why nothing was measured. */
  skipped?: string;
  betterAuthVersion: string;
  signIn: ComparisonLoad[];
  checks: ComparisonLoad[];
}

/** Better Auth's default origin check wants the Origin a browser sends with every POST. */
const BETTER_AUTH_HEADERS = { origin: 'http://127.0.0.1' };
const JSON_HEADERS = { 'content-type': 'application/json' };

function betterAuthVersion(): string {
  const entry = createRequire(import.meta.url).resolve('better-auth');
  const manifest = join(dirname(entry), '..', 'package.json');
  return (JSON.parse(readFileSync(manifest, 'utf8')) as { version: string }).version;
}

async function reachable(databaseUrl: string): Promise<boolean> {
  const client = new pg.Client({ connectionString: databaseUrl, connectionTimeoutMillis: 3_000 });
  try {
    await client.connect();
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => {});
  }
}

async function sql(databaseUrl: string, statement: string): Promise<void> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    await client.query(statement);
  } finally {
    await client.end();
  }
}

/** Runs `body` with a fresh schema, dropped afterwards whatever happens. */
async function withSchema<T>(databaseUrl: string, prefix: string, body: (schema: string) => Promise<T>): Promise<T> {
  const schema = `${prefix}_${process.pid}_${Date.now()}`;
  await sql(databaseUrl, `CREATE SCHEMA ${schema}`);
  try {
    return await body(schema);
  } finally {
    await sql(databaseUrl, `DROP SCHEMA IF EXISTS ${schema} CASCADE`);
  }
}

/** A load whose every response must be 2xx: it also proves, in quick mode, that the side works. */
async function measured(label: string, load: LoadOptions, log: (line: string) => void): Promise<ComparisonLoad> {
  const result = await runLoad(load);
  if (result.failures > 0 || result.ok === 0) throw new Error(`${label}: ${result.ok} answered 2xx, ${result.failures} failed`);
  log(`better-auth ${label}: ${result.rps.toFixed(1)}/s p50 ${result.p50.toFixed(2)} ms p99 ${result.p99.toFixed(2)} ms`);
  return { label, load: result };
}

/** Warms a server's sign-in up, and returns the measured load: seeded users in turn. */
async function warmSignIn(
  server: ChildServer,
  path: string,
  users: number,
  headers: Record<string, string>,
  options: BetterAuthBenchOptions,
) {
  const requests = signInRequests(path, users, headers);
  await runLoad({ url: server.url, connections: 2, durationSec: options.warmupSec, requests });
  return { url: server.url, connections: options.signInConnections, durationSec: options.signInDurationSec, requests };
}

/** Warms a protected route up, and returns the measured load: one credential on every request. */
async function warmChecks(url: string, headers: Record<string, string>, options: BetterAuthBenchOptions) {
  const load = { url: `${url}/api/lessons`, connections: options.checkConnections, headers };
  await runLoad({ ...load, durationSec: options.warmupSec });
  return { ...load, durationSec: options.checkDurationSec };
}

async function measureSigil(
  databaseUrl: string,
  users: number,
  options: BetterAuthBenchOptions,
  log: (line: string) => void,
): Promise<{ signIn: ComparisonLoad; checks: ComparisonLoad[] }> {
  return withSchema(databaseUrl, 'sigil_bench_vs', async (schema) => {
    const auth = await startChild('auth.ts', { users, databaseUrl, databaseSchema: schema }, { timeoutMs: 120_000 });
    try {
      const signIn = await measured('Sigil login', await warmSignIn(auth, '/auth/login', users, {}, options), log);
      const response = await fetch(`${auth.url}/auth/login`, {
        method: 'POST',
        headers: JSON_HEADERS,
        body: JSON.stringify({ email: benchEmail(0), password: BENCH_PASSWORD }),
      });
      const { access_token: token } = (await response.json()) as { access_token: string };
      const checks: ComparisonLoad[] = [];
      const jwksUri = `${auth.url}/.well-known/jwks.json`;
      for (const [target, label] of [
        ['sigil', 'Sigil requireAuth (token cache on, the default)'],
        ['sigil-nocache', 'Sigil requireAuth (token cache off: a signature check a request)'],
      ] as const) {
        const api = await startChild('api.ts', { target, alg: 'RS256', jwksUri });
        try {
          checks.push(await measured(label, await warmChecks(api.url, { authorization: `Bearer ${token}` }, options), log));
        } finally {
          await api.stop();
        }
      }
      return { signIn, checks };
    } finally {
      await auth.stop();
    }
  });
}

async function measureBetterAuth(
  databaseUrl: string,
  users: number,
  hashing: 'argon2id' | 'scrypt',
  options: BetterAuthBenchOptions,
  log: (line: string) => void,
): Promise<{ signIn: ComparisonLoad; check?: ComparisonLoad }> {
  return withSchema(databaseUrl, 'better_auth_bench', async (schema) => {
    const server = await startChild('better-auth.ts', { databaseUrl, schema, hashing, users }, { timeoutMs: 120_000 });
    try {
      const label = `Better Auth sign-in (${hashing === 'argon2id' ? "argon2id with Sigil's parameters" : 'its default scrypt'})`;
      const load = await warmSignIn(server, '/api/auth/sign-in/email', users, BETTER_AUTH_HEADERS, options);
      const signIn = await measured(label, load, log);
      // The session check does not depend on the password hashing: measured once.
      if (hashing !== 'argon2id') return { signIn };
      const response = await fetch(`${server.url}/api/auth/sign-in/email`, {
        method: 'POST',
        headers: { ...JSON_HEADERS, ...BETTER_AUTH_HEADERS },
        body: JSON.stringify({ email: benchEmail(0), password: BENCH_PASSWORD }),
      });
      const cookie = response.headers
        .getSetCookie()
        .map((header) => header.split(';')[0])
        .join('; ');
      const check = await measured(
        'Better Auth getSession (session looked up in PostgreSQL)',
        await warmChecks(server.url, { cookie }, options),
        log,
      );
      return { signIn, check };
    } finally {
      await server.stop();
    }
  });
}

export async function runBetterAuth(options: BetterAuthBenchOptions, log: (line: string) => void): Promise<BetterAuthResult> {
  const { databaseUrl, ...shown } = options;
  const result: BetterAuthResult = { options: shown, betterAuthVersion: betterAuthVersion(), signIn: [], checks: [] };
  if (!databaseUrl || !(await reachable(databaseUrl))) {
    result.skipped = databaseUrl ? 'PostgreSQL is not reachable' : 'no PostgreSQL given (set TEST_DATABASE_URL or BENCH_DATABASE_URL)';
    log(`better-auth: skipped, ${result.skipped}`);
    return result;
  }
  const users = options.signInConnections + 4;
  const sigil = await measureSigil(databaseUrl, users, options, log);
  const argon2id = await measureBetterAuth(databaseUrl, users, 'argon2id', options, log);
  const scrypt = await measureBetterAuth(databaseUrl, users, 'scrypt', options, log);
  result.signIn.push(sigil.signIn, argon2id.signIn, scrypt.signIn);
  result.checks.push(...sigil.checks, argon2id.check!);
  return result;
}
