import { Router, type Request, type Response } from 'express';
import { z } from 'zod';
import { SigilError } from '../../errors.ts';
import { newPasswordSchema, PASSWORD_MIN_LENGTH } from '../../passwords/policy.ts';
import { emailSchema } from '../../sessions/account-fields.ts';
import type { AppContext } from '../context.ts';
import { ensureCsrfCookie } from '../cookies.ts';
import { field, form, hidden, join, links, paragraph, type PageMarkup } from '../hosted/html.ts';
import { FIX_FIELDS, fieldErrors, parseForm } from '../hosted/form.ts';
import { acceptFormPost } from '../hosted/accept-post.ts';
import { sendMessage, sendPage, sendRateLimited } from '../hosted/respond.ts';
import { withReturnTo } from '../hosted/return-to.ts';
import { finishSignIn, resolveSignInTarget, type SignInTarget } from '../hosted/sign-in-target.ts';
import { clientIp, requestMeta } from '../request-meta.ts';

const TITLE = 'Create account';
const BAD_RETURN_TO = 'This sign-up link is not valid: return_to must be an allowed application URL.';

const signupForm = z.object({
  // An empty name field means no name.
  name: z
    .string()
    .trim()
    .max(200, 'name must be at most 200 characters')
    .transform((name) => name || null),
  email: emailSchema,
  password: newPasswordSchema,
});

interface SignupForm {
  csrfToken: string;
  returnTo: string;
  name?: string;
  email?: string;
  error?: string;
  errors?: Record<string, string | undefined>;
}

function signupPage(o: SignupForm): PageMarkup {
  const errors = o.errors ?? {};
  return {
    title: TITLE,
    ...(o.error ? { error: o.error } : {}),
    referrer: 'same-origin',
    body: join(
      form(
        '/signup',
        o.csrfToken,
        [
          hidden('return_to', o.returnTo),
          field({
            name: 'name',
            label: 'Name (optional)',
            type: 'text',
            autocomplete: 'name',
            required: false,
            value: o.name ?? '',
            error: errors.name,
          }),
          field({ name: 'email', label: 'Email', type: 'email', autocomplete: 'email', value: o.email ?? '', error: errors.email }),
          field({
            name: 'password',
            label: 'Password',
            type: 'password',
            autocomplete: 'new-password',
            hint: `At least ${PASSWORD_MIN_LENGTH} characters.`,
            error: errors.password,
          }),
        ],
        'Create account',
      ),
      links([{ href: withReturnTo('/login', o.returnTo), text: 'Already have an account? Sign in' }]),
    ),
  };
}

/**
 * The hosted "Create account" page (docs/server.md, "Hosted account pages"), linked from
 * `/login`: the same signup as `POST /auth/signup` (same limits and validation), answered with
 * pages. A new session's refresh cookie is set and the browser goes back to `return_to`; under
 * `SIGIL_EMAIL_VERIFICATION=required` a page asks to follow the mailed link instead.
 */
export function hostedSignupRoutes(ctx: AppContext): Router {
  const router = Router();
  const show = (res: Response, status: number, o: SignupForm, target: SignInTarget) =>
    sendPage(res, status, signupPage(o), { redirectTo: target.formTarget });

  router.get('/signup', async (req: Request, res: Response) => {
    const target = await resolveSignInTarget(ctx, req.query.return_to);
    if (!target) return sendMessage(res, 400, TITLE, BAD_RETURN_TO);
    show(res, 200, { csrfToken: ensureCsrfCookie(req, res, ctx.issuer()), returnTo: target.returnTo }, target);
  });

  router.post('/signup', parseForm, async (req: Request, res: Response) => {
    const accepted = await acceptFormPost(ctx, req, res, {
      title: TITLE,
      badReturnTo: BAD_RETURN_TO,
      expired: 'Your sign-up form expired. Go back and try again.',
    });
    if (!accepted) return;
    const { fields, target, csrfToken } = accepted;
    const returnTo = target.returnTo;
    const typed = { name: (fields.name ?? '').slice(0, 200), email: (fields.email ?? '').slice(0, 254) };
    const again = (status: number, extra: Pick<SignupForm, 'error' | 'errors'>) =>
      show(res, status, { csrfToken, returnTo, ...typed, ...extra }, target);

    try {
      // Before validation, as for POST /auth/signup: every attempt counts.
      await ctx.limits.consumeSignup(clientIp(req));
    } catch (error) {
      return sendRateLimited(res, error, TITLE);
    }
    const parsed = signupForm.safeParse({ name: fields.name ?? '', email: fields.email ?? '', password: fields.password ?? '' });
    if (!parsed.success) return again(400, { error: FIX_FIELDS, errors: fieldErrors(parsed.error) });

    let outcome;
    try {
      outcome = await ctx.service.signup(parsed.data, requestMeta(req));
    } catch (error) {
      if (error instanceof SigilError && error.code === 'email_taken')
        return again(409, { error: FIX_FIELDS, errors: { email: 'An account with this email already exists.' } });
      throw error;
    }
    if (outcome.kind === 'verification_required') {
      return sendPage(res, 201, {
        title: 'Check your email',
        body: join(
          paragraph(`We sent a link to ${outcome.user.email}. Follow it to verify your address, then sign in.`),
          links([{ href: withReturnTo('/login', returnTo), text: 'Sign in' }]),
        ),
      });
    }
    await finishSignIn(ctx, req, res, outcome.bundle, target);
  });

  return router;
}
