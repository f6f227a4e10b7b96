/**
 * Benchmark 4: resident memory (RSS, after a forced GC) of an API using @sigil/express and of the
 * auth server, idle and after each pass over `tokens` distinct valid access tokens: caches must
 * stay bounded (Sigil's verified-token cache holds 1 000 tokens by default), so RSS must level off
 * from one pass to the next.
 *
 * - API: servers/api.ts with `requireAuth` (EdDSA through the JWKS), bare Express as a baseline.
 * - Auth server: servers/auth.ts in HS256 mode (so this process can mint tokens for a real
 *   session with the shared secret), tokens presented to `GET /auth/me`.
 */
import { decodeJwt, decodeProtectedHeader, SignJWT } from 'jose';
import { randomUUID } from 'node:crypto';
import { startChild, type ChildServer } from './lib/child.ts';
import { HS256_SECRET, signTokens, type KeyRing } from './lib/keys.ts';
import { runLoad } from './lib/load.ts';
import { BENCH_PASSWORD, benchEmail } from './lib/targets.ts';

export interface MemoryPoint {
  rssMiB: number;
  heapUsedMiB: number;
}

export interface MemoryRow {
  process: string;
  tokens: number;
  idle: MemoryPoint;
  /** After the last pass. */
  after: MemoryPoint;
  /**
   * After each pass over the same distinct tokens (every request a cache miss again, since they
   * outnumber the cache): flat from one pass to the next means bounded memory, not a leak.
   */
  passes?: MemoryPoint[];
  /** Requests per second while the distinct tokens were sent (every one a cache miss). */
  rps: number;
}

export interface MemoryResult {
  rows: MemoryRow[];
  bareIdle: MemoryPoint;
}

const MiB = 1024 * 1024;
async function memoryOf(server: ChildServer): Promise<MemoryPoint> {
  const m = await server.ask<NodeJS.MemoryUsage>('memory');
  return { rssMiB: m.rss / MiB, heapUsedMiB: m.heapUsed / MiB };
}

async function sendDistinct(server: ChildServer, path: string, tokens: string[], connections: number): Promise<number> {
  let next = 0;
  const result = await runLoad({
    url: server.url,
    connections,
    durationSec: 0,
    amount: tokens.length,
    requests: [
      {
        method: 'GET',
        path,
        setupRequest: (request) => ({ ...request, headers: { authorization: `Bearer ${tokens[next++ % tokens.length]}` } }),
      },
    ],
  });
  if (result.failures > 0) throw new Error(`${path}: ${result.failures} of ${result.total} requests failed`);
  return result.rps;
}

/** Sends `tokens` `passes` times, reading memory after each pass; returns the points and the req/s of the first. */
async function passesOf(
  server: ChildServer,
  path: string,
  tokens: string[],
  passes: number,
  connections: number,
): Promise<{ points: MemoryPoint[]; rps: number }> {
  const points: MemoryPoint[] = [];
  let rps = 0;
  for (let pass = 0; pass < passes; pass++) {
    const passRps = await sendDistinct(server, path, tokens, connections);
    if (pass === 0) rps = passRps;
    points.push(await memoryOf(server));
  }
  return { points, rps };
}

export async function runMemory(
  ring: KeyRing,
  jwksUri: string,
  opts: { apiTokens: number; authTokens: number; connections: number; passes: number },
  log: (line: string) => void,
): Promise<MemoryResult> {
  const rows: MemoryRow[] = [];
  const gc = ['--expose-gc'];

  const bare = await startChild('api.ts', { target: 'bare', alg: 'EdDSA', jwksUri }, { execArgv: gc });
  const bareIdle = await memoryOf(bare);
  await bare.stop();

  const apiTokens = await signTokens(ring.EdDSA, opts.apiTokens);
  const api = await startChild('api.ts', { target: 'sigil', alg: 'EdDSA', jwksUri }, { execArgv: gc });
  try {
    await sendDistinct(api, '/api/lessons', apiTokens.slice(0, 1), 1);
    const idle = await memoryOf(api);
    const { points, rps } = await passesOf(api, '/api/lessons', apiTokens, opts.passes, opts.connections);
    rows.push({ process: 'API with @sigil/express', tokens: apiTokens.length, idle, after: points.at(-1)!, passes: points, rps });
  } finally {
    await api.stop();
  }

  const auth = await startChild('auth.ts', { users: 1, alg: 'HS256', hs256Secret: HS256_SECRET }, { timeoutMs: 120_000, execArgv: gc });
  try {
    const res = await fetch(`${auth.url}/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: benchEmail(0), password: BENCH_PASSWORD }),
    });
    const { access_token: sample } = (await res.json()) as { access_token: string };
    const claims = decodeJwt(sample);
    const header = decodeProtectedHeader(sample);
    const secret = new TextEncoder().encode(HS256_SECRET);
    const tokens: string[] = [];
    for (let i = 0; i < opts.authTokens; i++) {
      tokens.push(
        await new SignJWT({ ...claims, jti: randomUUID() })
          .setProtectedHeader({ alg: 'HS256', kid: header.kid!, typ: 'at+jwt' })
          .sign(secret),
      );
    }
    await sendDistinct(auth, '/auth/me', [sample], 1);
    const idle = await memoryOf(auth);
    const { points, rps } = await passesOf(auth, '/auth/me', tokens, opts.passes, opts.connections);
    rows.push({ process: 'auth server (GET /auth/me)', tokens: tokens.length, idle, after: points.at(-1)!, passes: points, rps });
  } finally {
    await auth.stop();
  }
  for (const row of rows) {
    const passes = (row.passes ?? [row.after]).map((p) => `${p.rssMiB.toFixed(1)} MiB`).join(' -> ');
    log(
      `memory ${row.process}: idle ${row.idle.rssMiB.toFixed(1)} MiB, after each pass of ${row.tokens} tokens ${passes} (heap ${row.idle.heapUsedMiB.toFixed(1)} -> ${row.after.heapUsedMiB.toFixed(1)}), ${row.rps.toFixed(0)} req/s`,
    );
  }
  log(`memory bare Express idle ${bareIdle.rssMiB.toFixed(1)} MiB`);
  return { rows, bareIdle };
}
