/** Ops/s of a function, sync or async, measured over a time budget after a warm-up. */

export interface OpsResult {
  /** Median of the samples. */
  opsPerSec: number;
  samples: number[];
}

export interface MeasureOptions {
  durationMs: number;
  warmupMs: number;
  /** Samples the duration is split into; the median is reported (robust to a noisy neighbour). */
  samples?: number;
}

/**
 * Calls `fn` repeatedly. When its first result is a promise every call is awaited in turn
 * (one at a time, as a request handler would), otherwise calls run in synchronous batches.
 * `fn` receives the call index (to cycle through distinct tokens).
 */
export async function measureOps(fn: (i: number) => unknown, options: MeasureOptions): Promise<OpsResult> {
  const isAsync = isThenable(fn(0));
  if (isAsync) await fn(0);
  let i = 1;
  const runFor = async (ms: number): Promise<number> => {
    const start = performance.now();
    const end = start + ms;
    let ops = 0;
    let now = start;
    if (isAsync) {
      while (now < end) {
        for (let b = 0; b < 16; b++) await fn(i++);
        ops += 16;
        now = performance.now();
      }
    } else {
      while (now < end) {
        for (let b = 0; b < 64; b++) fn(i++);
        ops += 64;
        now = performance.now();
      }
      // Let timers and I/O (e.g. a JWKS refresh) run between samples.
      await new Promise((resolve) => setImmediate(resolve));
    }
    return (ops * 1000) / (now - start);
  };
  await runFor(options.warmupMs);
  const count = options.samples ?? 3;
  if (count === 0) return { opsPerSec: NaN, samples: [] };
  const samples: number[] = [];
  for (let s = 0; s < count; s++) samples.push(await runFor(options.durationMs / count));
  return { opsPerSec: median(samples), samples };
}

export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

export function percentile(sortedValues: number[], p: number): number {
  if (sortedValues.length === 0) return NaN;
  const index = Math.min(sortedValues.length - 1, Math.max(0, Math.ceil((p / 100) * sortedValues.length) - 1));
  return sortedValues[index]!;
}

function isThenable(value: unknown): value is Promise<unknown> {
  return typeof value === 'object' && value !== null && typeof (value as { then?: unknown }).then === 'function';
}

/**
 * A distribution-free confidence interval for the median (order statistics of a binomial(n, ½)):
 * the narrowest symmetric pair of sorted values whose coverage is at least `confidence`. With 10
 * values at 95% that is the 2nd and the 9th (97.9% coverage). Fewer than 6 values cannot give 95%:
 * then the whole range (its coverage is returned too).
 */
export function medianInterval(values: number[], confidence = 0.95): { low: number; high: number; coverage: number } {
  const sorted = [...values].sort((a, b) => a - b);
  const n = sorted.length;
  // The pair (k-th, (n+1-k)-th) misses the median with probability 2·P(X ≤ k-1), X ~ Binomial(n, ½).
  // Step k up while the next, narrower pair still covers enough.
  let k = 1;
  let term = 0.5 ** n; // P(X = k-1)
  let tail = term; // P(X ≤ k-1)
  while (k + 1 <= n / 2) {
    const next = (term * (n - k + 1)) / k; // P(X = k)
    if (1 - 2 * (tail + next) < confidence) break;
    term = next;
    tail += next;
    k++;
  }
  return { low: sorted[k - 1] ?? NaN, high: sorted[n - k] ?? NaN, coverage: 1 - 2 * tail };
}
