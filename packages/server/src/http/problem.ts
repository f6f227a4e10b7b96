import { problemErrorHandler } from '@sigil/express';
import type { ErrorRequestHandler, RequestHandler } from 'express';
import { SigilError } from '../errors.ts';
import type { Logger } from '../logger.ts';

/** Last middleware: every error becomes RFC 9457 problem+json; internals are logged, never sent. */
export function problemHandler(logger: Logger): ErrorRequestHandler {
  return problemErrorHandler({
    log: (error, req) => logger.error({ err: error, method: req.method, path: (req as { path?: string }).path }, 'request failed'),
  });
}

export const notFoundHandler: RequestHandler = () => {
  throw new SigilError('not_found', 'No such endpoint');
};
