import { Router, type Request, type Response } from 'express';
import { z } from 'zod';
import { SigilError } from '../../errors.ts';
import { presentedPasswordSchema } from '../../passwords/policy.ts';
import { MFA_TOKEN_TTL_SECONDS } from '../../sessions/auth-service.ts';
import { hostedBinding, newMfaCookieValue, startMfaCookie } from '../client-binding.ts';
import type { AppContext } from '../context.ts';
import { ensureCsrfCookie } from '../cookies.ts';
import { field, form, hidden, join, links, type PageMarkup } from '../hosted/html.ts';
import { parseForm } from '../hosted/form.ts';
import { PASSKEY_SCRIPT_PATH, passkeySignIn } from '../hosted/passkey-sign-in.ts';
import { acceptFormPost } from '../hosted/accept-post.ts';
import { sendMessage, sendPage } from '../hosted/respond.ts';
import { secondStepPage } from '../hosted/second-step.ts';
import { withReturnTo } from '../hosted/return-to.ts';
import { finishSignIn, resolveSignInTarget, type SignInTarget } from '../hosted/sign-in-target.ts';
import { requestMeta } from '../request-meta.ts';

const formSchema = z.object({
  email: z.string().trim().max(254).pipe(z.email()),
  password: presentedPasswordSchema,
});

const TITLE = 'Sign in';
const BAD_RETURN_TO = 'This sign-in link is not valid: return_to must be an allowed application URL.';

export interface LoginForm {
  csrfToken: string;
  returnTo: string;
  email?: string;
  error?: string;
}

/** The sign-in page: the password form, and (with JavaScript) the passkey button. */
export function loginPage(o: LoginForm): PageMarkup {
  return {
    title: TITLE,
    ...(o.error ? { error: o.error } : {}),
    // The form post must carry its Origin for the CSRF check (the server's default is no-referrer).
    referrer: 'same-origin',
    scripts: [PASSKEY_SCRIPT_PATH],
    body: join(
      form(
        '/login',
        o.csrfToken,
        [
          hidden('return_to', o.returnTo),
          // `webauthn`: the browser may offer passkeys in this field's autofill (conditional UI).
          field({ name: 'email', label: 'Email', type: 'email', autocomplete: 'username webauthn', value: o.email ?? '' }),
          field({ name: 'password', label: 'Password', type: 'password', autocomplete: 'current-password' }),
        ],
        'Sign in',
      ),
      passkeySignIn({ csrfToken: o.csrfToken, returnTo: o.returnTo }),
      links([
        { href: withReturnTo('/password/forgot', o.returnTo), text: 'Forgot password?' },
        { href: withReturnTo('/signup', o.returnTo), text: 'Create account' },
      ]),
    ),
  };
}

/**
 * The hosted login page (docs/server.md, "Hosted login page"): a plain HTML form that works
 * without JavaScript. A successful POST sets the HttpOnly refresh cookie and redirects (303) to
 * `return_to`; the app then gets its access token from `POST /auth/refresh` and never sees the
 * password. Its login goes through the same service call (and brute-force limits) as
 * `POST /auth/login`; only the answers differ: HTML pages instead of problem+json.
 */
export function hostedLoginRoutes(ctx: AppContext): Router {
  const router = Router();
  const show = (res: Response, status: number, o: LoginForm, target: SignInTarget) =>
    sendPage(res, status, loginPage(o), { redirectTo: target.formTarget });

  router.get('/login', async (req: Request, res: Response) => {
    const target = await resolveSignInTarget(ctx, req.query.return_to);
    if (!target) return sendMessage(res, 400, TITLE, BAD_RETURN_TO);
    show(res, 200, { csrfToken: ensureCsrfCookie(req, res, ctx.issuer()), returnTo: target.returnTo }, target);
  });

  router.post('/login', parseForm, async (req: Request, res: Response) => {
    const accepted = await acceptFormPost(ctx, req, res, {
      title: TITLE,
      badReturnTo: BAD_RETURN_TO,
      expired: 'Your sign-in form expired. Go back and try again.',
    });
    if (!accepted) return;
    const { fields, target, csrfToken } = accepted;
    const returnTo = target.returnTo;
    const parsed = formSchema.safeParse(fields);
    const email = (fields.email ?? '').slice(0, 254);
    const again = (status: number, error: string) => show(res, status, { csrfToken, returnTo, email, error }, target);
    if (!parsed.success) return again(400, 'Enter your email and password.');

    try {
      // The second-step cookie's value is drawn now and set only if a second factor is asked for.
      const mfaCookie = newMfaCookieValue();
      const outcome = await ctx.service.login(parsed.data, { ...requestMeta(req), binding: hostedBinding(mfaCookie) });
      if (outcome.kind === 'mfa_required') {
        const { mfaToken, methods } = outcome.challenge;
        startMfaCookie(res, ctx.issuer(), MFA_TOKEN_TTL_SECONDS, mfaCookie);
        const method = methods.includes('totp') ? 'totp' : 'recovery_code';
        return sendPage(res, 200, secondStepPage({ csrfToken, returnTo, mfaToken, method, methods }), { redirectTo: target.formTarget });
      }
      await finishSignIn(ctx, req, res, outcome.bundle, target);
    } catch (error) {
      if (!(error instanceof SigilError)) throw error;
      if (error.code === 'invalid_credentials') return again(401, 'Invalid email or password');
      if (error.code === 'email_not_verified') return again(403, 'Verify your email address first: we sent a new link to it.');
      if (error.code === 'rate_limited') {
        for (const [name, value] of Object.entries(error.headers)) res.setHeader(name, value);
        return again(429, 'Too many attempts. Try again later.');
      }
      throw error;
    }
  });

  return router;
}
