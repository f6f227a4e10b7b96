/**
 * Benchmark 2: a protected route under load. Each target server runs in its own child process
 * (servers/api.ts); autocannon runs here, with the same connections and duration for all. Every
 * request carries the same valid token (the "hot token" case of a real API, where a client sends
 * its token until it expires); `sigil-nocache` checks the signature on every request.
 */
import { ALGS, signToken, type Alg, type KeyRing } from './lib/keys.ts';
import { placeForLoad, PLACEMENT } from './lib/affinity.ts';
import { startChild } from './lib/child.ts';
import { runLoad, type LoadResult } from './lib/load.ts';
import { median } from './lib/measure.ts';
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
  /**
   * Head-to-head comparisons behind the targets, measured in alternation: `pairs` times, both
   * servers started afresh and warmed up, then four back-to-back loads of `pairSec` each, A-B-B-A
   * (B-A-A-B every other pair), so a drift in the machine's speed hits both sides alike. The median
   * of the per-pair ratios is reported: a single sequential run per target cannot tell 0.95x from
   * 1.0x on a machine whose own speed moves by ±10% from one 2-second load to the next.
   */
  paired: { comparisons: ReadonlyArray<readonly [baseline: Target, contender: Target]>; pairs: number; pairSec: number; warmupSec: number };
}

export interface PairedRow {
  alg: Alg;
  baseline: Target;
  contender: Target;
  /** contender req/s ÷ baseline req/s, per pair, in the order measured. */
  ratios: number[];
  median: number;
}

export interface RouteRow extends LoadResult {
  alg: Alg;
  target: Target;
  workers: number;
}

export interface RouteResult {
  rows: RouteRow[];
  paired: PairedRow[];
  options: RouteOptions;
  /** Where the server and the load generator ran (CPU pinning). */
  placement?: string;
}

async function measureTarget(config: ApiTargetConfig, token: string, options: RouteOptions): Promise<LoadResult> {
  const server = await startChild('api.ts', config);
  try {
    // A cluster's workers are its primary's children: left unpinned, like the primary.
    placeForLoad([server.pid], (config.workers ?? 1) === 1);
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
  const paired: PairedRow[] = [];
  for (const alg of algs) {
    for (const [baseline, contender] of options.paired.comparisons) {
      if (!supported(baseline, alg) || !supported(contender, alg)) continue;
      const row = await measurePaired(alg, baseline, contender, jwksUri, tokens.get(alg)!, options);
      log(
        `route ${alg.padEnd(5)} paired ${contender} / ${baseline}: ${row.ratios.map((r) => r.toFixed(3)).join(' ')} -> median ${row.median.toFixed(3)}x`,
      );
      paired.push(row);
    }
  }
  // The sections after this one place their own processes: give this one all cores back.
  placeForLoad([], false);
  return { rows: [...best.values()], paired, options, placement: PLACEMENT };
}

async function measurePaired(
  alg: Alg,
  baseline: Target,
  contender: Target,
  jwksUri: string,
  token: string,
  options: RouteOptions,
): Promise<PairedRow> {
  const loadOf = (url: string, durationSec: number) => ({
    url: `${url}/api/lessons`,
    connections: options.connections,
    durationSec,
    headers: { authorization: `Bearer ${token}` },
  });
  const ratios: number[] = [];
  for (let pair = 0; pair < options.paired.pairs; pair++) {
    // Fresh processes for every pair: two Node processes running the same code can differ by
    // several percent for as long as they live (heap and code layout, measured: bare Express
    // 0.93x of Express with an empty middleware, one process each). Restarting averages that out.
    const servers = await Promise.all([
      startChild('api.ts', { target: baseline, alg, jwksUri }),
      startChild('api.ts', { target: contender, alg, jwksUri }),
    ]);
    try {
      // Both on the server core: only one is under load at a time.
      placeForLoad(
        servers.map((server) => server.pid),
        true,
      );
      for (const server of servers) await runLoad(loadOf(server.url, options.paired.warmupSec));
      // A-B-B-A (or B-A-A-B): a drift in the machine's speed during the pair hits both sides alike,
      // and each side's figure is the mean of two loads.
      const ok = [0, 0];
      const seconds = [0, 0];
      for (const side of pair % 2 === 0 ? [0, 1, 1, 0] : [1, 0, 0, 1]) {
        const result = await runLoad(loadOf(servers[side]!.url, options.paired.pairSec));
        if (result.failures > 0) throw new Error(`${side === 0 ? baseline : contender} ${alg}: ${result.failures} failed requests`);
        ok[side]! += result.ok;
        seconds[side]! += result.ok / result.rps;
      }
      ratios.push(ok[1]! / seconds[1]! / (ok[0]! / seconds[0]!));
    } finally {
      await Promise.all(servers.map((server) => server.stop()));
    }
  }
  return { alg, baseline, contender, ratios, median: median(ratios) };
}
