import { Router } from 'express';
import { z } from 'zod';
import { newPasswordSchema, presentedPasswordSchema } from '../../passwords/policy.ts';
import { emailSchema } from '../../sessions/account-fields.ts';
import { callerOf, requireBearer } from '../bearer.ts';
import type { AppContext } from '../context.ts';
import { jsonBody } from '../json-body.ts';
import { requestMeta } from '../request-meta.ts';
import { parseBody } from '../validate.ts';

/** A link token as a field: its shape is checked with the token (a malformed one is invalid_grant like any other). */
const linkToken = z.string({ error: 'token must be a string' }).min(1, 'token is required').max(256, 'token is too long');

const verifySchema = z.object({ token: linkToken });
const forgotSchema = z.object({ email: emailSchema });
const resetSchema = z.object({ token: linkToken, new_password: newPasswordSchema });
const emailChangeSchema = z.object({ new_email: emailSchema, password: presentedPasswordSchema });
const deleteSchema = z.object({ password: presentedPasswordSchema });

/**
 * The account lifecycle's JSON endpoints under /auth (docs/server.md, "Account lifecycle"). They
 * only translate HTTP to the auth service and back; the service queues every mail.
 */
export function accountLifecycleRoutes(ctx: AppContext): Router {
  const router = Router();
  const { service } = ctx;
  const bearer = requireBearer(ctx);

  router.post('/email/verification', bearer, jsonBody, async (req, res) => {
    await service.requestEmailVerification(callerOf(req), requestMeta(req));
    res.status(202).end();
  });

  router.post('/email/verify', jsonBody, async (req, res) => {
    const { token } = parseBody(verifySchema, req.body);
    const user = await service.verifyEmail(token, requestMeta(req));
    res.setHeader('Cache-Control', 'no-store').json({ user });
  });

  router.post('/password/forgot', jsonBody, async (req, res) => {
    const { email } = parseBody(forgotSchema, req.body);
    await service.forgotPassword(email, requestMeta(req));
    // The same empty 202 for every address: whether an account has it is not told here.
    res.status(202).end();
  });

  router.post('/password/reset', jsonBody, async (req, res) => {
    const input = parseBody(resetSchema, req.body);
    await service.resetPassword(input.token, input.new_password, requestMeta(req));
    res.status(204).end();
  });

  router.post('/email/change', bearer, jsonBody, async (req, res) => {
    const input = parseBody(emailChangeSchema, req.body);
    await service.requestEmailChange(callerOf(req), input.new_email, input.password, requestMeta(req));
    res.status(202).end();
  });

  router.delete('/account', bearer, jsonBody, async (req, res) => {
    const { password } = parseBody(deleteSchema, req.body);
    await service.deleteAccount(callerOf(req), password, requestMeta(req));
    res.status(204).end();
  });

  return router;
}
