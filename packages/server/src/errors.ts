/**
 * Stable error codes of the Sigil HTTP API (DESIGN.md). Clients switch on `code`, never on text.
 * Each code is defined once here with its HTTP status and RFC 9457 title.
 */
export const ERROR_CODES = {
  invalid_request: { status: 400, title: 'Invalid request' },
  invalid_credentials: { status: 401, title: 'Invalid email or password' },
  email_taken: { status: 409, title: 'Email already registered' },
  rate_limited: { status: 429, title: 'Too many requests' },
  invalid_grant: { status: 401, title: 'Invalid refresh token' },
  invalid_token: { status: 401, title: 'Invalid access token' },
  insufficient_scope: { status: 403, title: 'Insufficient scope' },
  not_found: { status: 404, title: 'Not found' },
  // Not in DESIGN.md's list, which has no code for "try again later": a storage outage must not
  // look like invalid_grant (clients would log the user out) nor like a bug (internal_error).
  unavailable: { status: 503, title: 'Service temporarily unavailable' },
  internal_error: { status: 500, title: 'Internal server error' },
} as const satisfies Record<string, { status: number; title: string }>;

export type ErrorCode = keyof typeof ERROR_CODES;

/** One field-level validation problem, as listed in a problem+json `errors` array. */
export interface FieldError {
  path: string;
  message: string;
}

/**
 * Base of every error Sigil raises on purpose. `detail` is safe to show to clients: it never
 * contains a password, token or hash. `cause` keeps the underlying error for logs only.
 *
 * @example
 * throw new SigilError('invalid_grant', 'Refresh token was already used');
 */
export class SigilError extends Error {
  readonly code: ErrorCode;
  readonly status: number;
  readonly errors: FieldError[] | undefined;
  /** Extra response headers, e.g. `Retry-After` for `rate_limited`. */
  readonly headers: Record<string, string>;

  constructor(
    code: ErrorCode,
    detail?: string,
    options: {
      cause?: unknown;
      errors?: FieldError[];
      headers?: Record<string, string>;
      /** Overrides the code's usual status, e.g. 413/415 for an `invalid_request` body. */
      status?: number;
    } = {},
  ) {
    super(detail ?? ERROR_CODES[code].title, { cause: options.cause });
    this.name = new.target.name;
    this.code = code;
    this.status = options.status ?? ERROR_CODES[code].status;
    this.errors = options.errors;
    this.headers = options.headers ?? {};
  }
}

/** Raised when the database cannot be reached; maps to 503 so clients retry instead of logging out. */
export class StorageUnavailableError extends SigilError {
  constructor(cause?: unknown) {
    super('unavailable', 'Storage is temporarily unavailable', { cause });
  }
}

/** RFC 9457 problem details body. */
export interface ProblemDetails {
  type: string;
  title: string;
  status: number;
  detail: string;
  code: ErrorCode;
  errors?: FieldError[];
}

export function toProblem(error: SigilError): ProblemDetails {
  const problem: ProblemDetails = {
    type: `https://sigil.dev/errors/${error.code}`,
    title: error.status === ERROR_CODES[error.code].status ? ERROR_CODES[error.code].title : titleForStatus(error.status),
    status: error.status,
    detail: error.message,
    code: error.code,
  };
  if (error.errors) problem.errors = error.errors;
  return problem;
}

function titleForStatus(status: number): string {
  switch (status) {
    case 413:
      return 'Payload too large';
    case 415:
      return 'Unsupported media type';
    case 403:
      return 'Forbidden';
    case 405:
      return 'Method not allowed';
    default:
      return 'Invalid request';
  }
}
