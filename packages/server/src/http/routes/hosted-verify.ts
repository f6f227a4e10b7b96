import { Router, type Request, type Response } from 'express';
import { SigilError } from '../../errors.ts';
import type { AppContext } from '../context.ts';
import { ensureCsrfCookie } from '../cookies.ts';
import { form, hidden, join, links, paragraph } from '../hosted/html.ts';
import { checkFormCsrf, formFields, parseForm } from '../hosted/form.ts';
import { sendMessage, sendPage, sendRateLimited } from '../hosted/respond.ts';
import { optionalReturnTo, withReturnTo } from '../hosted/return-to.ts';
import { requestMeta } from '../request-meta.ts';
import { pageWithinIpBudget } from '../ip-budget.ts';

const TITLE = 'Verify your email address';
const INVALID = 'This link is invalid, was already used, or has expired.';

/**
 * The hosted page a verification link opens (docs/server.md, "Hosted account pages"). GET only
 * shows a button: mail scanners and link previews fetch links, and a GET that used the token up
 * would verify an address nobody confirmed (or spend the user's link). The button posts the
 * token to the same service call as `POST /auth/email/verify`, and the result is a page.
 */
export function hostedVerifyRoutes(ctx: AppContext): Router {
  const router = Router();
  const { config } = ctx;
  const loginMounted = config.cookieMode !== 'off';
  const signIn = (returnTo: string | undefined) =>
    links(loginMounted && returnTo ? [{ href: withReturnTo('/login', returnTo), text: 'Sign in' }] : []);

  router.get('/email/verify', (req: Request, res: Response) => {
    res.setHeader('Referrer-Policy', 'no-referrer');
    const token = typeof req.query.token === 'string' ? req.query.token.slice(0, 256) : '';
    const { returnTo, refused } = optionalReturnTo(req.query.return_to, config, ctx.issuer());
    if (refused || !token) return sendMessage(res, 400, TITLE, 'This link is incomplete.');
    sendPage(res, 200, {
      title: TITLE,
      body: join(
        paragraph('Confirm that this address is yours.'),
        form(
          '/email/verify',
          ensureCsrfCookie(req, res, ctx.issuer()),
          [hidden('token', token), ...(returnTo ? [hidden('return_to', returnTo)] : [])],
          'Verify my email address',
        ),
      ),
    });
  });

  router.post('/email/verify', parseForm, async (req: Request, res: Response) => {
    res.setHeader('Referrer-Policy', 'no-referrer');
    if (!(await pageWithinIpBudget(ctx, req, res, TITLE))) return;
    const fields = formFields(req);
    const { returnTo, refused } = optionalReturnTo(fields.return_to, config, ctx.issuer());
    if (refused) return sendMessage(res, 400, TITLE, 'This link is incomplete.');
    // The page that posts here holds the token in its URL: no-referrer, so its Origin is `null`.
    if (!checkFormCsrf(req, ctx.issuer(), { opaqueOrigin: true }))
      return sendMessage(res, 400, TITLE, 'Your form expired. Open the link from your email again.');
    const token = (fields.token ?? '').slice(0, 256);
    if (!token) return sendMessage(res, 400, TITLE, 'This link is incomplete.');
    try {
      const user = await ctx.service.verifyEmail(token, requestMeta(req));
      sendMessage(res, 200, 'Email address verified', `${user.email} is verified. Thank you.`, { kind: 'result', then: signIn(returnTo) });
    } catch (error) {
      if (error instanceof SigilError && error.code === 'invalid_grant') return sendMessage(res, 400, TITLE, INVALID);
      if (error instanceof SigilError && error.code === 'email_taken')
        return sendMessage(res, 409, TITLE, 'Another account uses this address now, so yours cannot move to it.');
      return sendRateLimited(res, error, TITLE);
    }
  });

  return router;
}
