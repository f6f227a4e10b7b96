/**
 * Benchmark 2: a protected route under load. Each target server runs in its own child process
 * (servers/api.ts) and autocannon runs here, with the same connections and duration for all. Every
 * request carries the same valid token (the "hot token" case of a real API, where a client sends
 * its token until it expires); `sigil-nocache` checks the signature on every request.
 *
 * A round measures every target once, each in a fresh process; rounds alternate the order of the
 * targets. A comparison's ratio is taken within each round, so a drift of the shared machine hits
 * both sides alike, and its median over the rounds is the figure.
 */
import { startChild } from './lib/child.ts';
import { ALGS, signToken, type Alg, type KeyRing } from './lib/keys.ts';
import { runLoad, type LoadResult } from './lib/load.ts';
import { median } from './lib/measure.ts';
import { supported, TARGETS, type Target } from './lib/targets.ts';

/** The route's targets: the contender's req/s ÷ the baseline's, at or above `bar`. */
export const COMPARISONS: ReadonlyArray<{ baseline: Target; contender: Target; goal: string; bar: number }> = [
  { baseline: 'bare', contender: 'sigil', goal: 'Sigil hot >= 0.95x bare Express', bar: 0.95 },
  { baseline: 'fast-jwt', contender: 'sigil', goal: 'Sigil hot >= 1x fast-jwt cached', bar: 1 },
  { baseline: 'jose', contender: 'sigil-nocache', goal: 'Sigil cache off >= 1x jose', bar: 1 },
];

export interface RouteOptions {
  connections: number;
  durationSec: number;
  warmupSec: number;
  rounds: number;
  /** Algorithms measured. @default all */
  algs?: readonly Alg[];
}

export interface RouteRow {
  alg: Alg;
  target: Target;
  /** Medians over the rounds. */
  rps: number;
  p50: number;
  p99: number;
}

export interface ComparisonRow {
  alg: Alg;
  baseline: Target;
  contender: Target;
  /** contender req/s ÷ baseline req/s, one per round. */
  ratios: number[];
  median: number;
}

export interface RouteResult {
  rows: RouteRow[];
  comparisons: ComparisonRow[];
  options: RouteOptions;
}

async function measureTarget(target: Target, alg: Alg, jwksUri: string, token: string, options: RouteOptions): Promise<LoadResult> {
  const server = await startChild('api.ts', { target, alg, jwksUri });
  try {
    const load = { url: `${server.url}/api/lessons`, connections: options.connections, headers: { authorization: `Bearer ${token}` } };
    await runLoad({ ...load, durationSec: options.warmupSec });
    const result = await runLoad({ ...load, durationSec: options.durationSec });
    if (result.failures > 0) throw new Error(`${target} ${alg}: ${result.failures} failed requests`);
    return result;
  } finally {
    await server.stop();
  }
}

export async function runRoute(ring: KeyRing, jwksUri: string, options: RouteOptions, log: (line: string) => void): Promise<RouteResult> {
  const rows: RouteRow[] = [];
  const comparisons: ComparisonRow[] = [];
  for (const alg of options.algs ?? ALGS) {
    const token = await signToken(ring[alg]);
    const targets = TARGETS.filter((target) => supported(target, alg));
    const runs = new Map<Target, LoadResult[]>(targets.map((target) => [target, []]));
    for (let round = 0; round < options.rounds; round++) {
      for (const target of round % 2 === 0 ? targets : [...targets].reverse()) {
        const result = await measureTarget(target, alg, jwksUri, token, options);
        runs.get(target)!.push(result);
        log(
          `route ${alg.padEnd(5)} round ${round + 1} ${target.padEnd(13)} ${Math.round(result.rps).toString().padStart(6)} req/s  p50 ${result.p50.toFixed(2)} ms  p99 ${result.p99.toFixed(2)} ms`,
        );
      }
    }
    for (const [target, results] of runs) {
      rows.push({
        alg,
        target,
        rps: median(results.map((r) => r.rps)),
        p50: median(results.map((r) => r.p50)),
        p99: median(results.map((r) => r.p99)),
      });
    }
    for (const { baseline, contender } of COMPARISONS) {
      const ratios = runs.get(contender)!.map((result, round) => result.rps / runs.get(baseline)![round]!.rps);
      comparisons.push({ alg, baseline, contender, ratios, median: median(ratios) });
      log(`route ${alg.padEnd(5)} ${contender} / ${baseline}: median ${median(ratios).toFixed(3)}x of ${ratios.length} rounds`);
    }
  }
  return { rows, comparisons, options };
}
