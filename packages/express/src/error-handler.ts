/**
 * Express error handlers that answer in problem+json: `sigilErrorHandler` renders Sigil's auth
 * errors and passes every other error on; `problemErrorHandler` is the last handler of an API
 * and renders every error (what Sigil's own auth server and the demo API use).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { SigilError, sendProblem } from '@sigil/core';
import { sendAuthError } from './challenge.ts';
import { SigilAuthError } from './errors.ts';
import { checker } from './options.ts';

/** A connect-style error handler, typed for Express 4 and 5 apps alike. */
export type SigilErrorHandler = (error: unknown, req: IncomingMessage, res: ServerResponse, next: (error?: unknown) => void) => void;

/**
 * Renders {@link SigilAuthError}s; other errors go to the next error handler. Use it with
 * `onError: 'next'`, or when migrating from express-jwt (it replaces the `UnauthorizedError` branch).
 *
 * @example
 * app.use(requireAuth({ ...opts, onError: 'next' }));
 * app.use(sigilErrorHandler());
 */
export function sigilErrorHandler(options: { realm?: string } = {}): SigilErrorHandler {
  const realm = checker('sigilErrorHandler').realm(options.realm ?? 'sigil');
  return function sigilErrorRenderer(error, _req, res, next) {
    if (error instanceof SigilAuthError) sendAuthError(res, error, realm);
    else next(error);
  };
}

export interface ProblemErrorHandlerOptions {
  /** `realm` of the challenge sent with auth errors. @default 'sigil' */
  realm?: string;
  /** Receives every error answered with a 5xx (with its request), for the logs; never sent to the client. */
  log?: (error: unknown, req: IncomingMessage) => void;
}

/**
 * The last error handler of an API: every error becomes problem+json. Sigil's errors as they are
 * (auth errors with their challenge); request-body errors of `express.json()` and other 4xx
 * errors that carry a `status` (http-errors) as `invalid_request`; anything else as a bare 500,
 * its details given to `log` only.
 *
 * @example
 * app.use(problemErrorHandler({ log: (error) => logger.error({ err: error }, 'unhandled error') }));
 */
export function problemErrorHandler(options: ProblemErrorHandlerOptions = {}): SigilErrorHandler {
  const realm = checker('problemErrorHandler').realm(options.realm ?? 'sigil');
  const log = options.log ?? (() => {});
  return function sigilProblemRenderer(error, req, res, next) {
    if (res.headersSent) return next(error);
    if (error instanceof SigilAuthError) return sendAuthError(res, error, realm);
    const known = error instanceof SigilError ? error : fromRequestError(error);
    if (known && known.status < 500) return sendProblem(res, known);
    log(known?.cause ?? error, req);
    sendProblem(res, known ?? new SigilError('internal_error', 'An unexpected error occurred'));
  };
}

/** body-parser and http-errors failures carry a `type` or a 4xx `status`: client errors, not 500s. */
function fromRequestError(error: unknown): SigilError | undefined {
  const { type, status } = (error ?? {}) as { type?: unknown; status?: unknown };
  switch (type) {
    case 'entity.too.large':
      return new SigilError('invalid_request', 'The request body is too large', { status: 413, cause: error });
    case 'entity.parse.failed':
      return new SigilError('invalid_request', 'The request body is not valid JSON', { cause: error });
    case 'charset.unsupported':
    case 'encoding.unsupported':
      return new SigilError('invalid_request', 'Unsupported request body encoding', { status: 415, cause: error });
  }
  if (typeof status === 'number' && status >= 400 && status < 500) {
    return new SigilError('invalid_request', 'The request could not be processed', { status, cause: error });
  }
  return undefined;
}
