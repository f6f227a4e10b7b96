/**
 * `npm run bench`: Sigil's benchmarks against its peers (docs/BENCHMARKS.md).
 *
 *   --quick          every section for a moment: proves the scripts work (CI); prints only
 *   --only=a,b       sections: verify, route, auth, memory, mail, factors, oauth, angular, better-auth (default: all)
 *   --write          write results and docs in quick mode too (full mode always writes)
 *   --report         only rewrite docs/BENCHMARKS.md from bench/results/latest.json
 *
 * BENCH_MAIL_COUNT overrides the number of mails of the mail section (smoke runs).
 *
 * Full mode merges its sections into bench/results/latest.json and rewrites docs/BENCHMARKS.md
 * and docs/images/bench-*.svg. Load goes to 127.0.0.1 only.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, freemem, loadavg, platform, release, totalmem, availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { runAngularSize } from './angular-size.ts';
import { runAuthServer } from './auth-server.ts';
import { runBetterAuth } from './better-auth.ts';
import { startJwksServer } from './lib/jwks-server.ts';
import { createKeyRing, jwksOf } from './lib/keys.ts';
import { resultsJson } from './lib/results-json.ts';
import { runFactors } from './factors.ts';
import { runMail } from './mail.ts';
import { runMemory } from './memory.ts';
import { runOAuth } from './oauth.ts';
import { writeReport, type Meta, type Results } from './report.ts';
import { runRoute } from './route.ts';
import { runVerify } from './verify.ts';

const SECTIONS = ['verify', 'route', 'auth', 'memory', 'mail', 'factors', 'oauth', 'angular', 'better-auth'] as const;
type Section = (typeof SECTIONS)[number];

const { values } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    only: { type: 'string' },
    write: { type: 'boolean', default: false },
    report: { type: 'boolean', default: false },
  },
});
const quick = values.quick;
const write = !quick || values.write;
const only = (values.only?.split(',').map((s) => s.trim()) ?? [...SECTIONS]) as Section[];
for (const s of only) if (!SECTIONS.includes(s)) throw new TypeError(`--only: unknown section ${s} (known: ${SECTIONS.join(', ')})`);

const root = fileURLToPath(new URL('..', import.meta.url));
const resultsFile = `${root}bench/results/latest.json`;
const previous: Results = existsSync(resultsFile) ? (JSON.parse(readFileSync(resultsFile, 'utf8')) as Results) : {};

if (values.report) {
  writeReport(previous);
  console.log('docs/BENCHMARKS.md rewritten from bench/results/latest.json');
  process.exit(0);
}

// The PostgreSQL variant of the auth server and the Better Auth comparison run on this database
// (as for the tests); without one they are skipped.
const databaseUrl = process.env.BENCH_DATABASE_URL ?? process.env.TEST_DATABASE_URL;

function mailCount(fallback: number): number {
  const value = Number(process.env.BENCH_MAIL_COUNT ?? fallback);
  if (!Number.isInteger(value) || value < 4) throw new TypeError('BENCH_MAIL_COUNT: expected a whole number of at least 4');
  return value;
}

const AUTH_VARIANTS = [
  { label: 'one hashing thread (SIGIL_HASH_THREADS=1)', storage: 'pglite', hashThreads: 1 },
  { label: 'PostgreSQL storage', storage: 'postgres' },
  // Distinct clients each open their own connection, so connection setup loads the server too.
  { label: 'a new connection per login', storage: 'pglite', newConnectionPerLogin: true },
] as const;

const settings = quick
  ? {
      verify: { durationMs: 300, warmupMs: 100, samples: 1 },
      route: { connections: 10, durationSec: 0.5, warmupSec: 0.2, rounds: 1, algs: ['RS256', 'HS256'] as const },
      auth: {
        loginConnections: 4,
        loginDurationSec: 2,
        refreshConnections: 4,
        refreshDurationSec: 1,
        idleSec: 1,
        probeIntervalMs: 20,
        variants: [],
        databaseUrl,
      },
      memory: { apiTokens: 2_000, authTokens: 500, connections: 8, passes: 2 },
      mail: { mails: mailCount(200), concurrency: 8, databaseUrl, forgotConnections: 4, forgotDurationSec: 0.5 },
      factors: { durationMs: 300, warmupMs: 100, samples: 1, mfaLogins: 8, passkeyLogins: 10, concurrency: 4 },
      oauth: { warmupCodes: 4, rounds: 2, codesPerRound: 8, concurrency: 4, users: 4 },
      betterAuth: {
        signInConnections: 2,
        signInDurationSec: 1,
        checkConnections: 4,
        checkDurationSec: 0.5,
        warmupSec: 0.2,
        databaseUrl,
      },
    }
  : {
      verify: { durationMs: 2_500, warmupMs: 300, samples: 5 },
      // Ten rounds: the 2nd to the 9th of ten per-round ratios hold their median with 98% confidence.
      route: { connections: 16, durationSec: 3, warmupSec: 1, rounds: 10 },
      auth: {
        loginConnections: 16,
        loginDurationSec: 30,
        refreshConnections: 8,
        refreshDurationSec: 10,
        idleSec: 10,
        probeIntervalMs: 5,
        variants: AUTH_VARIANTS,
        databaseUrl,
      },
      memory: { apiTokens: 100_000, authTokens: 50_000, connections: 16, passes: 3 },
      mail: { mails: mailCount(10_000), concurrency: 16, databaseUrl, forgotConnections: 8, forgotDurationSec: 5 },
      factors: { durationMs: 2_500, warmupMs: 300, samples: 5, mfaLogins: 200, passkeyLogins: 500, concurrency: 16 },
      // Ten rounds, as the route section: the 2nd to the 9th of ten per-round figures hold their
      // median with 98% confidence. Both sides' codes live 60 s: 100 codes a round are prepared
      // well within that (400 were not, on oidc-provider's interaction path).
      oauth: { warmupCodes: 100, rounds: 10, codesPerRound: 100, concurrency: 8, users: 8 },
      betterAuth: {
        signInConnections: 16,
        signInDurationSec: 20,
        checkConnections: 16,
        checkDurationSec: 10,
        warmupSec: 2,
        databaseUrl,
      },
    };

function git(args: string[]): string {
  try {
    return execFileSync('git', args, { cwd: root, encoding: 'utf8' }).trim();
  } catch {
    return 'unknown';
  }
}

function meta(started: number, loadBefore: number[]): Meta {
  return {
    date: new Date(started).toISOString(),
    command: `npm run bench --${quick ? ' --quick' : ''}${values.only ? ` --only=${values.only}` : ''}`,
    mode: quick ? 'quick' : 'full',
    node: process.version,
    cpu: cpus()[0]?.model ?? 'unknown',
    nproc: availableParallelism(),
    memory: `${(totalmem() / 2 ** 30).toFixed(1)} GiB total, ${(freemem() / 2 ** 30).toFixed(1)} GiB free at the end`,
    os: `${platform()} ${release()}`,
    commit: git(['rev-parse', '--short', 'HEAD']),
    loadBefore,
    loadAfter: loadavg(),
    seconds: (Date.now() - started) / 1000,
  };
}

const log = (line: string) => console.log(line);
console.log(
  `sigil bench (${quick ? 'quick' : 'full'}): ${only.join(', ')} — Node ${process.version}, ${availableParallelism()} cores, load ${loadavg()
    .map((l) => l.toFixed(2))
    .join(' ')}`,
);

const ring = await createKeyRing();
const jwks = await startJwksServer(jwksOf(ring));
const results: Results = { ...previous };
try {
  for (const section of only) {
    const started = Date.now();
    const loadBefore = loadavg();
    switch (section) {
      case 'verify':
        results.verify = { data: await runVerify(ring, jwks.jwksUri, settings.verify, log), meta: meta(started, loadBefore) };
        break;
      case 'route':
        results.route = { data: await runRoute(ring, jwks.jwksUri, settings.route, log), meta: meta(started, loadBefore) };
        break;
      case 'auth':
        results.auth = { data: await runAuthServer(settings.auth, log), meta: meta(started, loadBefore) };
        break;
      case 'memory':
        results.memory = { data: await runMemory(ring, jwks.jwksUri, settings.memory, log), meta: meta(started, loadBefore) };
        break;
      case 'mail':
        results.mail = { data: await runMail(settings.mail, log), meta: meta(started, loadBefore) };
        break;
      case 'factors':
        results.factors = { data: await runFactors(settings.factors, log), meta: meta(started, loadBefore) };
        break;
      case 'oauth':
        results.oauth = { data: await runOAuth(settings.oauth, log), meta: meta(started, loadBefore) };
        break;
      case 'angular':
        results.angular = { data: await runAngularSize(log), meta: meta(started, loadBefore) };
        break;
      case 'better-auth':
        results.betterAuth = { data: await runBetterAuth(settings.betterAuth, log), meta: meta(started, loadBefore) };
        break;
    }
    console.log(`-- ${section} done in ${((Date.now() - started) / 1000).toFixed(0)} s`);
    if (write) {
      mkdirSync(`${root}bench/results`, { recursive: true });
      writeFileSync(resultsFile, resultsJson(results));
      writeReport(results);
    }
  }
} finally {
  await jwks.close();
}
if (write) console.log('wrote bench/results/latest.json, docs/BENCHMARKS.md and docs/images/bench-*.svg');
