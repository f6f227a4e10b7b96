import { bearerChallenge } from '@sigil/core';
import { bearerToken } from '@sigil/express';
import type { Request, RequestHandler } from 'express';
import { SigilError } from '../errors.ts';
import type { Authenticated } from '../sessions/auth-service.ts';
import type { AppContext } from './context.ts';

const authenticated = new WeakMap<Request, Authenticated>();

/** The authenticated caller of a route behind `requireBearer`. */
export function callerOf(req: Request): Authenticated {
  const auth = authenticated.get(req);
  if (!auth) throw new TypeError('route is missing requireBearer');
  return auth;
}

/**
 * RFC 6750 Bearer authentication for the auth server's own account endpoints: the token is read
 * as @sigil/express reads it and checked by the auth service (the middleware's verifier, then the
 * session and the user). A third-party OAuth client's token is refused (403 `insufficient_scope`,
 * docs/oauth.md "First-party and third-party clients"). A refusal carries its challenge, with the
 * issuer as realm.
 */
export function requireBearer(ctx: AppContext): RequestHandler {
  return async (req, _res, next) => {
    const header = req.headers.authorization;
    const token = header === undefined ? undefined : bearerToken(header);
    const realm = ctx.issuer();
    if (!token) {
      const detail = header === undefined ? 'An access token is required' : 'Malformed Authorization header';
      throw new SigilError('invalid_token', detail, { headers: { 'WWW-Authenticate': bearerChallenge({ realm }) } });
    }
    let caller: Authenticated;
    try {
      caller = await ctx.service.authenticate(token);
    } catch (error) {
      if (!(error instanceof SigilError) || error.code !== 'invalid_token') throw error;
      throw new SigilError('invalid_token', error.message, {
        cause: error,
        headers: { 'WWW-Authenticate': bearerChallenge({ realm, error }) },
      });
    }
    // These endpoints manage the account (its sessions, factors, address, password). A user who
    // let a third-party application "know who you are" gave it no such power: only the tokens of
    // Sigil's own apps (the JSON API, first-party OAuth clients) are taken here.
    const grant = caller.session.oauth;
    if (grant && !(await ctx.clients.find(grant.clientId))?.firstParty) {
      const error = { code: 'insufficient_scope', message: 'The account API takes the tokens of first-party applications only' } as const;
      throw new SigilError(error.code, error.message, { headers: { 'WWW-Authenticate': bearerChallenge({ realm, error }) } });
    }
    authenticated.set(req, caller);
    next();
  };
}
