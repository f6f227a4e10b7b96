/**
 * problem+json responses of the demo API (RFC 9457, same shape and codes as the auth server):
 * Sigil's auth errors are rendered by @sigil/express; the rest is mapped here.
 */
import type { ErrorRequestHandler, RequestHandler, Response } from 'express';
import { SigilAuthError, toProblem, challenge } from '@sigil/express';

/** One field-level validation problem. */
export interface FieldError {
  path: string;
  message: string;
}

const TITLES = {
  invalid_request: 'Invalid request',
  not_found: 'Not found',
  internal_error: 'Internal server error',
} as const;

type Code = keyof typeof TITLES;

/** Sends a problem+json response. */
export function sendProblem(res: Response, status: number, code: Code, detail: string, errors?: FieldError[]): void {
  res
    .status(status)
    .type('application/problem+json')
    .json({ type: `https://sigil.dev/errors/${code}`, title: TITLES[code], status, detail, code, ...(errors ? { errors } : {}) });
}

/** 404 for every route the API does not have. */
export const notFound: RequestHandler = (req, res) => {
  sendProblem(res, 404, 'not_found', `No route for ${req.method} ${req.path}`);
};

/**
 * Last error handler: Sigil auth errors with their challenge, malformed JSON bodies as 400,
 * anything else as a bare 500 (details go to the log, never to the client).
 */
export function errorHandler(realm: string, log: (error: unknown) => void): ErrorRequestHandler {
  return (error: unknown, _req, res, next) => {
    if (res.headersSent) return next(error);
    if (error instanceof SigilAuthError) {
      res.status(error.status).set('WWW-Authenticate', challenge(error, realm)).type('application/problem+json').json(toProblem(error));
      return;
    }
    const status = (error as { status?: unknown }).status;
    const type = (error as { type?: unknown }).type;
    if (type === 'entity.parse.failed') return sendProblem(res, 400, 'invalid_request', 'The request body is not valid JSON');
    if (type === 'entity.too.large') return sendProblem(res.status(413), 413, 'invalid_request', 'The request body is too large');
    if (typeof status === 'number' && status >= 400 && status < 500)
      return sendProblem(res, status, 'invalid_request', 'The request could not be processed');
    log(error);
    sendProblem(res, 500, 'internal_error', 'Something went wrong');
  };
}
