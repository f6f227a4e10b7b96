import { bearerChallenge } from '@sigil/core';
import { bearerToken } from '@sigil/express';
import { Router, type Request, type Response } from 'express';
import { claimsFor, hasScope } from '../../oauth/scopes.ts';
import * as users from '../../storage/users.ts';
import type { AppContext } from '../context.ts';
import { formFields, parseForm } from '../hosted/form.ts';
import { sendMessage } from '../hosted/respond.ts';
import { openCors } from '../oauth-errors.ts';
import { ipBudget } from '../ip-budget.ts';

/**
 * The OpenID endpoints about the signed-in user: userinfo (OIDC Core 5.3) and RP-initiated
 * logout (`end_session_endpoint`).
 */
export function oauthSessionRoutes(ctx: AppContext): Router {
  const router = Router();
  const oauth = ctx.oauth!;

  router.use('/oauth/userinfo', openCors);
  router.use(['/oauth/userinfo', '/oauth/logout'], ipBudget(ctx));

  const userinfo = async (req: Request, res: Response) => {
    const header = req.headers.authorization;
    const token = header === undefined ? undefined : bearerToken(header);
    const realm = ctx.issuer();
    res.setHeader('Cache-Control', 'no-store');
    // RFC 6750 3.1: no error code for a request without a token, invalid_token for a refused one,
    // insufficient_scope (403) for a good token without `openid`.
    if (!token) {
      res.setHeader('WWW-Authenticate', bearerChallenge({ realm }));
      return res.status(401).json({ error: 'invalid_token', error_description: 'An access token is required' });
    }
    const refuse = (status: 401 | 403, code: 'invalid_token' | 'insufficient_scope', description: string) => {
      res.setHeader('WWW-Authenticate', bearerChallenge({ realm, error: { code, message: description } }));
      res.status(status).json({ error: code, error_description: description });
    };
    const live = await oauth.checkAccessToken(token);
    const user = live?.session && (await users.findUserById(ctx.db, live.session.userId));
    if (!live || !user || user.disabled) return refuse(401, 'invalid_token', 'The access token is invalid, expired or its session ended');
    const scope = typeof live.claims.scope === 'string' ? live.claims.scope : '';
    if (!hasScope(scope, 'openid')) return refuse(403, 'insufficient_scope', 'The access token was not granted the openid scope');
    res.setHeader('Cache-Control', 'no-store');
    res.json({ sub: user.id, ...claimsFor(scope, user) });
  };
  router.get('/oauth/userinfo', userinfo);
  router.post('/oauth/userinfo', userinfo);

  const endSession = async (req: Request, res: Response) => {
    const source = req.method === 'POST' ? formFields(req) : (req.query as Record<string, unknown>);
    const text = (name: string) => (typeof source[name] === 'string' && source[name] !== '' ? (source[name] as string) : undefined);
    const idTokenHint = text('id_token_hint');
    const postLogoutRedirectUri = text('post_logout_redirect_uri');
    const state = text('state');
    const clientId = text('client_id');
    const outcome = await oauth.endSession({
      ...(idTokenHint ? { idTokenHint } : {}),
      ...(postLogoutRedirectUri ? { postLogoutRedirectUri } : {}),
      ...(state ? { state } : {}),
      ...(clientId ? { clientId } : {}),
    });
    res.setHeader('Cache-Control', 'no-store');
    if (outcome.kind === 'redirect') return res.redirect(303, outcome.location);
    if (outcome.refused) return sendMessage(res, 400, 'Sign out', outcome.refused);
    sendMessage(res, 200, 'Signed out', outcome.signedOut ? 'You are signed out.' : 'You are not signed in here.', { kind: 'result' });
  };
  router.get('/oauth/logout', endSession);
  router.post('/oauth/logout', parseForm, endSession);

  return router;
}
