import express, { type RequestHandler } from 'express';
import { SigilError } from '../errors.ts';

export const BODY_LIMIT = '16kb';

const parseJson = express.json({ limit: BODY_LIMIT, strict: true, type: () => true });

function hasBody(headers: Record<string, string | string[] | undefined>): boolean {
  const length = headers['content-length'];
  if (length !== undefined) return Number(length) > 0;
  return headers['transfer-encoding'] !== undefined;
}

/**
 * JSON bodies only: a request that carries a body must declare `application/json` (415 otherwise),
 * at most 16 KiB (413). A bodiless request gets `{}`, so routes always see an object.
 */
export const jsonBody: RequestHandler = (req, res, next) => {
  if (!hasBody(req.headers)) {
    req.body = {};
    return next();
  }
  if (!req.is('application/json')) {
    return next(new SigilError('invalid_request', 'Request bodies must be application/json', { status: 415 }));
  }
  parseJson(req, res, next);
};
