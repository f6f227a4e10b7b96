import express, { type Express } from 'express';
import helmet from 'helmet';
import type { AppContext } from './context.ts';
import { corsForOrigins } from './cors.ts';
import { oauthErrorHandler } from './oauth-errors.ts';
import { notFoundHandler, problemHandler } from './problem.ts';
import { accountLifecycleRoutes } from './routes/account-lifecycle.ts';
import { accountRoutes } from './routes/account.ts';
import { authRoutes } from './routes/auth.ts';
import { devMailboxRoutes } from './routes/dev-mailbox.ts';
import { healthRoutes } from './routes/health.ts';
import { hostedLoginRoutes } from './routes/hosted-login.ts';
import { hostedMfaRoutes } from './routes/hosted-mfa.ts';
import { hostedPasskeyRoutes } from './routes/hosted-passkey.ts';
import { hostedPasswordRoutes } from './routes/hosted-password.ts';
import { hostedSignupRoutes } from './routes/hosted-signup.ts';
import { hostedVerifyRoutes } from './routes/hosted-verify.ts';
import { mfaRoutes } from './routes/mfa.ts';
import { oauthAuthorizeRoutes } from './routes/oauth-authorize.ts';
import { oauthSessionRoutes } from './routes/oauth-session.ts';
import { oauthTokenRoutes } from './routes/oauth-token.ts';
import { openApiRoutes } from './routes/openapi.ts';
import { passkeyRoutes } from './routes/passkeys.ts';
import { wellKnownRoutes } from './routes/well-known.ts';
import { ipBudget } from './ip-budget.ts';

/** The auth server's Express application: middleware order is part of the security model. */
export function createApp(ctx: AppContext): Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', ctx.config.trustProxy);
  app.set('etag', false);
  // A JSON API: no scripts, no framing, no sniffing. The hosted login page sets its own CSP.
  app.use(
    helmet({
      contentSecurityPolicy: { useDefaults: false, directives: { defaultSrc: ["'none'"], frameAncestors: ["'none'"] } },
      crossOriginResourcePolicy: { policy: 'cross-origin' },
    }),
  );
  app.use(healthRoutes(ctx));
  app.use(wellKnownRoutes(ctx));
  app.use(openApiRoutes(ctx));

  const auth = express.Router();
  auth.use(corsForOrigins(ctx.config.allowedOrigins));
  auth.use(ipBudget(ctx));
  auth.use(authRoutes(ctx));
  auth.use(accountRoutes(ctx));
  auth.use(accountLifecycleRoutes(ctx));
  auth.use(mfaRoutes(ctx));
  auth.use(passkeyRoutes(ctx));
  app.use('/auth', auth);
  // OAuth 2.1 / OpenID Connect (docs/oauth.md): its JSON endpoints answer in OAuth's error form.
  if (ctx.oauth) {
    app.use(oauthAuthorizeRoutes(ctx));
    const oauth = express.Router();
    oauth.use(oauthTokenRoutes(ctx));
    oauth.use(oauthSessionRoutes(ctx));
    oauth.use(oauthErrorHandler(ctx.logger));
    app.use(oauth);
  }
  // Sign-in and sign-up pages hand over the refresh cookie, or end an OAuth authorization: they
  // exist when either can happen. The pages that mailed links open need no session and are always there.
  if (ctx.config.cookieMode !== 'off' || ctx.oauth) {
    app.use(hostedLoginRoutes(ctx));
    app.use(hostedMfaRoutes(ctx));
    app.use(hostedPasskeyRoutes(ctx));
    app.use(hostedSignupRoutes(ctx));
  }
  app.use(hostedPasswordRoutes(ctx));
  app.use(hostedVerifyRoutes(ctx));
  // Serves only while mail goes to it (no SMTP, loopback issuer); 404 otherwise.
  app.use(devMailboxRoutes(ctx));

  app.use(notFoundHandler);
  app.use(problemHandler(ctx.logger));
  return app;
}
