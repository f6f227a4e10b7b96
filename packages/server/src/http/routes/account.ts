import { Router } from 'express';
import { z } from 'zod';
import { SigilError } from '../../errors.ts';
import { newPasswordSchema, presentedPasswordSchema } from '../../passwords/policy.ts';
import { toPublicUser } from '../../sessions/auth-service.ts';
import { callerOf, requireBearer } from '../bearer.ts';
import type { AppContext } from '../context.ts';
import { jsonBody } from '../json-body.ts';
import { requestMeta } from '../request-meta.ts';
import { parseBody } from '../validate.ts';

const passwordChangeSchema = z.object({ current_password: presentedPasswordSchema, new_password: newPasswordSchema });

/** Bearer-protected endpoints about the caller's own account. */
export function accountRoutes(ctx: AppContext): Router {
  const router = Router();
  const bearer = requireBearer(ctx);

  router.get('/me', bearer, (req, res) => {
    res.setHeader('Cache-Control', 'no-store').json({ user: toPublicUser(callerOf(req).user) });
  });

  router.get('/sessions', bearer, async (req, res) => {
    const sessions = await ctx.service.listSessions(callerOf(req));
    res.setHeader('Cache-Control', 'no-store').json({ sessions });
  });

  router.delete('/sessions/:id', bearer, async (req, res) => {
    const id = req.params.id;
    if (typeof id !== 'string') throw new SigilError('not_found', 'No such session');
    await ctx.service.revokeSession(callerOf(req), id);
    res.status(204).end();
  });

  router.post('/password', bearer, jsonBody, async (req, res) => {
    const input = parseBody(passwordChangeSchema, req.body);
    await ctx.service.changePassword(callerOf(req), input.current_password, input.new_password, requestMeta(req));
    res.status(204).end();
  });

  return router;
}
