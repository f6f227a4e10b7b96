import { Router } from 'express';
import { z } from 'zod';
import { presentedPasswordSchema } from '../../passwords/policy.ts';
import { callerOf, requireBearer } from '../bearer.ts';
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

const confirmSchema = z.object({ code: z.string({ error: 'code must be a string' }).max(64) });
const passwordSchema = z.object({ password: presentedPasswordSchema });

/** The second step of a login and the management of second factors (docs/server.md, "Second factors"). */
export function mfaRoutes(ctx: AppContext): Router {
  const router = Router();
  const { service, config } = ctx;
  const bearer = requireBearer(ctx);

  router.get('/mfa', bearer, async (req, res) => {
    const status = await service.secondFactorStatus(callerOf(req).user.id);
    res.setHeader('Cache-Control', 'no-store').json({
      methods: status.methods,
      totp: status.totp,
      recovery_codes_remaining: status.recoveryCodesRemaining,
    });
  });

  router.post('/mfa/totp', bearer, jsonBody, async (req, res) => {
    const enrolment = await service.enrolTotp(callerOf(req));
    res
      .setHeader('Cache-Control', 'no-store')
      .json({ secret: enrolment.secret, otpauth_url: enrolment.otpauthUrl, qr_svg: enrolment.qrSvg });
  });

  router.post('/mfa/totp/confirm', bearer, jsonBody, async (req, res) => {
    const { code } = parseBody(confirmSchema, req.body);
    const codes = await service.confirmTotp(callerOf(req), code);
    res.setHeader('Cache-Control', 'no-store').json({ recovery_codes: codes });
  });

  router.delete('/mfa/totp', bearer, jsonBody, async (req, res) => {
    const { password } = parseBody(passwordSchema, req.body);
    await service.disableTotp(callerOf(req), password, requestMeta(req));
    res.status(204).end();
  });

  router.post('/mfa/recovery-codes', bearer, jsonBody, async (req, res) => {
    const { password } = parseBody(passwordSchema, req.body);
    const codes = await service.regenerateRecoveryCodes(callerOf(req), password, requestMeta(req));
    res.setHeader('Cache-Control', 'no-store').json({ recovery_codes: codes });
  });

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
