import { Router } from 'express';
import { StorageUnavailableError } from '../../errors.ts';
import type { AppContext } from '../context.ts';

/**
 * `/healthz`: the process is alive and serving (liveness; restarting it would not fix a database
 * outage). `/readyz`: it can do its job: the database answers (503 otherwise).
 */
export function healthRoutes(ctx: AppContext): Router {
  const router = Router();
  router.get('/healthz', (_req, res) => {
    res.setHeader('Cache-Control', 'no-store').json({ status: 'ok' });
  });
  router.get('/readyz', async (_req, res) => {
    try {
      await withTimeout(ctx.db.ping(), 2000);
    } catch (cause) {
      throw new StorageUnavailableError(cause);
    }
    res.setHeader('Cache-Control', 'no-store').json({ status: 'ok', storage: 'ok' });
  });
  return router;
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout;
  return Promise.race([
    promise,
    new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error('database ping timed out')), ms);
    }),
  ]).finally(() => clearTimeout(timer));
}
