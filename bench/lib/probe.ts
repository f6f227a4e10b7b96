/**
 * A light prober: one keep-alive connection, one GET every `intervalMs`, latencies in ms at
 * full precision. Used to measure what a JWKS or health check sees while the server is busy.
 */
import { Agent, request } from 'node:http';
import { percentile } from './measure.ts';

export interface ProbeStats {
  count: number;
  failures: number;
  p50: number;
  p99: number;
  max: number;
}

export interface Prober {
  stop(): Promise<Record<string, ProbeStats>>;
}

export function startProbe(baseUrl: string, paths: string[], intervalMs: number): Prober {
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  const samples = new Map<string, number[]>(paths.map((p) => [p, []]));
  const failures = new Map<string, number>(paths.map((p) => [p, 0]));
  let running = true;
  let i = 0;
  const once = (path: string) =>
    new Promise<void>((resolve) => {
      const start = performance.now();
      const req = request(`${baseUrl}${path}`, { agent }, (res) => {
        res.resume();
        res.on('end', () => {
          if (res.statusCode === 200) samples.get(path)!.push(performance.now() - start);
          else failures.set(path, failures.get(path)! + 1);
          resolve();
        });
      });
      req.on('error', () => {
        failures.set(path, failures.get(path)! + 1);
        resolve();
      });
      req.end();
    });
  const loop = (async () => {
    while (running) {
      const started = performance.now();
      await once(paths[i++ % paths.length]!);
      const wait = intervalMs - (performance.now() - started);
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    }
  })();
  return {
    async stop() {
      running = false;
      await loop;
      agent.destroy();
      const out: Record<string, ProbeStats> = {};
      for (const [path, list] of samples) {
        list.sort((a, b) => a - b);
        out[path] = { count: list.length, failures: failures.get(path)!, p50: percentile(list, 50), p99: percentile(list, 99), max: list.at(-1) ?? NaN };
      }
      return out;
    },
  };
}
