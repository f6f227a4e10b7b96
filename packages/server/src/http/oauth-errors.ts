import type { ErrorRequestHandler, RequestHandler } from 'express';
import { SigilError } from '../errors.ts';
import type { Logger } from '../logger.ts';
import { OAuthError } from '../oauth/errors.ts';

/**
 * The error handler of the OAuth endpoints: OAuth's `{error, error_description}` (RFC 6749 5.2)
 * instead of problem+json. Sigil's own failures map onto it: storage down is
 * `temporarily_unavailable` (503, retry), a spent rate-limit budget 429 with Retry-After, a body
 * that is not a form `invalid_request`; anything else is logged and answered `server_error`
 * without details.
 */
export function oauthErrorHandler(logger: Logger): ErrorRequestHandler {
  return (error, req, res, next) => {
    if (res.headersSent) return next(error);
    let answer: OAuthError;
    if (error instanceof OAuthError) answer = error;
    else if (error instanceof SigilError && error.code === 'unavailable')
      answer = new OAuthError('temporarily_unavailable', 'Storage is temporarily unavailable; retry', {
        headers: error.headers as Record<string, string>,
      });
    else if (error instanceof SigilError && error.code === 'rate_limited')
      answer = new OAuthError('invalid_request', 'Too many requests; retry later', {
        status: 429,
        headers: error.headers as Record<string, string>,
      });
    else if (isBodyError(error))
      answer = new OAuthError('invalid_request', 'The body must be a small application/x-www-form-urlencoded form', {
        status: error.status,
      });
    else {
      logger.error({ err: error, method: req.method, path: req.path }, 'OAuth request failed');
      answer = new OAuthError('server_error', 'The request failed on the server');
    }
    for (const [name, value] of Object.entries(answer.headers)) res.setHeader(name, value);
    res.setHeader('Cache-Control', 'no-store');
    res.status(answer.status).json(answer.toJSON());
  };
}

function isBodyError(error: unknown): error is { status: number } {
  const status = (error as { status?: unknown; type?: unknown } | null)?.status;
  const type = (error as { type?: unknown } | null)?.type;
  return typeof status === 'number' && status >= 400 && status < 500 && typeof type === 'string';
}

/**
 * CORS for the endpoints browsers call directly (token, revocation, userinfo): any origin, and
 * never credentials. They take no cookies, so a page of another origin gains nothing it could
 * not do with the code or token it already holds; a public client on any registered site can
 * then use them.
 */
export const openCors = ((req, res, next) => {
  res.setHeader('Access-Control-Allow-Origin', '*');
  res.setHeader('Access-Control-Expose-Headers', 'WWW-Authenticate, Retry-After');
  if (req.method === 'OPTIONS' && req.headers['access-control-request-method']) {
    res.setHeader('Access-Control-Allow-Methods', 'GET, POST, OPTIONS');
    res.setHeader('Access-Control-Allow-Headers', 'Authorization, Content-Type');
    res.setHeader('Access-Control-Max-Age', '600');
    res.status(204).end();
    return;
  }
  next();
}) satisfies RequestHandler;
