import type { Request, RequestHandler, Response } from 'express';
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

function challenge(res: Response, issuer: string, error?: SigilError): void {
  const realm = `realm="${issuer}"`;
  res.setHeader(
    'WWW-Authenticate',
    error ? `Bearer ${realm}, error="invalid_token", error_description="${error.message.replace(/["\\]/g, '')}"` : `Bearer ${realm}`,
  );
}

/** RFC 6750 Bearer authentication for the auth server's own account endpoints. */
export function requireBearer(ctx: AppContext): RequestHandler {
  return async (req, res, next) => {
    const header = req.headers.authorization;
    const match = header ? /^Bearer +([A-Za-z0-9._~+/-]+=*) *$/i.exec(header) : null;
    if (!match) {
      challenge(res, ctx.issuer());
      throw new SigilError('invalid_token', header ? 'Malformed Authorization header' : 'An access token is required');
    }
    try {
      authenticated.set(req, await ctx.service.authenticate(match[1]!));
    } catch (error) {
      if (error instanceof SigilError && error.code === 'invalid_token') challenge(res, ctx.issuer(), error);
      throw error;
    }
    next();
  };
}
