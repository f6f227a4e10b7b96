/**
 * RFC 9457 problem details: the body of every error the auth server and the middleware send.
 * The only place that turns a {@link SigilError} into a response.
 */
import { ERROR_CODES, type ErrorCode } from './error-codes.ts';
import type { FieldError, SigilError } from './sigil-error.ts';

export const PROBLEM_CONTENT_TYPE = 'application/problem+json';

/** The problem+json body. `type` is a stable URL per code; a few codes carry extension members (`mfa_token`). */
export interface ProblemDetails {
  type: string;
  title: string;
  status: number;
  detail: string;
  code: ErrorCode;
  errors?: readonly FieldError[];
  [extension: string]: unknown;
}

/** Titles for a status that overrides its code's usual one (a 413 `invalid_request`). */
const STATUS_TITLES: Readonly<Record<number, string>> = {
  403: 'Forbidden',
  405: 'Method not allowed',
  413: 'Payload too large',
  415: 'Unsupported media type',
};

/**
 * The body for `error`.
 *
 * @example
 * toProblem(new SigilError('not_found', 'No such session'));
 * // { type: 'https://sigil.dev/errors/not_found', title: 'Not found', status: 404, detail: 'No such session', code: 'not_found' }
 */
export function toProblem(error: SigilError): ProblemDetails {
  const usual = ERROR_CODES[error.code];
  const problem: ProblemDetails = {
    ...error.extensions,
    type: `https://sigil.dev/errors/${error.code}`,
    title: error.status === usual.status ? usual.title : (STATUS_TITLES[error.status] ?? usual.title),
    status: error.status,
    detail: error.message,
    code: error.code,
  };
  if (error.errors) problem.errors = error.errors;
  return problem;
}

/** What {@link sendProblem} needs of a response: node:http's `ServerResponse` and Express's `Response` both fit. */
export interface ProblemResponse {
  statusCode: number;
  readonly headersSent: boolean;
  setHeader(name: string, value: string | number): unknown;
  end(body: string): unknown;
}

/**
 * Writes `error` as a problem+json response (status, the error's own headers plus `headers`,
 * `Cache-Control: no-store`), unless a response was already started.
 */
export function sendProblem(res: ProblemResponse, error: SigilError, headers: Readonly<Record<string, string>> = {}): void {
  if (res.headersSent) return;
  const body = JSON.stringify(toProblem(error));
  res.statusCode = error.status;
  for (const [name, value] of Object.entries({ ...error.headers, ...headers })) res.setHeader(name, value);
  res.setHeader('Cache-Control', 'no-store');
  res.setHeader('Content-Type', `${PROBLEM_CONTENT_TYPE}; charset=utf-8`);
  res.setHeader('Content-Length', new TextEncoder().encode(body).length);
  res.end(body);
}
