/**
 * autocannon (programmatic API) with latencies kept at full precision: autocannon's own histogram
 * rounds to whole milliseconds, too coarse for sub-millisecond routes, so every 2xx response time
 * is also recorded here from its `response` event.
 */
import { createRequire } from 'node:module';
import { percentile } from './measure.ts';

const require = createRequire(import.meta.url);
// autocannon ships no types; this is the part of its API used here.
type Autocannon = ((options: Record<string, unknown>) => AutocannonInstance) & { track?: unknown };
interface AutocannonInstance extends Promise<AutocannonResult> {
  on(event: 'response', listener: (client: unknown, statusCode: number, bytes: number, responseTime: number) => void): void;
  stop(): void;
}
interface AutocannonResult {
  requests: { total: number; average: number };
  duration: number;
  errors: number;
  timeouts: number;
  non2xx: number;
  '2xx': number;
}
const autocannon = require('autocannon') as Autocannon;

export interface LoadRequest {
  method?: string;
  path: string;
  headers?: Record<string, string>;
  body?: string;
  setupRequest?: (request: Record<string, unknown>, context: Record<string, unknown>) => Record<string, unknown>;
  onResponse?: (status: number, body: string, context: Record<string, unknown>) => void;
}

export interface LoadOptions {
  url: string;
  connections: number;
  durationSec: number;
  /** Requests cycled by each connection; or one request via `path`. */
  requests?: LoadRequest[];
  method?: string;
  path?: string;
  headers?: Record<string, string>;
  body?: string;
  /** Fixed total request rate (req/s); unlimited by default. */
  overallRate?: number;
  /** Stop after this many requests. */
  amount?: number;
}

export interface LoadResult {
  rps: number;
  total: number;
  ok: number;
  /** Non-2xx responses plus socket errors and timeouts. */
  failures: number;
  /** ms, 2xx responses only. */
  p50: number;
  p90: number;
  p99: number;
  max: number;
}

export async function runLoad(options: LoadOptions): Promise<LoadResult> {
  const latencies: number[] = [];
  const instance = autocannon({
    url: options.url,
    connections: options.connections,
    pipelining: 1,
    ...(options.amount ? { amount: options.amount } : { duration: options.durationSec }),
    ...(options.overallRate ? { overallRate: options.overallRate } : {}),
    ...(options.requests ? { requests: options.requests } : {}),
    method: options.method ?? 'GET',
    ...(options.path ? { path: options.path } : {}),
    ...(options.headers ? { headers: options.headers } : {}),
    ...(options.body ? { body: options.body } : {}),
    timeout: 10,
  });
  instance.on('response', (_client, statusCode, _bytes, responseTime) => {
    if (statusCode >= 200 && statusCode < 300) latencies.push(responseTime);
  });
  const result = await instance;
  latencies.sort((a, b) => a - b);
  const seconds = result.duration > 0 ? result.duration : options.durationSec;
  return {
    rps: result['2xx'] / seconds,
    total: result.requests.total,
    ok: result['2xx'],
    failures: result.non2xx + result.errors + result.timeouts,
    p50: percentile(latencies, 50),
    p90: percentile(latencies, 90),
    p99: percentile(latencies, 99),
    max: latencies.at(-1) ?? NaN,
  };
}
