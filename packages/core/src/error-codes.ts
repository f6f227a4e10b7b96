/**
 * Every error code Sigil's HTTP API answers with, each with its usual HTTP status and its RFC 9457
 * title (docs/architecture.md, "Errors"). The auth server, the middleware and the browser client
 * all read this file: a new code is added here and nowhere else, to both tables below, which the
 * compiler keeps in step. Two tables, because a browser client only recognises codes
 * (`isErrorCode`): its bundle then carries the codes and their statuses, never the titles.
 */
export const ERROR_STATUS = {
  invalid_request: 400,
  invalid_credentials: 401,
  email_taken: 409,
  rate_limited: 429,
  // 401 for a refresh token; link tokens (verify, reset) answer it with 400, as DESIGN's table says.
  invalid_grant: 401,
  invalid_token: 401,
  insufficient_scope: 403,
  // Login of an unverified account when SIGIL_EMAIL_VERIFICATION=required (a fresh link is mailed).
  email_not_verified: 403,
  // The password was right and the account has a second factor: the body carries an mfa_token.
  mfa_required: 403,
  invalid_mfa: 401,
  // RFC 9470: the token is valid but its authentication is too weak or too old for this route.
  insufficient_user_authentication: 401,
  not_found: 404,
  // A storage outage must look neither like invalid_grant (clients would log the user out) nor
  // like a bug (internal_error): clients retry a 503.
  unavailable: 503,
  internal_error: 500,
} as const satisfies Record<string, number>;

/** A stable error code: clients switch on it, never on the text. */
export type ErrorCode = keyof typeof ERROR_STATUS;

/** The RFC 9457 `title` of each code: exactly the codes of {@link ERROR_STATUS}, or this does not compile. */
const TITLES: { readonly [Code in ErrorCode]: string } = {
  invalid_request: 'Invalid request',
  invalid_credentials: 'Invalid email or password',
  email_taken: 'Email already registered',
  rate_limited: 'Too many requests',
  invalid_grant: 'Invalid grant',
  invalid_token: 'Invalid access token',
  insufficient_scope: 'Insufficient scope',
  email_not_verified: 'Email address not verified',
  mfa_required: 'Second factor required',
  invalid_mfa: 'Invalid second factor',
  insufficient_user_authentication: 'Stronger or more recent authentication required',
  not_found: 'Not found',
  unavailable: 'Service temporarily unavailable',
  internal_error: 'Internal server error',
};

/** Each code with its usual status and its title, as the server and the middleware answer it. */
export type ErrorCodeTable = { readonly [Code in ErrorCode]: { readonly status: (typeof ERROR_STATUS)[Code]; readonly title: string } };

/**
 * The two tables as one: `ERROR_CODES.rate_limited` is `{ status: 429, title: 'Too many requests' }`.
 * Built by a call marked pure, so a bundle that does not read it drops it, and the titles with it.
 */
export const ERROR_CODES: ErrorCodeTable = /* @__PURE__ */ describeCodes();

function describeCodes(): ErrorCodeTable {
  const table: Record<string, { status: number; title: string }> = {};
  for (const code of Object.keys(ERROR_STATUS) as ErrorCode[])
    table[code] = Object.freeze({ status: ERROR_STATUS[code], title: TITLES[code] });
  return Object.freeze(table) as ErrorCodeTable;
}

/** Whether `value` is one of Sigil's error codes (e.g. the `code` of a problem+json body). */
export function isErrorCode(value: unknown): value is ErrorCode {
  return typeof value === 'string' && Object.hasOwn(ERROR_STATUS, value);
}
