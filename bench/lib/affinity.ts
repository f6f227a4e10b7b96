/**
 * CPU pinning for the load benchmarks: the server under test on one core, the load generator (this
 * process) on another, so neither is ever scheduled onto the other's core. Unpinned on this
 * 2-core VM, the scheduler moved them around and one server measured from 17.8k to 28.4k req/s
 * between consecutive 2-second loads; pinned, bare Express measures 35k-46k req/s, CPU-bound (bench/analysis.md).
 * Linux `taskset` (util-linux); without it, or with one core, or with `BENCH_PIN=0`, nothing is
 * pinned and the results say so.
 */
import { execFileSync } from 'node:child_process';
import { availableParallelism } from 'node:os';

function tasksetWorks(): boolean {
  try {
    execFileSync('taskset', ['-p', String(process.pid)], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

const cores = availableParallelism();
/** True when servers and the load generator get cores of their own. */
export const PINNING = process.env.BENCH_PIN !== '0' && cores >= 2 && tasksetWorks();

const ALL = `0-${cores - 1}`;
const LOAD_CORE = '0';
const SERVER_CORES = cores === 2 ? '1' : `1-${cores - 1}`;

/** Sets the CPU affinity of every thread of `pid`. */
function pin(pid: number, cpus: string): void {
  execFileSync('taskset', ['-a', '-p', '-c', cpus, String(pid)], { stdio: 'ignore' });
}

/**
 * Before measuring a server: a single-process server gets the cores the load generator does not
 * use; a multi-process one (node:cluster) is left to the scheduler on all cores, and so is this
 * process, since a cluster needs the cores that pinning would reserve.
 */
export function placeForLoad(serverPids: readonly number[], singleProcess: boolean): void {
  if (!PINNING) return;
  if (singleProcess) {
    pin(process.pid, LOAD_CORE);
    for (const pid of serverPids) pin(pid, SERVER_CORES);
  } else {
    pin(process.pid, ALL);
  }
}

/** Human-readable placement, for the report. */
export const PLACEMENT = PINNING
  ? `pinned with taskset: load generator on CPU ${LOAD_CORE}, the server on CPU ${SERVER_CORES} (cluster runs: all CPUs, unpinned)`
  : 'not pinned (taskset unavailable, one core, or BENCH_PIN=0)';
