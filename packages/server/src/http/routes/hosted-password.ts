import { Router, type Request, type Response } from 'express';
import { z } from 'zod';
import { SigilError } from '../../errors.ts';
import { newPasswordSchema, PASSWORD_MIN_LENGTH } from '../../passwords/policy.ts';
import { emailSchema } from '../../sessions/account-fields.ts';
import type { AppContext } from '../context.ts';
import { ensureCsrfCookie } from '../cookies.ts';
import { field, form, hidden, join, links, paragraph, type Html, type PageMarkup } from '../hosted/html.ts';
import { FIX_FIELDS, checkFormCsrf, fieldErrors, formFields, parseForm } from '../hosted/form.ts';
import { sendMessage, sendPage, sendRateLimited } from '../hosted/respond.ts';
import { optionalReturnTo, withReturnTo } from '../hosted/return-to.ts';
import { requestMeta } from '../request-meta.ts';
import { pageWithinIpBudget } from '../ip-budget.ts';

const FORGOT = 'Forgot password';
const RESET = 'Choose a new password';
const BAD_RETURN_TO = 'This link is not valid: return_to must be an allowed application URL.';
const EXPIRED_FORM = 'Your form expired. Go back and try again.';

const forgotForm = z.object({ email: emailSchema });
const resetForm = z.object({ token: z.string().min(1).max(256), new_password: newPasswordSchema });

interface Shown {
  csrfToken: string;
  returnTo: string | undefined;
  error?: string;
  errors?: Record<string, string | undefined>;
}

function forgotPage(o: Shown & { email?: string }): PageMarkup {
  return {
    title: FORGOT,
    ...(o.error ? { error: o.error } : {}),
    referrer: 'same-origin',
    body: join(
      paragraph('Enter the email address of your account and we will send you a link to choose a new password.'),
      form(
        '/password/forgot',
        o.csrfToken,
        [
          ...(o.returnTo ? [hidden('return_to', o.returnTo)] : []),
          field({ name: 'email', label: 'Email', type: 'email', autocomplete: 'email', value: o.email ?? '', error: o.errors?.email }),
        ],
        'Send the link',
      ),
    ),
  };
}

function resetPage(o: Shown & { token: string }): PageMarkup {
  // No `referrer` meta: this URL holds the token, and the server's `Referrer-Policy: no-referrer` keeps it here.
  return {
    title: RESET,
    ...(o.error ? { error: o.error } : {}),
    body: form(
      '/password/reset',
      o.csrfToken,
      [
        hidden('token', o.token),
        ...(o.returnTo ? [hidden('return_to', o.returnTo)] : []),
        field({
          name: 'new_password',
          label: 'New password',
          type: 'password',
          autocomplete: 'new-password',
          hint: `At least ${PASSWORD_MIN_LENGTH} characters.`,
          error: o.errors?.new_password,
        }),
      ],
      'Change password',
    ),
  };
}

/**
 * The hosted forgotten-password and new-password pages (docs/server.md, "Hosted account pages"):
 * plain forms over the same service calls as `POST /auth/password/forgot` and
 * `POST /auth/password/reset`. The reset page opens from the mailed link; it never uses the token
 * on GET (mail scanners fetch links), only when its form is posted.
 */
export function hostedPasswordRoutes(ctx: AppContext): Router {
  const router = Router();
  const { config } = ctx;
  const loginMounted = config.cookieMode !== 'off';
  const signIn = (returnTo: string | undefined): Html =>
    links(loginMounted && returnTo ? [{ href: withReturnTo('/login', returnTo), text: 'Back to sign in' }] : []);

  router.get('/password/forgot', (req: Request, res: Response) => {
    const { returnTo, refused } = optionalReturnTo(req.query.return_to, config, ctx.issuer());
    if (refused) return sendMessage(res, 400, FORGOT, BAD_RETURN_TO);
    const page = forgotPage({ csrfToken: ensureCsrfCookie(req, res, ctx.issuer()), returnTo });
    sendPage(res, 200, { ...page, body: join(page.body, signIn(returnTo)) });
  });

  router.post('/password/forgot', parseForm, async (req: Request, res: Response) => {
    if (!(await pageWithinIpBudget(ctx, req, res, FORGOT))) return;
    const fields = formFields(req);
    const { returnTo, refused } = optionalReturnTo(fields.return_to, config, ctx.issuer());
    if (refused) return sendMessage(res, 400, FORGOT, BAD_RETURN_TO);
    const csrfToken = checkFormCsrf(req, ctx.issuer());
    if (!csrfToken) return sendMessage(res, 400, FORGOT, EXPIRED_FORM);
    const parsed = forgotForm.safeParse({ email: fields.email ?? '' });
    if (!parsed.success) {
      const email = (fields.email ?? '').slice(0, 254);
      return sendPage(res, 400, forgotPage({ csrfToken, returnTo, email, error: FIX_FIELDS, errors: fieldErrors(parsed.error) }));
    }
    try {
      await ctx.service.forgotPassword(parsed.data.email, requestMeta(req));
    } catch (error) {
      return sendRateLimited(res, error, FORGOT);
    }
    // The same page whether or not an account has the address.
    sendPage(res, 200, {
      title: 'Check your email',
      body: join(
        paragraph(
          `If an account uses ${parsed.data.email}, we sent it a link to choose a new password. The link works for ${minutes(config.passwordResetTtl)}.`,
        ),
        signIn(returnTo),
      ),
    });
  });

  router.get('/password/reset', (req: Request, res: Response) => {
    res.setHeader('Referrer-Policy', 'no-referrer');
    const token = typeof req.query.token === 'string' ? req.query.token.slice(0, 256) : '';
    const { returnTo, refused } = optionalReturnTo(req.query.return_to, config, ctx.issuer());
    if (refused) return sendMessage(res, 400, RESET, BAD_RETURN_TO);
    if (!token) return linkProblem(res, 400, 'This link is incomplete. Ask for a new one.', returnTo);
    sendPage(res, 200, resetPage({ csrfToken: ensureCsrfCookie(req, res, ctx.issuer()), returnTo, token }));
  });

  router.post('/password/reset', parseForm, async (req: Request, res: Response) => {
    res.setHeader('Referrer-Policy', 'no-referrer');
    if (!(await pageWithinIpBudget(ctx, req, res, RESET))) return;
    const fields = formFields(req);
    const { returnTo, refused } = optionalReturnTo(fields.return_to, config, ctx.issuer());
    if (refused) return sendMessage(res, 400, RESET, BAD_RETURN_TO);
    const csrfToken = checkFormCsrf(req, ctx.issuer(), { opaqueOrigin: true });
    if (!csrfToken) return sendMessage(res, 400, RESET, EXPIRED_FORM);
    const token = (fields.token ?? '').slice(0, 256);
    const parsed = resetForm.safeParse({ token, new_password: fields.new_password ?? '' });
    if (!parsed.success) {
      if (!token) return linkProblem(res, 400, 'This link is incomplete. Ask for a new one.', returnTo);
      return sendPage(res, 400, resetPage({ csrfToken, returnTo, token, error: FIX_FIELDS, errors: fieldErrors(parsed.error) }));
    }
    try {
      await ctx.service.resetPassword(parsed.data.token, parsed.data.new_password, requestMeta(req));
    } catch (error) {
      if (error instanceof SigilError && error.code === 'invalid_grant')
        return linkProblem(res, 400, 'This link is invalid, was already used, or has expired. Ask for a new one.', returnTo);
      return sendRateLimited(res, error, RESET);
    }
    sendMessage(res, 200, 'Password changed', 'Your password was changed, and every device signed in to your account was signed out.', {
      kind: 'result',
      ...(loginMounted && returnTo ? { then: links([{ href: withReturnTo('/login', returnTo), text: 'Sign in' }]) } : {}),
    });
  });

  /** A reset link that cannot be used: say so, and offer a new one. */
  function linkProblem(res: Response, status: number, message: string, returnTo: string | undefined): void {
    sendMessage(res, status, RESET, message, {
      then: links([{ href: withReturnTo('/password/forgot', returnTo), text: 'Ask for a new link' }]),
    });
  }

  return router;
}

function minutes(seconds: number): string {
  const value = Math.round(seconds / 60);
  if (value >= 120 && value % 60 === 0) return `${value / 60} hours`;
  return value === 1 ? '1 minute' : `${value} minutes`;
}
