import express, { Router, type Request } from 'express';
import { authenticateClient } from '../../oauth/client-auth.ts';
import type { AppContext } from '../context.ts';
import { openCors } from '../oauth-errors.ts';
import { ipBudget } from '../ip-budget.ts';

/** Token requests are small forms (RFC 6749 3.2: application/x-www-form-urlencoded). */
const parseTokenForm = express.urlencoded({ extended: false, limit: '16kb', parameterLimit: 20 });

function bodyOf(req: Request): Record<string, unknown> {
  return (req.body ?? {}) as Record<string, unknown>;
}

/**
 * `POST /oauth/token`, `/oauth/revoke` (RFC 7009) and `/oauth/introspect` (RFC 7662): each
 * authenticates the client first (docs/oauth.md, "Client authentication"), then hands the form
 * to the OAuth use cases. Answers are never cached.
 */
export function oauthTokenRoutes(ctx: AppContext): Router {
  const router = Router();
  const oauth = ctx.oauth!;
  const client = (req: Request) =>
    authenticateClient(ctx.clients, { authorization: req.headers.authorization, body: bodyOf(req) }, ctx.issuer());

  router.use(['/oauth/token', '/oauth/revoke'], openCors);
  router.use(['/oauth/token', '/oauth/revoke', '/oauth/introspect'], ipBudget(ctx));

  router.post('/oauth/token', parseTokenForm, async (req, res) => {
    const response = await oauth.grants.grant(await client(req), bodyOf(req));
    res.setHeader('Cache-Control', 'no-store');
    res.json(response);
  });

  router.post('/oauth/revoke', parseTokenForm, async (req, res) => {
    const authenticated = await client(req);
    await oauth.management.revoke(authenticated.client, bodyOf(req));
    res.setHeader('Cache-Control', 'no-store');
    res.status(200).end();
  });

  router.post('/oauth/introspect', parseTokenForm, async (req, res) => {
    const response = await oauth.management.introspect(await client(req), bodyOf(req));
    res.setHeader('Cache-Control', 'no-store');
    res.json(response);
  });

  return router;
}
