/**
 * `sigilErrorHandler`: an Express error handler that renders Sigil's errors (401/403 with the
 * RFC 6750 challenge and a problem+json body) and passes every other error on.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { sendAuthError } from './challenge.ts';
import { SigilAuthError } from './errors.ts';

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
  const realm = options.realm ?? 'sigil';
  if (typeof realm !== 'string' || /["\\\r\n]/.test(realm))
    throw new TypeError('sigilErrorHandler: realm must be a string without quotes, backslashes or newlines');
  return function sigilErrorRenderer(error, _req, res, next) {
    if (error instanceof SigilAuthError) sendAuthError(res, error, realm);
    else next(error);
  };
}
