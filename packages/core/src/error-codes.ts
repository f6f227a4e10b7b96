/**
 * Every error code Sigil's HTTP API answers with, each with its usual HTTP status and its RFC 9457
 * title (docs/architecture.md, "Errors"). The auth server, the middleware and the browser client
 * all read this one table: a new code is added here and nowhere else.
 */
export const ERROR_CODES = {
  invalid_request: { status: 400, title: 'Invalid request' },
  invalid_credentials: { status: 401, title: 'Invalid email or password' },
  email_taken: { status: 409, title: 'Email already registered' },
  rate_limited: { status: 429, title: 'Too many requests' },
  // 401 for a refresh token; link tokens (verify, reset) answer it with 400, as DESIGN's table says.
  invalid_grant: { status: 401, title: 'Invalid grant' },
  invalid_token: { status: 401, title: 'Invalid access token' },
  insufficient_scope: { status: 403, title: 'Insufficient scope' },
  // Login of an unverified account when SIGIL_EMAIL_VERIFICATION=required (a fresh link is mailed).
  email_not_verified: { status: 403, title: 'Email address not verified' },
  // The password was right and the account has a second factor: the body carries an mfa_token.
  mfa_required: { status: 403, title: 'Second factor required' },
  invalid_mfa: { status: 401, title: 'Invalid second factor' },
  // RFC 9470: the token is valid but its authentication is too weak or too old for this route.
  insufficient_user_authentication: { status: 401, title: 'Stronger or more recent authentication required' },
  not_found: { status: 404, title: 'Not found' },
  // A storage outage must look neither like invalid_grant (clients would log the user out) nor
  // like a bug (internal_error): clients retry a 503.
  unavailable: { status: 503, title: 'Service temporarily unavailable' },
  internal_error: { status: 500, title: 'Internal server error' },
} as const satisfies Record<string, { readonly status: number; readonly title: string }>;

/** A stable error code: clients switch on it, never on the text. */
export type ErrorCode = keyof typeof ERROR_CODES;

/** Whether `value` is one of Sigil's error codes (e.g. the `code` of a problem+json body). */
export function isErrorCode(value: unknown): value is ErrorCode {
  return typeof value === 'string' && Object.hasOwn(ERROR_CODES, value);
}
