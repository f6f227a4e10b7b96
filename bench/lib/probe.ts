/**
 * A light prober: one keep-alive connection, one GET every `intervalMs`, latencies in ms at
 * full precision. Used to measure what a JWKS or health check sees while the server is busy.
 *
 * It runs on its own worker thread. In the bench process the load generator (autocannon) shares
 * the main event loop; a probe response that arrives while autocannon handles a burst of login
 * responses would otherwise be timed late, charging the client's own queueing to the server.
 */
import { Worker } from 'node:worker_threads';

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
  const worker = new Worker(new URL('./probe-worker.ts', import.meta.url), { workerData: { baseUrl, paths, intervalMs } });
  const result = new Promise<Record<string, ProbeStats>>((resolve, reject) => {
    worker.once('message', resolve);
    worker.once('error', reject);
    worker.once('exit', (code) => reject(new Error(`the prober exited with code ${code} before reporting`)));
  });
  return {
    async stop() {
      worker.postMessage('stop');
      const stats = await result;
      await worker.terminate();
      return stats;
    },
  };
}
