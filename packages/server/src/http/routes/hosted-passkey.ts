import { Router, type Request, type Response } from 'express';
import { SigilError } from '../../errors.ts';
import { authenticationResponseSchema } from '../../passkeys/index.ts';
import type { AppContext } from '../context.ts';
import { checkFormCsrf, formFields, parseForm } from '../hosted/form.ts';
import { PASSKEY_SCRIPT_PATH } from '../hosted/passkey-sign-in.ts';
import { passkeyScript } from '../hosted/passkey-script.ts';
import { sendMessage, sendPage, sendRateLimited } from '../hosted/respond.ts';
import { finishSignIn, resolveSignInTarget } from '../hosted/sign-in-target.ts';
import { clientIp, requestMeta } from '../request-meta.ts';
import { loginPage } from './hosted-login.ts';

const TITLE = 'Sign in';

/** The assertion the page's script put in the form, or undefined when it is not one. */
function assertionOf(value: string | undefined) {
  if (value === undefined || value.length > 12_000) return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(value);
  } catch {
    return undefined;
  }
  const result = authenticationResponseSchema.safeParse(parsed);
  return result.success ? result.data : undefined;
}

/**
 * Passkey sign-in on the hosted login page (docs/server.md, "Hosted login page"): the script the
 * page loads, and `POST /login/passkey`, where that script submits the assertion as a form. Like
 * `POST /login` it checks the CSRF token and `return_to`, signs in through the same service call
 * as `POST /auth/passkeys/login`, sets the refresh cookie and redirects (303); a refusal shows the
 * sign-in page again, whose password form still works.
 */
export function hostedPasskeyRoutes(ctx: AppContext): Router {
  const router = Router();

  router.get(PASSKEY_SCRIPT_PATH, (_req: Request, res: Response) => {
    res.setHeader('Cache-Control', 'public, max-age=300');
    res.type('text/javascript').send(passkeyScript());
  });

  router.post('/login/passkey', parseForm, async (req: Request, res: Response) => {
    try {
      await ctx.limits.consumeIp(clientIp(req));
      await ctx.limits.consumePasskeyIp(clientIp(req));
    } catch (error) {
      return sendRateLimited(res, error, TITLE);
    }
    const fields = formFields(req);
    const target = await resolveSignInTarget(ctx, fields.return_to);
    if (!target) return sendMessage(res, 400, TITLE, 'This sign-in link is not valid: return_to must be an allowed application URL.');
    const { returnTo } = target;
    const csrfToken = checkFormCsrf(req, ctx.issuer());
    if (!csrfToken) return sendMessage(res, 400, TITLE, 'Your sign-in form expired. Go back and try again.');
    const again = (status: number, error: string) =>
      sendPage(res, status, loginPage({ csrfToken, returnTo, error }), { redirectTo: target.formTarget });

    const response = assertionOf(fields.response);
    if (!response) return again(400, 'Your passkey could not be used. Try again, or sign in with your password.');
    try {
      const bundle = await ctx.passkeys.login(response, requestMeta(req));
      await finishSignIn(ctx, req, res, bundle, target);
    } catch (error) {
      if (!(error instanceof SigilError)) throw error;
      if (error.code === 'invalid_credentials')
        return again(401, 'Your passkey could not be used. Try again, or sign in with your password.');
      if (error.code === 'email_not_verified')
        return again(403, 'Verify your email address first: sign in with your password for a new link.');
      if (error.code === 'rate_limited') {
        for (const [name, value] of Object.entries(error.headers)) res.setHeader(name, value);
        return again(429, 'Too many attempts. Try again later.');
      }
      throw error;
    }
  });

  return router;
}
