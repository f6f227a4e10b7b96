import { Router, type Request, type Response } from 'express';
import { z } from 'zod';
import { SigilError } from '../../errors.ts';
import { newPasswordSchema, presentedPasswordSchema } from '../../passwords/policy.ts';
import type { TokenBundle } from '../../sessions/auth-service.ts';
import type { AppContext } from '../context.ts';
import {
  REFRESH_COOKIE,
  assertCsrf,
  clearRefreshCookie,
  ensureCsrfCookie,
  readCookie,
  setRefreshCookie,
  wantsCookieDelivery,
} from '../cookies.ts';
import { apiBinding } from '../client-binding.ts';
import { jsonBody } from '../json-body.ts';
import { mfaRequiredError } from '../mfa-required.ts';
import { clientIp, requestMeta } from '../request-meta.ts';
import { parseBody } from '../validate.ts';

const email = z
  .string({ error: 'email must be a string' })
  .trim()
  .max(254, 'email must be at most 254 characters')
  .pipe(z.email({ error: 'email must be a valid email address' }));

const signupSchema = z.object({
  email,
  password: newPasswordSchema,
  name: z.string({ error: 'name must be a string' }).trim().min(1).max(200).nullish(),
});
const loginSchema = z.object({ email, password: presentedPasswordSchema });
const refreshSchema = z.object({ refresh_token: z.string({ error: 'refresh_token must be a string' }).max(512).optional() });

/** The TokenResponse of docs/server.md; in cookie delivery the refresh token goes only into the cookie. */
export function sendTokens(res: Response, ctx: AppContext, bundle: TokenBundle, useCookie: boolean, status = 200): void {
  const body: Record<string, unknown> = {
    access_token: bundle.accessToken,
    token_type: 'Bearer',
    expires_in: bundle.expiresIn,
    expires_at: bundle.expiresAt,
    refresh_token: bundle.refreshToken,
    user: bundle.user,
  };
  if (useCookie) {
    setRefreshCookie(res, bundle.refreshToken, ctx.config, ctx.issuer());
    delete body.refresh_token;
  }
  res.status(status).setHeader('Cache-Control', 'no-store').json(body);
}

/**
 * Where the refresh token comes from: the body, else (cookie mode not off) the HttpOnly cookie,
 * which is CSRF-checked because browsers attach it on their own.
 */
function presentedRefreshToken(req: Request, ctx: AppContext): { token: string | undefined; fromCookie: boolean } {
  const { refresh_token } = parseBody(refreshSchema, req.body);
  if (refresh_token !== undefined && ctx.config.cookieMode !== 'only') return { token: refresh_token, fromCookie: false };
  if (ctx.config.cookieMode === 'off') return { token: undefined, fromCookie: false };
  const cookie = readCookie(req, REFRESH_COOKIE);
  if (cookie === undefined) return { token: undefined, fromCookie: false };
  assertCsrf(req, ctx.config, ctx.issuer());
  return { token: cookie, fromCookie: true };
}

export function authRoutes(ctx: AppContext): Router {
  const router = Router();
  const { service, limits, config } = ctx;

  router.post('/signup', jsonBody, async (req, res) => {
    // Before validation: every signup attempt counts, valid or not (docs/server.md, "Rate limits").
    await limits.consumeSignup(clientIp(req));
    const input = parseBody(signupSchema, req.body);
    const outcome = await service.signup(input, requestMeta(req));
    if (outcome.kind === 'verification_required') {
      // SIGIL_EMAIL_VERIFICATION=required: no tokens until the mailed link is used.
      res.status(201).setHeader('Cache-Control', 'no-store').json({ user: outcome.user, email_verification_required: true });
      return;
    }
    sendTokens(res, ctx, outcome.bundle, wantsCookieDelivery(req, config), 201);
  });

  router.post('/login', jsonBody, async (req, res) => {
    const input = parseBody(loginSchema, req.body);
    const outcome = await service.login(input, { ...requestMeta(req), binding: apiBinding(req, config) });
    if (outcome.kind === 'mfa_required') throw mfaRequiredError(outcome.challenge);
    sendTokens(res, ctx, outcome.bundle, wantsCookieDelivery(req, config));
  });

  router.post('/refresh', jsonBody, async (req, res) => {
    const { token, fromCookie } = presentedRefreshToken(req, ctx);
    if (token === undefined) throw new SigilError('invalid_grant', 'No refresh token was presented');
    try {
      const bundle = await service.refresh(token);
      sendTokens(res, ctx, bundle, fromCookie || wantsCookieDelivery(req, config));
    } catch (error) {
      if (fromCookie && error instanceof SigilError && error.code === 'invalid_grant') clearRefreshCookie(res, ctx.issuer());
      throw error;
    }
  });

  router.post('/logout', jsonBody, async (req, res) => {
    const { token, fromCookie } = presentedRefreshToken(req, ctx);
    if (token !== undefined) await service.logout(token);
    if (fromCookie || readCookie(req, REFRESH_COOKIE) !== undefined) clearRefreshCookie(res, ctx.issuer());
    res.status(204).end();
  });

  router.get('/csrf', (req, res) => {
    const token = ensureCsrfCookie(req, res, ctx.issuer());
    // Whether this browser holds a refresh cookie (the page cannot see an HttpOnly cookie): a
    // signed-out visitor's client then skips a refresh that could only fail with a 401.
    const session = config.cookieMode !== 'off' && readCookie(req, REFRESH_COOKIE) !== undefined;
    res.setHeader('Cache-Control', 'no-store').json({ csrf_token: token, session });
  });

  return router;
}
