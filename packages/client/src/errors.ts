import { isErrorCode, type ErrorCode } from '@sigil/core';

/**
 * Stable error codes: every code of the auth server's table (@sigil/core, docs/server.md), and the
 * client's own: no session to refresh, the server could not be reached, it answered something
 * that is not Sigil, (`@sigil/client/passkeys`) the browser's passkey request was cancelled
 * or failed, and (`@sigil/client/redirect`) the OAuth codes of the redirect flow.
 */
export type SigilClientErrorCode =
  ErrorCode | 'not_logged_in' | 'network_error' | 'invalid_response' | 'passkey_cancelled' | 'passkey_error' | OAuthErrorCode;

/**
 * The redirect flow's codes (`@sigil/client/redirect`) besides the auth server's table
 * (`invalid_request` and `invalid_grant` are in both): an authorization response's `error`
 * (RFC 6749 4.1.2.1, OpenID Connect Core 3.1.2.6) or a token endpoint's (RFC 6749 5.2, RFC 8707),
 * as the auth server sends them, and the client's own checks of a callback: `state_mismatch` (not a
 * sign-in this tab started, or one already finished), `issuer_mismatch` (RFC 9207: the answer
 * names another issuer, or none where the server promises one), `invalid_id_token` (its `iss`,
 * `aud`, `sub` or `nonce` is not this sign-in's).
 */
export type OAuthErrorCode =
  | 'access_denied'
  | 'login_required'
  | 'consent_required'
  | 'interaction_required'
  | 'server_error'
  | 'temporarily_unavailable'
  | 'unauthorized_client'
  | 'unsupported_response_type'
  | 'invalid_scope'
  | 'invalid_client'
  | 'unsupported_grant_type'
  | 'invalid_target'
  | 'state_mismatch'
  | 'issuer_mismatch'
  | 'invalid_id_token';

/** Extra facts an error may carry. */
export interface SigilClientErrorDetails {
  /** HTTP status of the server's answer; absent for network errors. */
  status?: number;
  /** Seconds to wait before retrying (from `Retry-After`), for `rate_limited`. */
  retryAfter?: number;
  /** The server's human-readable `detail`, safe to show (it never contains secrets). */
  detail?: string;
  /** Per-field validation errors from a 400 `invalid_request`. */
  errors?: unknown;
  cause?: unknown;
}

/**
 * The one error type every `@sigil/client` call rejects with. Branch on `code`, never on `message`.
 *
 * @example
 * try { await auth.login({ email, password }); }
 * catch (e) {
 *   if (e instanceof SigilClientError && e.code === 'rate_limited') wait(e.retryAfter);
 * }
 */
export class SigilClientError extends Error {
  readonly code: SigilClientErrorCode;
  readonly status: number | undefined;
  readonly retryAfter: number | undefined;
  readonly detail: string | undefined;
  readonly errors: unknown;

  constructor(code: SigilClientErrorCode, message: string, details: SigilClientErrorDetails = {}) {
    // Error installs `cause` (not enumerable) only when `details` has one.
    super(message, details);
    // Spelled out: `error.name` stays the same in logs whatever a bundler renames the class to.
    this.name = 'SigilClientError';
    this.code = code;
    this.status = details.status;
    this.retryAfter = details.retryAfter;
    this.detail = details.detail;
    this.errors = details.errors;
  }
}

/**
 * Whether `error` is a `SigilClientError` with one of `codes`.
 *
 * @example
 * if (hasCode(error, 'network_error', 'unavailable')) retryLater();
 */
export function hasCode(error: unknown, ...codes: SigilClientErrorCode[]): error is SigilClientError {
  return error instanceof SigilClientError && codes.includes(error.code);
}

/** Seconds from a `Retry-After` header (delta-seconds or HTTP date), or undefined. */
export function parseRetryAfter(value: string | null, nowMs: number): number | undefined {
  // `+''` is 0: an absent or empty header (Headers trims whitespace) means "not given".
  if (!value) return undefined;
  // Integer seconds are numbers; an HTTP date is not, and Date.parse reads it.
  const seconds = isNaN(+value) ? Math.ceil((Date.parse(value) - nowMs) / 1000) : +value;
  // An unparsable date is NaN; a date in the past means "now".
  return isNaN(seconds) ? undefined : Math.max(0, seconds);
}

/**
 * Turns a failed response into a `SigilClientError`. Reads problem+json when the server sent it;
 * a proxy's HTML error page or an unknown code still maps to a stable code by status.
 */
export async function errorFromResponse(response: Response, nowMs: number): Promise<SigilClientError> {
  const { status, statusText } = response;
  // Not JSON (or JSON null): no problem details, the status decides.
  const problem: Record<string, unknown> = (await response.json().catch(() => null)) ?? {};
  const code = isErrorCode(problem['code']) ? problem['code'] : codeForStatus(status);
  const title = text(problem['title']) || statusText || 'Request failed';
  return new SigilClientError(code, `${title} (HTTP ${status}, ${code})`, {
    status,
    retryAfter: parseRetryAfter(response.headers.get('retry-after'), nowMs),
    detail: text(problem['detail']),
    errors: problem['errors'],
  });
}

/** The `invalid_response` error: the auth server answered, but not with what Sigil expects. */
export const unexpectedAnswer = (): SigilClientError => new SigilClientError('invalid_response', 'Unexpected answer from the auth server');

const text = (value: unknown): string | undefined => (typeof value === 'string' ? value : undefined);

/** For answers without a known code: a proxy's error page, an old server. */
const CODE_FOR_STATUS: Readonly<Record<number, SigilClientErrorCode>> = {
  401: 'invalid_token',
  403: 'insufficient_scope',
  404: 'not_found',
  429: 'rate_limited',
};

function codeForStatus(status: number): SigilClientErrorCode {
  return CODE_FOR_STATUS[status] ?? (status >= 400 && status < 500 ? 'invalid_request' : 'internal_error');
}
