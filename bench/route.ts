/**
 * Benchmark 2: a protected route under load. Each target server runs in its own child process
 * (servers/api.ts); autocannon runs here, with the same connections and duration for all. Every
 * request carries the same valid token (the "hot token" case of a real API, where a client sends
 * its token until it expires); `sigil-nocache` checks the signature on every request.
 */
import { ALGS, signToken, type Alg, type KeyRing } from './lib/keys.ts';
import { startChild } from './lib/child.ts';
import { runLoad, type LoadResult } from './lib/load.ts';
import { supported, TARGETS, type ApiTargetConfig, type Target } from './lib/targets.ts';

export interface RouteOptions {
  connections: number;
  durationSec: number;
  warmupSec: number;
  /** Each target is measured this many times (rounds interleave the targets); the best is kept. */
  rounds: number;
  /** Algorithms measured. @default all */
  algs?: readonly Alg[];
  /** Algorithms and targets measured with 1 and 2 server processes. */
  clusterAlgs: readonly Alg[];
  clusterTargets: readonly Target[];
}

export interface RouteRow extends LoadResult {
  alg: Alg;
  target: Target;
  workers: number;
}

export interface RouteResult {
  rows: RouteRow[];
  options: RouteOptions;
}

async function measureTarget(config: ApiTargetConfig, token: string, options: RouteOptions): Promise<LoadResult> {
  const server = await startChild('api.ts', config);
  try {
    const load = { url: `${server.url}/api/lessons`, connections: options.connections, headers: { authorization: `Bearer ${token}` } };
    await runLoad({ ...load, durationSec: options.warmupSec });
    const result = await runLoad({ ...load, durationSec: options.durationSec });
    if (result.failures > 0) throw new Error(`${config.target} ${config.alg}: ${result.failures} failed requests`);
    return result;
  } finally {
    await server.stop();
  }
}

export async function runRoute(ring: KeyRing, jwksUri: string, options: RouteOptions, log: (line: string) => void): Promise<RouteResult> {
  const best = new Map<string, RouteRow>();
  const record = (row: RouteRow) => {
    log(
      `route ${row.alg.padEnd(5)} ${String(row.workers)}p ${row.target.padEnd(13)} ${Math.round(row.rps).toString().padStart(6)} req/s  p50 ${row.p50.toFixed(2)} ms  p99 ${row.p99.toFixed(2)} ms`,
    );
    const key = `${row.alg} ${row.target} ${row.workers}`;
    const previous = best.get(key);
    if (!previous || row.rps > previous.rps) best.set(key, row);
  };
  const tokens = new Map<Alg, string>();
  const algs = options.algs ?? ALGS;
  for (const alg of algs) tokens.set(alg, await signToken(ring[alg]));
  for (let round = 0; round < options.rounds; round++) {
    for (const alg of algs) {
      for (const target of TARGETS) {
        if (!supported(target, alg)) continue;
        record({ alg, target, workers: 1, ...(await measureTarget({ target, alg, jwksUri }, tokens.get(alg)!, options)) });
      }
    }
    for (const alg of options.clusterAlgs) {
      for (const target of options.clusterTargets) {
        record({ alg, target, workers: 2, ...(await measureTarget({ target, alg, jwksUri, workers: 2 }, tokens.get(alg)!, options)) });
      }
    }
  }
  return { rows: [...best.values()], options };
}
