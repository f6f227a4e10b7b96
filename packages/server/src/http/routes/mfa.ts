import { Router } from 'express';
import { z } from 'zod';
import type { AppContext } from '../context.ts';
import { apiBinding } from '../client-binding.ts';
import { wantsCookieDelivery } from '../cookies.ts';
import { jsonBody } from '../json-body.ts';
import { requestMeta } from '../request-meta.ts';
import { parseBody } from '../validate.ts';
import { sendTokens } from './auth.ts';

const verifySchema = z.object({
  mfa_token: z.string({ error: 'mfa_token must be a string' }).max(512),
  method: z.string({ error: 'method must be a string' }).max(64),
  code: z.string({ error: 'code must be a string' }).max(64).optional(),
  // A method of its own (a passkey) reads its proof from here; TOTP and recovery codes ignore it.
  response: z.unknown().optional(),
});

/** The second step of a login and the management of second factors (docs/server.md, "Second factors"). */
export function mfaRoutes(ctx: AppContext): Router {
  const router = Router();
  const { service, config } = ctx;

  router.post('/mfa/verify', jsonBody, async (req, res) => {
    const input = parseBody(verifySchema, req.body);
    const bundle = await service.verifySecondFactor(
      {
        mfaToken: input.mfa_token,
        method: input.method,
        proof: { ...(input.code !== undefined ? { code: input.code } : {}), response: input.response },
      },
      { ...requestMeta(req), binding: apiBinding(req, config) },
    );
    sendTokens(res, ctx, bundle, wantsCookieDelivery(req, config));
  });

  return router;
}
