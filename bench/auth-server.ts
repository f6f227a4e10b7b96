/**
 * Benchmark 3: the auth server (servers/auth.ts, the real `createAuthServer` with OWASP-minimum
 * argon2id) under load: logins at saturation, refreshes, and what JWKS and /healthz callers see
 * while logins saturate the CPU, with the server's event-loop delay histogram.
 */
import pg from 'pg';
import { startChild, type ChildServer } from './lib/child.ts';
import { runLoad, type LoadResult } from './lib/load.ts';
import { startProbe, type ProbeStats } from './lib/probe.ts';
import { BENCH_PASSWORD, benchEmail, signInRequests, type LoopDelay } from './lib/targets.ts';

export interface AuthBenchOptions {
  loginConnections: number;
  loginDurationSec: number;
  refreshConnections: number;
  refreshDurationSec: number;
  idleSec: number;
  probeIntervalMs: number;
  /** The login phase again on other servers: one hashing thread, PostgreSQL storage. */
  variants: readonly AuthVariant[];
  /** PostgreSQL for the `postgres` variants (skipped without it). */
  databaseUrl: string | undefined;
}

export interface AuthVariant {
  label: string;
  storage: 'pglite' | 'postgres';
  /** argon2id worker threads of the server (`hashThreads`). @default one per core */
  hashThreads?: number;
  /** Each login on a new TCP connection (the handshakes load the server too). @default kept alive */
  newConnectionPerLogin?: boolean;
}

export interface LoginPhase {
  login: LoadResult;
  probes: Record<string, ProbeStats>;
  loopDelay: LoopDelay;
}

export interface AuthResult {
  options: AuthBenchOptions;
  login: LoadResult;
  refresh: LoadResult;
  idle: { probes: Record<string, ProbeStats>; loopDelay: LoopDelay };
  underLogin: { probes: Record<string, ProbeStats>; loopDelay: LoopDelay };
  /** The same login phase on other server setups. */
  variants: Array<LoginPhase & { label: string }>;
}

const loginRequestsFor = (users: number) => signInRequests('/auth/login', users);

/** Logins at saturation while the prober measures JWKS and healthz; the server's loop delay. */
async function loginPhase(
  server: ChildServer,
  users: number,
  options: AuthBenchOptions,
  newConnectionPerLogin = false,
): Promise<LoginPhase> {
  // `Connection: close` makes the server end each connection after its response, so every login
  // opens a new one (autocannon's reconnectRate of 1 sends nothing at all).
  const requests = signInRequests('/auth/login', users, newConnectionPerLogin ? { connection: 'close' } : {});
  await server.ask('eld-reset');
  const probe = startProbe(server.url, PROBE_PATHS, options.probeIntervalMs);
  const login = await runLoad({
    url: server.url,
    connections: options.loginConnections,
    durationSec: options.loginDurationSec,
    requests,
    headers: JSON_HEADERS,
  });
  const probes = await probe.stop();
  const loopDelay = await server.ask<LoopDelay>('eld');
  if (login.failures > 0) throw new Error(`login: ${login.failures} failed requests`);
  if (login.ok === 0) throw new Error('login: no request completed');
  return { login, probes, loopDelay };
}

export const PROBE_PATHS = ['/.well-known/jwks.json', '/healthz'];
const JSON_HEADERS = { 'content-type': 'application/json' };

export async function runAuthServer(options: AuthBenchOptions, log: (line: string) => void): Promise<AuthResult> {
  const users = Math.max(options.loginConnections, options.refreshConnections) + 4;
  const server = await startChild('auth.ts', { users }, { timeoutMs: 120_000 });
  try {
    const loginRequests = loginRequestsFor(users);
    // Warm-up: JIT, first key use, the connection pool of the database.
    await runLoad({ url: server.url, connections: 2, durationSec: 1, requests: loginRequests });

    await server.ask('eld-reset');
    const idleProbe = startProbe(server.url, PROBE_PATHS, options.probeIntervalMs);
    await new Promise((r) => setTimeout(r, options.idleSec * 1000));
    const idle = { probes: await idleProbe.stop(), loopDelay: await server.ask<LoopDelay>('eld') };

    const phase = await loginPhase(server, users, options);
    const login = phase.login;
    const underLogin = { probes: phase.probes, loopDelay: phase.loopDelay };
    log(`auth  login ${login.rps.toFixed(1)}/s p50 ${login.p50.toFixed(1)} ms p99 ${login.p99.toFixed(1)} ms`);
    for (const path of PROBE_PATHS) {
      log(
        `auth  ${path} idle p99 ${idle.probes[path]!.p99.toFixed(2)} ms, under login p99 ${underLogin.probes[path]!.p99.toFixed(2)} ms (max ${underLogin.probes[path]!.max.toFixed(2)})`,
      );
    }
    log(
      `auth  event-loop delay under login p50 ${underLogin.loopDelay.p50.toFixed(2)} p99 ${underLogin.loopDelay.p99.toFixed(2)} max ${underLogin.loopDelay.max.toFixed(2)} ms`,
    );

    // Refresh: single-use rotating tokens. A shared pool: each request takes one, its response
    // puts the successor back, so the pool never runs dry and no token is presented twice.
    const pool: string[] = [];
    for (let i = 0; i < options.refreshConnections + 4; i++) {
      const res = await fetch(`${server.url}/auth/login`, {
        method: 'POST',
        headers: JSON_HEADERS,
        body: JSON.stringify({ email: benchEmail(i), password: BENCH_PASSWORD }),
      });
      pool.push(((await res.json()) as { refresh_token: string }).refresh_token);
    }
    const refresh = await runLoad({
      url: server.url,
      connections: options.refreshConnections,
      durationSec: options.refreshDurationSec,
      headers: JSON_HEADERS,
      requests: [
        {
          method: 'POST',
          path: '/auth/refresh',
          headers: JSON_HEADERS,
          setupRequest: (request) => ({ ...request, body: JSON.stringify({ refresh_token: pool.shift() }) }),
          onResponse: (status, body) => {
            if (status === 200) pool.push((JSON.parse(body) as { refresh_token: string }).refresh_token);
          },
        },
      ],
    });
    if (refresh.failures > 0) throw new Error(`refresh: ${refresh.failures} failed requests`);
    log(`auth  refresh ${refresh.rps.toFixed(1)}/s p50 ${refresh.p50.toFixed(1)} ms p99 ${refresh.p99.toFixed(1)} ms`);
    const result: AuthResult = { options, login, refresh, idle, underLogin, variants: [] };
    await server.stop();
    for (const variant of options.variants) {
      if (variant.storage === 'postgres' && !options.databaseUrl) {
        log(`auth  ${variant.label}: skipped (set TEST_DATABASE_URL)`);
        continue;
      }
      result.variants.push({ label: variant.label, ...(await runVariant(variant, users, options, log)) });
    }
    return result;
  } finally {
    await server.stop();
  }
}

async function runVariant(
  variant: AuthVariant,
  users: number,
  options: AuthBenchOptions,
  log: (line: string) => void,
): Promise<LoginPhase> {
  const schema = `sigil_bench_${process.pid}_${Date.now()}`;
  const config = {
    users,
    ...(variant.hashThreads ? { hashThreads: variant.hashThreads } : {}),
    ...(variant.storage === 'postgres' ? { databaseUrl: options.databaseUrl, databaseSchema: schema } : {}),
  };
  const server = await startChild('auth.ts', config, { timeoutMs: 120_000 });
  try {
    await runLoad({ url: server.url, connections: 2, durationSec: 1, requests: loginRequestsFor(users) });
    const phase = await loginPhase(server, users, options, variant.newConnectionPerLogin);
    log(
      `auth  ${variant.label}: login ${phase.login.rps.toFixed(1)}/s p99 ${phase.login.p99.toFixed(1)} ms; ${PROBE_PATHS.map((path) => `${path} p99 ${phase.probes[path]!.p99.toFixed(2)} ms`).join(', ')}; loop delay p99 ${phase.loopDelay.p99.toFixed(2)} ms`,
    );
    return phase;
  } finally {
    await server.stop();
    if (variant.storage === 'postgres') {
      const client = new pg.Client({ connectionString: options.databaseUrl });
      await client.connect();
      await client.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
      await client.end();
    }
  }
}
