import { randomBytes } from 'node:crypto';
import express, { Router, type Request, type Response } from 'express';
import { z } from 'zod';
import { SigilError } from '../../errors.ts';
import { presentedPasswordSchema } from '../../passwords/policy.ts';
import type { AppContext } from '../context.ts';
import { CSRF_COOKIE, ensureCsrfCookie, readCookie, setRefreshCookie } from '../cookies.ts';
import { clientIp, requestMeta } from '../request-meta.ts';

const formSchema = z.object({
  email: z.string().trim().max(254).pipe(z.email()),
  password: presentedPasswordSchema,
  csrf_token: z.string().max(128),
  return_to: z.string().max(2048),
});

const parseForm = express.urlencoded({ extended: false, limit: '16kb', parameterLimit: 10 });

function escapeHtml(value: string): string {
  return value.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

/**
 * Only absolute http(s) URLs on an allowed origin may be redirect targets: anything else
 * (other hosts, `//evil`, `javascript:`, userinfo tricks) is refused, so the page is no open redirect.
 */
export function allowedReturnTo(value: unknown, allowedOrigins: readonly string[]): string | undefined {
  if (typeof value !== 'string' || value.length > 2048) return undefined;
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return undefined;
  }
  if ((url.protocol !== 'http:' && url.protocol !== 'https:') || url.username || url.password) return undefined;
  return allowedOrigins.includes(url.origin) ? url.href : undefined;
}

interface PageOptions {
  csrfToken: string;
  returnTo: string;
  email?: string;
  error?: string;
  nonce: string;
}

function page(o: PageOptions): string {
  const error = o.error ? `<p class="error" role="alert">${escapeHtml(o.error)}</p>` : '';
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="same-origin">
<title>Sign in · Sigil</title>
<style nonce="${o.nonce}">
  body { font: 16px/1.5 system-ui, sans-serif; background: #f4f5f7; color: #1c2024; display: grid; place-items: center; min-height: 100vh; margin: 0; }
  main { background: #fff; padding: 2rem; border-radius: 12px; box-shadow: 0 2px 12px rgba(0,0,0,.08); width: min(22rem, 90vw); }
  h1 { margin: 0 0 1rem; font-size: 1.4rem; }
  label { display: block; margin: .8rem 0 .2rem; font-weight: 600; }
  input { width: 100%; box-sizing: border-box; padding: .6rem; border: 1px solid #9aa1a9; border-radius: 6px; font: inherit; }
  input:focus, button:focus { outline: 3px solid #4c6ef5; outline-offset: 1px; }
  button { margin-top: 1.2rem; width: 100%; padding: .7rem; border: 0; border-radius: 6px; background: #364fc7; color: #fff; font: inherit; font-weight: 600; cursor: pointer; }
  .error { background: #fff0f0; color: #a51d1d; padding: .6rem; border-radius: 6px; }
</style>
</head>
<body>
<main>
<h1>Sign in</h1>
${error}
<form method="post" action="/login">
<input type="hidden" name="csrf_token" value="${escapeHtml(o.csrfToken)}">
<input type="hidden" name="return_to" value="${escapeHtml(o.returnTo)}">
<label for="email">Email</label>
<input id="email" name="email" type="email" autocomplete="username" required value="${escapeHtml(o.email ?? '')}">
<label for="password">Password</label>
<input id="password" name="password" type="password" autocomplete="current-password" required>
<button type="submit">Sign in</button>
</form>
</main>
</body>
</html>`;
}

function sendPage(res: Response, status: number, options: Omit<PageOptions, 'nonce'>): void {
  const nonce = randomBytes(16).toString('base64');
  res.setHeader(
    'Content-Security-Policy',
    // Browsers apply form-action to the redirect after the POST too, so the app's origin is listed.
    `default-src 'none'; style-src 'nonce-${nonce}'; form-action 'self' ${new URL(options.returnTo).origin}; frame-ancestors 'none'; base-uri 'none'`,
  );
  res.setHeader('Cache-Control', 'no-store');
  res
    .status(status)
    .type('html')
    .send(page({ ...options, nonce }));
}

function sendRefusal(res: Response, message: string): void {
  res.setHeader('Content-Security-Policy', "default-src 'none'; frame-ancestors 'none'");
  res
    .status(400)
    .type('html')
    .send(
      `<!doctype html><html lang="en"><meta charset="utf-8"><title>Sign in · Sigil</title><p role="alert">${escapeHtml(message)}</p></html>`,
    );
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
  const { config } = ctx;

  router.get('/login', (req: Request, res: Response) => {
    const returnTo = allowedReturnTo(req.query.return_to, config.allowedOrigins);
    if (!returnTo) return sendRefusal(res, 'This sign-in link is not valid: return_to must be an allowed application URL.');
    sendPage(res, 200, { csrfToken: ensureCsrfCookie(req, res, ctx.issuer()), returnTo });
  });

  router.post('/login', parseForm, async (req: Request, res: Response) => {
    try {
      await ctx.limits.consumeIp(clientIp(req));
    } catch (error) {
      // A browser posted a form: answer with a page, not problem+json.
      if (!(error instanceof SigilError) || error.code !== 'rate_limited') throw error;
      for (const [name, value] of Object.entries(error.headers)) res.setHeader(name, value);
      res.setHeader('Content-Security-Policy', "default-src 'none'; frame-ancestors 'none'");
      return res
        .status(429)
        .type('html')
        .send(
          '<!doctype html><html lang="en"><meta charset="utf-8"><title>Sign in · Sigil</title><p role="alert">Too many attempts. Try again later.</p></html>',
        );
    }
    const body = (req.body ?? {}) as Record<string, unknown>;
    const returnTo = allowedReturnTo(body.return_to, config.allowedOrigins);
    if (!returnTo) return sendRefusal(res, 'This sign-in link is not valid: return_to must be an allowed application URL.');
    const origin = req.headers.origin;
    const cookieToken = readCookie(req, CSRF_COOKIE);
    // A same-origin form post: Origin (when the browser sends one) is the issuer itself.
    if ((origin && origin !== new URL(ctx.issuer()).origin) || !cookieToken || body.csrf_token !== cookieToken) {
      return sendRefusal(res, 'Your sign-in form expired. Go back and try again.');
    }
    const parsed = formSchema.safeParse(body);
    const email = typeof body.email === 'string' ? body.email.slice(0, 254) : '';
    const again = (status: number, error: string) => sendPage(res, status, { csrfToken: cookieToken, returnTo, email, error });
    if (!parsed.success) return again(400, 'Enter your email and password.');

    try {
      const bundle = await ctx.service.login(parsed.data, requestMeta(req));
      setRefreshCookie(res, bundle.refreshToken, config, ctx.issuer());
      res.setHeader('Cache-Control', 'no-store');
      res.redirect(303, returnTo);
    } catch (error) {
      if (!(error instanceof SigilError)) throw error;
      if (error.code === 'invalid_credentials') return again(401, 'Invalid email or password');
      if (error.code === 'rate_limited') {
        for (const [name, value] of Object.entries(error.headers)) res.setHeader(name, value);
        return again(429, 'Too many attempts. Try again later.');
      }
      throw error;
    }
  });

  return router;
}
