/**
 * Stable error codes. The first group comes from the auth server (DESIGN.md); the last three are
 * the client's own: the server could not be reached, or answered something that is not Sigil.
 */
export type SigilClientErrorCode =
  | 'invalid_request'
  | 'invalid_credentials'
  | 'email_taken'
  | 'rate_limited'
  | 'invalid_grant'
  | 'invalid_token'
  | 'insufficient_scope'
  | 'not_found'
  | 'internal_error'
  | 'not_logged_in'
  | 'network_error'
  | 'invalid_response';

const SERVER_CODES: ReadonlySet<string> = new Set([
  'invalid_request',
  'invalid_credentials',
  'email_taken',
  'rate_limited',
  'invalid_grant',
  'invalid_token',
  'insufficient_scope',
  'not_found',
  'internal_error',
]);

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
 * try { await auth.login(email, password); }
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
    super(message, details.cause === undefined ? undefined : { cause: details.cause });
    this.name = new.target.name;
    this.code = code;
    this.status = details.status;
    this.retryAfter = details.retryAfter;
    this.detail = details.detail;
    this.errors = details.errors;
  }
}

/** Seconds from a `Retry-After` header (delta-seconds or HTTP date), or undefined. */
export function parseRetryAfter(value: string | null, nowMs: number): number | undefined {
  if (value === null || value.trim() === '') return undefined;
  if (/^\s*\d+\s*$/.test(value)) return Number(value);
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, Math.ceil((date - nowMs) / 1000));
}

/**
 * Turns a failed response into a `SigilClientError`. Reads problem+json when the server sent it;
 * a proxy's HTML error page or an unknown code still maps to a stable code by status.
 */
export async function errorFromResponse(response: Response, nowMs: number): Promise<SigilClientError> {
  let problem: Record<string, unknown> = {};
  try {
    const body: unknown = await response.json();
    if (body !== null && typeof body === 'object') problem = body as Record<string, unknown>;
  } catch {
    // Not JSON: keep the status-based code below.
  }
  const serverCode = typeof problem['code'] === 'string' ? problem['code'] : undefined;
  const code: SigilClientErrorCode =
    serverCode !== undefined && SERVER_CODES.has(serverCode) ? (serverCode as SigilClientErrorCode) : codeForStatus(response.status);
  const detail = typeof problem['detail'] === 'string' ? problem['detail'] : undefined;
  const title = typeof problem['title'] === 'string' ? problem['title'] : response.statusText;
  return new SigilClientError(code, `${title || 'Request failed'} (HTTP ${response.status}, ${code})`, {
    status: response.status,
    retryAfter: parseRetryAfter(response.headers.get('retry-after'), nowMs),
    detail,
    errors: problem['errors'],
  });
}

function codeForStatus(status: number): SigilClientErrorCode {
  if (status === 429) return 'rate_limited';
  if (status === 401) return 'invalid_token';
  if (status === 403) return 'insufficient_scope';
  if (status === 404) return 'not_found';
  if (status >= 400 && status < 500) return 'invalid_request';
  return 'internal_error';
}
