import { Router, type Request } from 'express';
import { z } from 'zod';
import { SigilError } from '../../errors.ts';
import { authenticationResponseSchema, passkeyNameSchema, registrationResponseSchema } from '../../passkeys/index.ts';
import { emailSchema } from '../../sessions/account-fields.ts';
import { callerOf, requireBearer } from '../bearer.ts';
import { apiBinding } from '../client-binding.ts';
import type { AppContext } from '../context.ts';
import { wantsCookieDelivery } from '../cookies.ts';
import { jsonBody } from '../json-body.ts';
import { clientIp, requestMeta } from '../request-meta.ts';
import { parseBody } from '../validate.ts';
import { sendTokens } from './auth.ts';

const registrationSchema = z.object({ response: registrationResponseSchema, name: passkeyNameSchema.optional() });
const renameSchema = z.object({ name: passkeyNameSchema });
// `email` is accepted and not looked up: every Sigil passkey is discoverable, so the options never
// need to list an account's credentials, and listing them by address would tell who has an account.
// `mfa_token`: the second step of a password sign-in (options list that account's passkeys).
const mfaToken = z.string({ error: 'mfa_token must be a string' }).max(512);
const loginOptionsSchema = z.object({ email: emailSchema.optional(), mfa_token: mfaToken.optional() });
const loginSchema = z.object({ response: authenticationResponseSchema, mfa_token: mfaToken.optional() });

function passkeyId(req: Request): string {
  const id = req.params.id;
  if (typeof id !== 'string') throw new SigilError('not_found', 'No such passkey');
  return id;
}

/**
 * The passkey endpoints under /auth (docs/server.md, "Passkeys"): the signed-in user's passkeys
 * (Bearer), and signing in with one. They only translate HTTP to the passkey service and back.
 */
export function passkeyRoutes(ctx: AppContext): Router {
  const router = Router();
  const { passkeys, limits, config } = ctx;
  const bearer = requireBearer(ctx);

  router.post('/passkeys/registration/options', bearer, jsonBody, async (req, res) => {
    const options = await passkeys.registrationOptions(callerOf(req));
    res.setHeader('Cache-Control', 'no-store').json(options);
  });

  router.post('/passkeys/registration', bearer, jsonBody, async (req, res) => {
    const { response, name } = parseBody(registrationSchema, req.body);
    const passkey = await passkeys.register(callerOf(req), response, name);
    res.status(201).setHeader('Cache-Control', 'no-store').json({ passkey });
  });

  router.get('/passkeys', bearer, async (req, res) => {
    res.setHeader('Cache-Control', 'no-store').json({ passkeys: await passkeys.list(callerOf(req)) });
  });

  router.patch('/passkeys/:id', bearer, jsonBody, async (req, res) => {
    const { name } = parseBody(renameSchema, req.body);
    const passkey = await passkeys.rename(callerOf(req), passkeyId(req), name);
    res.setHeader('Cache-Control', 'no-store').json({ passkey });
  });

  router.delete('/passkeys/:id', bearer, jsonBody, async (req, res) => {
    await passkeys.remove(callerOf(req), passkeyId(req));
    res.status(204).end();
  });

  router.post('/passkeys/login/options', jsonBody, async (req, res) => {
    // Before validation: every request counts (each stores a challenge until it expires).
    await limits.consumePasskeyIp(clientIp(req));
    const input = parseBody(loginOptionsSchema, req.body);
    const meta = { ...requestMeta(req), binding: apiBinding(req, config) };
    const options = await passkeys.loginOptions(input.mfa_token === undefined ? {} : { mfaToken: input.mfa_token }, meta);
    res.setHeader('Cache-Control', 'no-store').json(options);
  });

  router.post('/passkeys/login', jsonBody, async (req, res) => {
    await limits.consumePasskeyIp(clientIp(req));
    const { response, mfa_token } = parseBody(loginSchema, req.body);
    // The second step is bound to the client that took the first (http/client-binding.ts).
    const bundle =
      mfa_token === undefined
        ? await passkeys.login(response, requestMeta(req))
        : await passkeys.loginSecondFactor(response, mfa_token, { ...requestMeta(req), binding: apiBinding(req, config) });
    sendTokens(res, ctx, bundle, wantsCookieDelivery(req, config));
  });

  return router;
}
