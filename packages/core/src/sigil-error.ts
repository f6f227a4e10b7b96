import { ERROR_CODES, type ErrorCode } from './error-codes.ts';

/** One field-level validation problem, as listed in a problem+json `errors` array. */
export interface FieldError {
  path: string;
  message: string;
}

export interface SigilErrorOptions {
  /** The underlying error, for logs only: it is never sent to a client. */
  cause?: unknown;
  errors?: readonly FieldError[];
  /** Extra response headers, e.g. `Retry-After` for `rate_limited`. */
  headers?: Readonly<Record<string, string>>;
  /** Overrides the code's usual status, e.g. 413 or 415 for an `invalid_request` body. */
  status?: number;
  /**
   * RFC 9457 extension members of the problem body, e.g. the `mfa_token` and `methods` of
   * `mfa_required`. They never replace a standard member (`type`, `code`, ...).
   */
  extensions?: Readonly<Record<string, unknown>>;
}

/**
 * Base of every error Sigil raises on purpose, on the server and in the middleware. Its message
 * is the problem's `detail`: safe to show a client, it never contains a password, token or hash.
 *
 * @example
 * throw new SigilError('invalid_grant', 'Refresh token reuse detected; the session was revoked');
 */
export class SigilError extends Error {
  readonly code: ErrorCode;
  readonly status: number;
  readonly errors: readonly FieldError[] | undefined;
  readonly headers: Readonly<Record<string, string>>;
  readonly extensions: Readonly<Record<string, unknown>> | undefined;

  constructor(code: ErrorCode, detail?: string, options: SigilErrorOptions = {}) {
    super(detail ?? ERROR_CODES[code].title, { cause: options.cause });
    this.name = new.target.name;
    this.code = code;
    this.status = options.status ?? ERROR_CODES[code].status;
    this.errors = options.errors;
    this.headers = options.headers ?? {};
    this.extensions = options.extensions;
  }
}
