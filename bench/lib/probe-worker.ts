/** The prober's thread (see probe.ts): probes until the parent posts 'stop', then posts the stats. */
import { Agent, request } from 'node:http';
import { parentPort, workerData } from 'node:worker_threads';
import { percentile } from './measure.ts';
import type { ProbeStats } from './probe.ts';

const { baseUrl, paths, intervalMs } = workerData as { baseUrl: string; paths: string[]; intervalMs: number };
const agent = new Agent({ keepAlive: true, maxSockets: 1 });
const samples = new Map<string, number[]>(paths.map((p) => [p, []]));
const failures = new Map<string, number>(paths.map((p) => [p, 0]));
let running = true;
parentPort!.once('message', () => {
  running = false;
});

function once(path: string): Promise<void> {
  return new Promise<void>((resolve) => {
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
}

let i = 0;
while (running) {
  const started = performance.now();
  await once(paths[i++ % paths.length]!);
  const wait = intervalMs - (performance.now() - started);
  if (wait > 0) await new Promise((r) => setTimeout(r, wait));
}
agent.destroy();
const out: Record<string, ProbeStats> = {};
for (const [path, list] of samples) {
  list.sort((a, b) => a - b);
  out[path] = {
    count: list.length,
    failures: failures.get(path)!,
    p50: percentile(list, 50),
    p99: percentile(list, 99),
    max: list.at(-1) ?? NaN,
  };
}
parentPort!.postMessage(out);
