/**
 * `npm run soak`: Sigil's scale-out and key-rotation soak on 127.0.0.1 (docs/RELIABILITY.md).
 * Two auth server processes + two demo API processes on one PostgreSQL schema and one Redis
 * prefix, behind nginx; phases: scale-out with `kill -9` of an auth instance, rate limits across
 * instances, key rotation under load. Prints each phase's figures and PASS/FAIL (exit 1 on FAIL),
 * then removes every process, the schema, the Redis keys and the temp directory it created.
 *
 *   npm run soak -- [--quick] [--duration SECONDS] [--users N] [--think MS]
 *
 * Environment: SOAK_DATABASE_URL (default TEST_DATABASE_URL, else
 * postgres://postgres@127.0.0.1:5432/test), SOAK_REDIS_URL (default TEST_REDIS_URL, else
 * redis://127.0.0.1:6379), NGINX (default /usr/sbin/nginx), SOAK_KEEP_LOGS=1 keeps the instance logs.
 */
import { existsSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import { startCluster, type Cluster } from './lib/cluster.ts';
import { keyRotation } from './phases/key-rotation.ts';
import { rateLimits } from './phases/rate-limits.ts';
import { scaleOut } from './phases/scale-out.ts';
import type { PhaseResult } from './phases/types.ts';

const { values } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    duration: { type: 'string' },
    users: { type: 'string' },
    think: { type: 'string' },
    help: { type: 'boolean', short: 'h', default: false },
  },
});
if (values.help) {
  console.log(
    "usage: npm run soak -- [--quick] [--duration SECONDS per load phase (default 40, quick 8)] [--users N (default 30, quick 12)] [--think MS between a user's API calls (default 100)]",
  );
  process.exit(0);
}
const int = (value: string | undefined, fallback: number, name: string, min: number, max: number) => {
  const n = value === undefined ? fallback : Number(value);
  if (!Number.isInteger(n) || n < min || n > max) {
    console.error(`soak: --${name} must be an integer from ${min} to ${max}`);
    process.exit(2);
  }
  return n;
};
const quick = values.quick === true;
const durationS = int(values.duration, quick ? 8 : 40, 'duration', 4, 600);
const users = int(values.users, quick ? 12 : 30, 'users', 2, 200);
const thinkMs = int(values.think, 100, 'think', 0, 10_000);

// Auth instance settings: short access tokens so refreshes happen during the phases.
const ACCESS_TTL_S = 20;
const JWKS_MAX_AGE_S = 5;
const JWKS_COOLDOWN_S = 10; // @sigil/express default `jwks.cooldown`, which apps/api uses
// An API refetches its key set at most every max(max-age, cooldown): the lead must cover that
// (a lead of only the max-age, 5 s, let tokens of the new key be refused for ~1 s in a trial).
const PUBLISH_LEAD_S = Math.max(JWKS_MAX_AGE_S, JWKS_COOLDOWN_S) + 5;
const MAX_FAILURES = 5;
const IP_PER_MINUTE = 100;

const databaseUrl = process.env.SOAK_DATABASE_URL || process.env.TEST_DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/test';
const redisUrl = process.env.SOAK_REDIS_URL || process.env.TEST_REDIS_URL || 'redis://127.0.0.1:6379';
const nginx = process.env.NGINX || '/usr/sbin/nginx';
for (const [name, url] of [
  ['database', databaseUrl],
  ['redis', redisUrl],
] as const) {
  if (!['127.0.0.1', 'localhost', '[::1]'].includes(new URL(url).hostname)) {
    console.error(`soak: the ${name} must be on this machine (127.0.0.1), got ${new URL(url).hostname}`);
    process.exit(2);
  }
}
if (!existsSync(nginx)) {
  console.error(`soak: nginx not found at ${nginx} (apt-get install -y nginx, or set NGINX)`);
  process.exit(2);
}

const log = (line: string) => console.log(line);
const started = Date.now();
log(
  `Sigil soak ${new Date().toISOString()} | Node ${process.version} | ${cpus().length} CPUs, load average ${loadavg()
    .map((l) => l.toFixed(1))
    .join(' ')}`,
);
log(
  `settings: ${users} users, ${durationS} s per load phase, think ${thinkMs} ms; access TTL ${ACCESS_TTL_S} s, JWKS max-age ${JWKS_MAX_AGE_S} s, publish lead ${PUBLISH_LEAD_S} s${quick ? ' (quick)' : ''}`,
);

let cluster: Cluster | undefined;
let cleaning: Promise<void> | undefined;
const cleanup = () => {
  cleaning ??= (async () => {
    if (!cluster) return;
    const result = await cluster.close();
    log(
      `cleanup: processes stopped, schema ${cluster.schema} ${result.schemaDropped ? 'dropped' : 'NOT dropped'}, ${result.redisKeysDeleted} Redis keys under ${cluster.redisPrefix} deleted`,
    );
  })();
  return cleaning;
};
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    log(`soak: ${signal}, cleaning up`);
    void cleanup().finally(() => process.exit(130));
  });
}
// Hard stop: the run ends by itself even if something hangs.
const budgetMs = (durationS * 2 + 240) * 1000;
const watchdog = setTimeout(() => {
  log(`soak: FAIL: still running after ${budgetMs / 1000} s, stopping`);
  void cleanup().finally(() => process.exit(1));
}, budgetMs);

const results: PhaseResult[] = [];
let exitCode = 0;
try {
  const t = Date.now();
  cluster = await startCluster({
    databaseUrl,
    redisUrl,
    nginx,
    log,
    authEnv: {
      SIGIL_ACCESS_TTL: `${ACCESS_TTL_S}s`,
      SIGIL_JWKS_MAX_AGE: `${JWKS_MAX_AGE_S}s`,
      SIGIL_KEY_PUBLISH_LEAD: `${PUBLISH_LEAD_S}s`,
      SIGIL_LOGIN_MAX_FAILURES: String(MAX_FAILURES),
      SIGIL_LOGIN_LOCKOUT: '30s',
      SIGIL_IP_REQUESTS_PER_MINUTE: String(IP_PER_MINUTE),
      SIGIL_SIGNUPS_PER_HOUR: '30',
      // nginx appends the client address to X-Forwarded-For; each simulated user sends its own.
      SIGIL_TRUST_PROXY: 'loopback',
    },
  });
  log(
    `cluster up in ${((Date.now() - t) / 1000).toFixed(1)} s: nginx ${cluster.url} -> auth ${cluster.auth.map((a) => a.addr).join(', ')}; api ${cluster.apiAddrs.join(', ')}; schema ${cluster.schema}, Redis prefix ${cluster.redisPrefix}`,
  );

  const print = (r: PhaseResult) => {
    if (cluster!.unexpectedExits.length) r.failures.push(`process crashed: ${cluster!.unexpectedExits.splice(0).join('; ')}`);
    results.push(r);
    for (const line of r.lines) log(`  ${line}`);
    log(`  => ${r.name}: ${r.failures.length === 0 ? 'PASS' : `FAIL (${r.failures.join('; ')})`}`);
  };

  log(`\n[1/3] scale-out: ${users} users through nginx, kill -9 of auth-2 at 40%, restart from 60%`);
  const one = await scaleOut(cluster, { users, durationMs: durationS * 1000, thinkMs, accessTtlS: ACCESS_TTL_S, log });
  print(one);

  log('\n[2/3] rate limits across instances');
  print(await rateLimits(cluster, { maxFailures: MAX_FAILURES, ipPerMinute: IP_PER_MINUTE }));

  log(`\n[3/3] key rotation under load: ${one.users.length > users ? users : one.users.length} users`);
  print(
    await keyRotation(cluster, {
      users: one.users.slice(0, users),
      durationMs: durationS * 1000,
      thinkMs,
      accessTtlS: ACCESS_TTL_S,
      jwksMaxAgeS: JWKS_MAX_AGE_S,
      publishLeadS: PUBLISH_LEAD_S,
      jwksCooldownS: JWKS_COOLDOWN_S,
    }),
  );
} catch (error) {
  log(`soak: error: ${(error as Error).stack ?? error}`);
  results.push({ name: 'setup', lines: [], failures: [(error as Error).message] });
} finally {
  await cleanup();
  clearTimeout(watchdog);
}

const failed = results.filter((r) => r.failures.length > 0);
if (failed.length || results.length < 3) exitCode = 1;
log(
  `\nsoak: ${exitCode === 0 ? 'PASS' : 'FAIL'} in ${((Date.now() - started) / 1000).toFixed(0)} s (${results.map((r) => `${r.name} ${r.failures.length ? 'FAIL' : 'PASS'}`).join(', ')}); load average now ${loadavg()
    .map((l) => l.toFixed(1))
    .join(' ')}`,
);
process.exit(exitCode);
