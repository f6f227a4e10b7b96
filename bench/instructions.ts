/**
 * Benchmark 2b (reported with the protected route): instructions per request of the protected
 * route, counted by valgrind's callgrind.
 *
 * Why: the hot-token target is a margin of a few percent, and req/s on this shared VM cannot resolve
 * that (single head-to-head pairs spread by ±10-20%, and a run's median by several percent). Callgrind
 * counts the instructions a server process executes, in all its threads, whatever the machine's
 * speed. For a server bound to one core, req/s is inversely proportional to its CPU time a request,
 * so (bare Express's count ÷ a target's count) is the throughput ratio the counts predict. It does
 * not see cache misses or branch mispredictions: instructions, not cycles.
 *
 * Method: the server runs under `valgrind --tool=callgrind`; one keep-alive connection, so every
 * request is one turn of the event loop whatever the relative speed of client and server (with more
 * connections, how many requests one turn serves depends on timing, and the counts with it); warm-up
 * requests, counters zeroed (`callgrind_control -z`), the measured requests, counters dumped (`-d`).
 * Each target runs `repeats` times in fresh processes, two at a time: timer- and GC-driven work
 * still makes repeat runs differ by about 1%; the median is reported.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startChild } from './lib/child.ts';
import { signToken, type Alg, type KeyRing } from './lib/keys.ts';
import { runLoad } from './lib/load.ts';
import { median } from './lib/measure.ts';
import type { Target } from './lib/targets.ts';

export interface InstructionsJob {
  target: Target;
  /** Requests before the counters are zeroed (JIT warm-up, key set fetched, first token checked). */
  warmup: number;
  requests: number;
  repeats: number;
}

export interface InstructionsOptions {
  algs: readonly Alg[];
  jobs: readonly InstructionsJob[];
  /** Servers measured at once (each is single-threaded under valgrind). */
  parallel: number;
}

export interface InstructionsRow {
  alg: Alg;
  target: Target;
  requests: number;
  /** Instructions a request, one figure per fresh process. */
  perRequest: number[];
  median: number;
}

export interface InstructionsResult {
  rows: InstructionsRow[];
  options: InstructionsOptions;
  valgrind?: string;
  /** Why nothing was measured (no valgrind on this machine). */
  skipped?: string;
}

function valgrindVersion(): string | undefined {
  try {
    execFileSync('callgrind_control', ['--version'], { stdio: 'ignore' });
    return execFileSync('valgrind', ['--version'], { encoding: 'utf8' }).trim();
  } catch {
    return undefined;
  }
}

/** Total instructions (`Ir`) in a callgrind dump. */
function dumpedInstructions(dir: string): number {
  const dumps = readdirSync(dir).filter((file) => /^callgrind\.out\.\d+$/.test(file));
  if (dumps.length !== 1) throw new Error(`expected one callgrind dump in ${dir}, found ${dumps.length}`);
  const totals = /^(?:totals|summary): (\d+)/m.exec(readFileSync(join(dir, dumps[0]!), 'utf8'));
  if (!totals) throw new Error(`no totals in ${dumps[0]}`);
  return Number(totals[1]);
}

async function countOnce(alg: Alg, job: InstructionsJob, jwksUri: string, token: string): Promise<number> {
  const dir = mkdtempSync(join(tmpdir(), 'sigil-callgrind-'));
  try {
    const wrapper = ['valgrind', '-q', '--tool=callgrind', `--callgrind-out-file=${join(dir, 'callgrind.out')}`];
    // Node starts in ~30 s under valgrind, more with two at once.
    const server = await startChild('api.ts', { target: job.target, alg, jwksUri }, { timeoutMs: 300_000, wrapper });
    try {
      const load = (amount: number) =>
        runLoad({
          url: `${server.url}/api/lessons`,
          connections: 1,
          durationSec: 3_600,
          amount,
          headers: { authorization: `Bearer ${token}` },
        });
      const warm = await load(job.warmup);
      if (warm.failures > 0) throw new Error(`${job.target} ${alg}: ${warm.failures} failed warm-up requests`);
      execFileSync('callgrind_control', ['-z', String(server.pid)], { stdio: 'ignore' });
      const measured = await load(job.requests);
      execFileSync('callgrind_control', ['-d', String(server.pid)], { stdio: 'ignore' });
      if (measured.failures > 0 || measured.ok !== job.requests)
        throw new Error(`${job.target} ${alg}: ${measured.ok} of ${job.requests} requests answered 2xx`);
      return dumpedInstructions(dir) / job.requests;
    } finally {
      await server.stop();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export async function runInstructions(
  ring: KeyRing,
  jwksUri: string,
  options: InstructionsOptions,
  log: (line: string) => void,
): Promise<InstructionsResult> {
  const valgrind = valgrindVersion();
  if (!valgrind) {
    log('instructions: valgrind (callgrind_control) not found; section skipped');
    return { rows: [], options, skipped: 'valgrind not found on this machine' };
  }
  const tokens = new Map<Alg, string>();
  for (const alg of options.algs) tokens.set(alg, await signToken(ring[alg]));
  const rows: InstructionsRow[] = [];
  const runs: Array<{ row: InstructionsRow; job: InstructionsJob }> = [];
  for (const alg of options.algs) {
    for (const job of options.jobs) {
      const row: InstructionsRow = { alg, target: job.target, requests: job.requests, perRequest: [], median: NaN };
      rows.push(row);
      for (let r = 0; r < job.repeats; r++) runs.push({ row, job });
    }
  }
  let next = 0;
  const worker = async () => {
    while (next < runs.length) {
      const { row, job } = runs[next++]!;
      const count = await countOnce(row.alg, job, jwksUri, tokens.get(row.alg)!);
      row.perRequest.push(count);
      log(
        `instructions ${row.alg.padEnd(5)} ${row.target.padEnd(13)} ${Math.round(count).toLocaleString('en-US').padStart(9)} a request (${job.requests} requests after ${job.warmup})`,
      );
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, options.parallel) }, worker));
  for (const row of rows) row.median = median(row.perRequest);
  return { rows, options, valgrind };
}
