import type { ErrorRequestHandler, RequestHandler, Response } from 'express';
import { SigilError, toProblem } from '../errors.ts';
import type { Logger } from '../logger.ts';

export const PROBLEM_CONTENT_TYPE = 'application/problem+json';

export function sendProblem(res: Response, error: SigilError): void {
  for (const [name, value] of Object.entries(error.headers)) res.setHeader(name, value);
  res
    .status(error.status)
    .type(PROBLEM_CONTENT_TYPE)
    .send(JSON.stringify(toProblem(error)));
}

/** body-parser failures carry a `type`; map them to client errors instead of 500s. */
function fromBodyParser(error: unknown): SigilError | undefined {
  const type = (error as { type?: unknown })?.type;
  switch (type) {
    case 'entity.too.large':
      return new SigilError('invalid_request', 'The request body is larger than 16 KiB', { status: 413, cause: error });
    case 'entity.parse.failed':
      return new SigilError('invalid_request', 'The request body is not valid JSON', { cause: error });
    case 'charset.unsupported':
    case 'encoding.unsupported':
      return new SigilError('invalid_request', 'Unsupported request body encoding', { status: 415, cause: error });
    case 'request.aborted':
    case 'request.size.invalid':
    case 'stream.encoding.set':
    case 'stream.not.readable':
    case 'parameters.too.many':
      return new SigilError('invalid_request', 'The request body could not be read', { cause: error });
    default:
      return undefined;
  }
}

/** Last middleware: every error becomes RFC 9457 problem+json; internals are logged, never sent. */
export function problemHandler(logger: Logger): ErrorRequestHandler {
  return (error, req, res, next) => {
    if (res.headersSent) return next(error);
    const known = error instanceof SigilError ? error : fromBodyParser(error);
    if (known) {
      if (known.status >= 500) logger.error({ err: known.cause ?? known, method: req.method, path: req.path }, known.message);
      return sendProblem(res, known);
    }
    logger.error({ err: error, method: req.method, path: req.path }, 'unhandled error');
    sendProblem(res, new SigilError('internal_error', 'An unexpected error occurred'));
  };
}

export const notFoundHandler: RequestHandler = (_req, res) => {
  sendProblem(res, new SigilError('not_found', 'No such endpoint'));
};
