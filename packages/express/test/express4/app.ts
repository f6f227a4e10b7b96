// Type-level test: @sigil/express used from an Express 4 app (types from @types/express@4, aliased
// as express-v4-types). Checked by `tsc -p test/express4` (see express-types.test.ts); never run.
import type { Express, NextFunction, Request, Response, Router } from 'express-v4-types';
import { InvalidTokenError, requireAuth, requireRole, requireScope, sigilErrorHandler } from '../../src/index.ts';

declare const app: Express;
declare const router: Router;

const auth = requireAuth({ issuer: 'https://issuer.test', audience: 'sigil' });
app.use(auth);
app.use('/api', auth, requireScope('lessons:read'));
app.get('/me', auth, (req, res) => {
  const sub: string | undefined = req.auth?.sub;
  const roles: string[] = req.auth?.roles ?? [];
  // @ts-expect-error -- claims are typed: sub is a string, not a number
  const wrong: number | undefined = req.auth?.sub;
  res.json({ sub, roles, wrong });
});
app.post('/lessons', auth, requireRole('admin'), (req: Request, res: Response) => {
  res.status(201).json({ by: req.auth?.email });
});
router.get('/x', auth, requireRole('admin', 'editor', { onError: 'next' }), (_req, _res, next: NextFunction) => next());
app.use(router);
app.use(sigilErrorHandler());
app.use((error: unknown, _req: Request, res: Response, next: NextFunction) => {
  if (error instanceof InvalidTokenError) res.status(error.status).json({ code: error.code, reason: error.reason });
  else next(error);
});
