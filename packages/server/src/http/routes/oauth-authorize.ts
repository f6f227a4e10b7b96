import { Router, type Request, type Response } from 'express';
import { authorizationErrorResponse, parseAuthorizationRequest } from '../../oauth/authorization-request.ts';
import type { AppContext } from '../context.ts';
import { checkFormCsrf, formFields, parseForm } from '../hosted/form.ts';
import { links } from '../hosted/html.ts';
import { sendMessage } from '../hosted/respond.ts';
import { AUTHORIZE_PATH, withReturnTo } from '../hosted/return-to.ts';
import { resolveSignInTarget } from '../hosted/sign-in-target.ts';
import { pageWithinIpBudget } from '../ip-budget.ts';

const TITLE = 'Sign in';

/**
 * The authorization endpoint (docs/oauth.md, "Flows"; RFC 6749 4.1, RFC 7636, RFC 9207) and the
 * consent form's answer. A valid request goes to the hosted sign-in page with the request as its
 * `return_to`, so the sign-in (password, second step, passkey, or a new account) ends with a code
 * for the client; an invalid client or redirect URI is a page of ours, never a redirect.
 */
export function oauthAuthorizeRoutes(ctx: AppContext): Router {
  const router = Router();
  const oauth = ctx.oauth!;

  router.get(AUTHORIZE_PATH, async (req: Request, res: Response) => {
    if (!(await pageWithinIpBudget(ctx, req, res, TITLE))) return;
    const parsed = await parseAuthorizationRequest(req.query as Record<string, unknown>, {
      clients: ctx.clients,
      defaultAudience: ctx.config.audience,
    });
    res.setHeader('Cache-Control', 'no-store');
    if (parsed.kind === 'page') return sendMessage(res, 400, TITLE, parsed.message);
    if (parsed.kind === 'redirect')
      return res.redirect(303, authorizationErrorResponse(parsed.redirectUri, parsed.state, parsed.error, ctx.issuer()));
    const query = req.originalUrl.slice(req.originalUrl.indexOf('?'));
    res.redirect(303, withReturnTo('/login', `${ctx.issuer()}${AUTHORIZE_PATH}${query}`));
  });

  router.post('/oauth/consent', parseForm, async (req: Request, res: Response) => {
    if (!(await pageWithinIpBudget(ctx, req, res, TITLE))) return;
    const fields = formFields(req);
    const target = await resolveSignInTarget(ctx, fields.return_to);
    if (!target?.oauth) return sendMessage(res, 400, TITLE, 'This consent request is not valid.');
    const startOver = links([{ href: withReturnTo('/login', target.returnTo), text: 'Sign in again' }]);
    if (!checkFormCsrf(req, ctx.issuer()))
      return sendMessage(res, 400, TITLE, 'Your consent form expired. Sign in again.', { then: startOver });
    const decision = fields.decision;
    if (decision !== 'allow' && decision !== 'deny') return sendMessage(res, 400, TITLE, 'Choose Allow or Deny.', { then: startOver });
    const answered = await oauth.authorization.answerConsent(target.oauth, fields.consent ?? '', decision === 'allow');
    if (!answered)
      return sendMessage(res, 400, TITLE, 'This consent request has expired or was answered already. Sign in again.', { then: startOver });
    res.setHeader('Cache-Control', 'no-store');
    res.redirect(303, answered.location);
  });

  return router;
}
