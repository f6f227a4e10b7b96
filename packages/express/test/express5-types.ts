// Type-level test: @sigil/express used from an Express 5 app. Part of the package's tsconfig, so
// `tsc -p packages/express` checks it; never run.
import type { Express, NextFunction, Request, Response, Router } from 'express';
import {
  createSigil,
  InsufficientUserAuthenticationError,
  InvalidTokenError,
  requireAuth,
  requireAuthLevel,
  requireRole,
  requireScope,
  sigilErrorHandler,
} from '../src/index.ts';

declare const app: Express;
declare const router: Router;

const auth = requireAuth({ issuer: 'https://issuer.test', audience: 'sigil' });
app.use(auth);
app.use('/api', auth, requireScope('lessons:read'));
app.get('/me/:id', auth, (req, res) => {
  const sub: string | undefined = req.auth?.sub;
  const id: string = req.params.id;
  // @ts-expect-error -- claims are typed: sub is a string, not a number
  const wrong: number | undefined = req.auth?.sub;
  res.json({ sub, id, wrong });
});
app.post('/lessons', auth, requireRole('admin'), (req: Request, res: Response) => {
  res.status(201).json({ by: req.auth?.email });
});
router.get('/x', auth, requireRole('admin', 'editor', { onError: 'next' }), (_req, _res, next: NextFunction) => next());
app.delete('/lessons/:id', auth, requireAuthLevel({ amr: ['mfa'], maxAge: 300 }), (req: Request, res: Response) => {
  const methods: string[] = req.auth?.amr ?? [];
  const signedInAt: number | undefined = req.auth?.auth_time;
  // @ts-expect-error -- auth_time is epoch seconds, not a Date
  const when: Date | undefined = req.auth?.auth_time;
  res.json({ methods, signedInAt, when });
});
const sigil = createSigil({ issuer: 'https://issuer.test', audience: 'sigil' });
router.post('/admin', sigil.requireAuth(), sigil.requireAuthLevel({ acrValues: ['urn:example:high'] }), (_req, res) => res.end());
// @ts-expect-error -- amr lists methods: an array, not one string
requireAuthLevel({ amr: 'mfa' });
app.use(router);
app.use(sigilErrorHandler());
app.use((error: unknown, _req: Request, res: Response, next: NextFunction) => {
  if (error instanceof InvalidTokenError) res.status(error.status).json({ code: error.code, reason: error.reason });
  else if (error instanceof InsufficientUserAuthenticationError) res.status(401).json({ reason: error.reason, maxAge: error.maxAge });
  else next(error);
});
