import { Router, type Request, type Response } from 'express';
import { SigilError } from '../../errors.ts';
import type { RequestMeta } from '../../sessions/auth-service.ts';
import { clearMfaCookie, hostedBinding, mfaCookie } from '../client-binding.ts';
import type { AppContext } from '../context.ts';
import { checkFormCsrf, formFields, parseForm } from '../hosted/form.ts';
import { links } from '../hosted/html.ts';
import { sendMessage, sendPage } from '../hosted/respond.ts';
import { withReturnTo } from '../hosted/return-to.ts';
import { finishSignIn, resolveSignInTarget } from '../hosted/sign-in-target.ts';
import { secondStepPage, type HostedMethod } from '../hosted/second-step.ts';
import { requestMeta } from '../request-meta.ts';
import { pageWithinIpBudget } from '../ip-budget.ts';

const TITLE = 'Two-step verification';
const BAD_RETURN_TO = 'This sign-in link is not valid: return_to must be an allowed application URL.';

/**
 * The hosted login page's second step (docs/server.md, "Hosted login page"): `POST /login/mfa`
 * takes the code of the form `POST /login` showed, through the same service call (and limits)
 * as `POST /auth/mfa/verify`. The mfa token comes from the hidden field and counts only with
 * this browser's `sigil_mfa` cookie; success sets the refresh cookie and redirects (303) to
 * `return_to`. A post with `show` only switches the form to another factor (no attempt).
 */
export function hostedMfaRoutes(ctx: AppContext): Router {
  const router = Router();

  router.post('/login/mfa', parseForm, async (req: Request, res: Response) => {
    if (!(await pageWithinIpBudget(ctx, req, res, TITLE))) return;
    const fields = formFields(req);
    const target = await resolveSignInTarget(ctx, fields.return_to);
    if (!target) return sendMessage(res, 400, TITLE, BAD_RETURN_TO);
    const returnTo = target.returnTo;
    const startOver = links([{ href: withReturnTo('/login', returnTo), text: 'Sign in again' }]);
    const expired = () => sendMessage(res, 400, TITLE, 'This sign-in has expired. Sign in again.', { then: startOver });
    const csrfToken = checkFormCsrf(req, ctx.issuer());
    if (!csrfToken) return sendMessage(res, 400, TITLE, 'Your sign-in form expired. Sign in again.', { then: startOver });
    const cookie = mfaCookie(req);
    const mfaToken = (fields.mfa_token ?? '').slice(0, 64);
    if (!cookie || !mfaToken) return expired();
    const meta: RequestMeta = { ...requestMeta(req), binding: hostedBinding(cookie) };
    const method: HostedMethod = fields.method === 'recovery_code' ? 'recovery_code' : 'totp';

    const show = async (status: number, error?: string) => {
      const user = await ctx.service.mfaChallengeUser(mfaToken, meta);
      if (!user) return expired();
      const methods = await ctx.service.secondFactorsOf(user.id);
      sendPage(res, status, secondStepPage({ csrfToken, returnTo, mfaToken, method, methods, ...(error ? { error } : {}) }), {
        redirectTo: target.formTarget,
      });
    };
    if (fields.show !== undefined) return show(200);

    try {
      const bundle = await ctx.service.verifySecondFactor({ mfaToken, method, proof: { code: (fields.code ?? '').slice(0, 64) } }, meta);
      clearMfaCookie(res, ctx.issuer());
      await finishSignIn(ctx, req, res, bundle, target);
    } catch (error) {
      if (!(error instanceof SigilError)) throw error;
      if (error.code === 'invalid_mfa') {
        return (await ctx.service.mfaChallengeUser(mfaToken, meta))
          ? show(401, 'Invalid code. Try again.')
          : sendMessage(res, 401, TITLE, 'Invalid code, and too many attempts. Sign in again.', { then: startOver });
      }
      if (error.code === 'invalid_grant') return expired();
      if (error.code === 'rate_limited') {
        for (const [name, value] of Object.entries(error.headers)) res.setHeader(name, value);
        return sendMessage(res, 429, TITLE, 'Too many attempts. Try again later.', { then: startOver });
      }
      throw error;
    }
  });

  return router;
}
