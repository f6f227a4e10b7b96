/**
 * The HTTP face of Sigil's errors: the RFC 6750 `WWW-Authenticate` challenge and the RFC 9457
 * problem+json body. The only place that turns an error into a response.
 */
import type { ServerResponse } from 'node:http';
import { InsufficientScopeError, InvalidTokenError, type SigilAuthError } from './errors.ts';

/** RFC 9457 body sent for a {@link SigilAuthError}. */
export interface AuthProblem {
  type: string;
  title: string;
  status: number;
  detail: string;
  code: SigilAuthError['code'];
}

const TITLES = { invalid_token: 'Invalid access token', insufficient_scope: 'Insufficient scope' } as const;

/**
 * Builds the `WWW-Authenticate` value. A request that sent no token gets a bare `realm`
 * challenge (RFC 6750 3.1: no `error` when credentials are simply missing).
 *
 * @example
 * res.set('WWW-Authenticate', challenge(err, 'sigil')); // Bearer realm="sigil", error="invalid_token", ...
 */
export function challenge(error: SigilAuthError, realm: string): string {
  if (error instanceof InvalidTokenError && error.reason === 'token_missing') return `Bearer realm="${realm}"`;
  let value = `Bearer realm="${realm}", error="${error.code}", error_description="${quote(error.message)}"`;
  if (error instanceof InsufficientScopeError && error.kind === 'scope') value += `, scope="${quote(error.required.join(' '))}"`;
  return value;
}

/**
 * The problem+json body for `error`; `detail` is the error's fixed, token-free sentence.
 *
 * @example
 * res.status(err.status).type('application/problem+json').json(toProblem(err));
 */
export function toProblem(error: SigilAuthError): AuthProblem {
  return {
    type: `https://sigil.dev/errors/${error.code}`,
    title: TITLES[error.code],
    status: error.status,
    detail: error.message,
    code: error.code,
  };
}

/** Writes the full error response (status, challenge, no-store, problem+json) unless one was sent. */
export function sendAuthError(res: ServerResponse, error: SigilAuthError, realm: string): void {
  if (res.headersSent) return;
  const body = JSON.stringify(toProblem(error));
  res.statusCode = error.status;
  res.setHeader('WWW-Authenticate', challenge(error, realm));
  res.setHeader('Cache-Control', 'no-store');
  res.setHeader('Content-Type', 'application/problem+json; charset=utf-8');
  res.setHeader('Content-Length', Buffer.byteLength(body));
  res.end(body);
}

// RFC 7230 quoted-string: escape backslash and quote; our messages are fixed ASCII sentences anyway.
function quote(text: string): string {
  return text.replace(/[\\"]/g, '\\$&').replace(/[\r\n]/g, ' ');
}
