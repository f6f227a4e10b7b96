import type { Request, Response } from 'express';
import { parseAuthorizationRequest, type AuthorizationRequest } from '../../oauth/authorization-request.ts';
import type { TokenBundle } from '../../sessions/types.ts';
import type { AppContext } from '../context.ts';
import { ensureCsrfCookie, setRefreshCookie } from '../cookies.ts';
import { consentPage } from './consent-page.ts';
import { sendPage } from './respond.ts';
import { allowedReturnTo, isAuthorizeReturnTo } from './return-to.ts';

/**
 * Where a hosted sign-in ends (docs/oauth.md, "Flows"): an app on the auth server's site gets
 * the refresh cookie and a redirect to its `return_to`; an OAuth authorization request (a
 * `return_to` that is this server's own `/oauth/authorize` URL) gets a code at its client's
 * redirect URI instead, after the consent page for a third-party client.
 */
export interface SignInTarget {
  /** The `return_to` the hosted pages carry along. */
  returnTo: string;
  /** Where the successful post finally redirects: its origin goes into the page's `form-action`. */
  formTarget: string;
  /** The authorization request, when the sign-in is an OAuth one. */
  oauth?: AuthorizationRequest;
}

/** The target of a `return_to`, or undefined to refuse the page (not allowed, or an invalid authorization request). */
export async function resolveSignInTarget(ctx: AppContext, value: unknown): Promise<SignInTarget | undefined> {
  if (isAuthorizeReturnTo(value, ctx.issuer())) {
    if (!ctx.oauth) return undefined;
    const query = Object.fromEntries(new URL(value).searchParams);
    const parsed = await parseAuthorizationRequest(query, { clients: ctx.clients, defaultAudience: ctx.config.audience });
    if (parsed.kind !== 'request') return undefined;
    return { returnTo: value, formTarget: parsed.request.redirectUri, oauth: parsed.request };
  }
  // Without cookie delivery the pages only serve OAuth: there is no refresh cookie to hand over.
  if (ctx.config.cookieMode === 'off') return undefined;
  const returnTo = allowedReturnTo(value, ctx.config.allowedOrigins);
  return returnTo === undefined ? undefined : { returnTo, formTarget: returnTo };
}

/** Ends a successful hosted sign-in at its target. */
export async function finishSignIn(ctx: AppContext, req: Request, res: Response, bundle: TokenBundle, target: SignInTarget): Promise<void> {
  res.setHeader('Cache-Control', 'no-store');
  if (!target.oauth) {
    setRefreshCookie(res, bundle.refreshToken, ctx.config, ctx.issuer());
    res.redirect(303, target.returnTo);
    return;
  }
  const outcome = await ctx.oauth!.authorization.authorize(target.oauth, { userId: bundle.user.id, sessionId: bundle.sessionId });
  if (outcome.kind === 'redirect') {
    res.redirect(303, outcome.location);
    return;
  }
  const page = consentPage({
    csrfToken: ensureCsrfCookie(req, res, ctx.issuer()),
    consentToken: outcome.consentToken,
    returnTo: target.returnTo,
    clientName: target.oauth.client.name,
    scope: target.oauth.scope,
    email: bundle.user.email,
  });
  sendPage(res, 200, page, { redirectTo: target.formTarget });
}
