import type { OAuthErrorCode } from './errors.ts';
import { errorFromResponse, parseRetryAfter, SigilClientError, type SigilClientErrorCode } from './errors.ts';
import { isRecord } from './session.ts';

/** A hung auth server must not hold the cross-tab refresh lock forever (as auth-api.ts). */
const REQUEST_TIMEOUT_MS = 15_000;

/**
 * A request of the redirect flow to one of the auth server's OAuth endpoints (absolute URLs from
 * discovery). Without cookies: the token, revocation and discovery endpoints authenticate by the
 * request's own parameters (a public client's `client_id`, the code's verifier, the refresh
 * token), which is why this flow works when the auth server is on another site and the browser
 * blocks third-party cookies.
 */
export async function oauthRequest(fetch: typeof globalThis.fetch, url: string, init: RequestInit): Promise<Response> {
  try {
    return await fetch(url, { ...init, credentials: 'omit', cache: 'no-store', signal: AbortSignal.timeout?.(REQUEST_TIMEOUT_MS) });
  } catch (cause) {
    throw new SigilClientError('network_error', `Cannot reach ${new URL(url).origin}`, { cause });
  }
}

/**
 * POSTs `params` form-encoded (RFC 6749 3.2: `application/x-www-form-urlencoded`, a CORS-safelisted
 * type, so no preflight) and resolves to the JSON object of a 2xx answer; a refusal rejects with
 * its OAuth error.
 */
export async function postForm(fetch: typeof globalThis.fetch, url: string, params: Record<string, string | undefined>, now: () => number) {
  const body = new URLSearchParams();
  for (const [name, value] of Object.entries(params)) if (value !== undefined) body.set(name, value);
  const response = await oauthRequest(fetch, url, {
    method: 'POST',
    headers: { Accept: 'application/json', 'Content-Type': 'application/x-www-form-urlencoded' },
    body,
  });
  if (!response.ok) throw await oauthErrorFrom(response, now());
  const answer: unknown = await response.json().catch(() => undefined);
  return isRecord(answer) ? answer : undefined;
}

/**
 * A refused OAuth request as a `SigilClientError`: RFC 6749 5.2's `{error, error_description}`
 * when the body is that. A spent rate limit (429) and an overloaded server (503) are the client's
 * `rate_limited` and `unavailable` whatever the body says, with `retryAfter`, as for the Sigil
 * endpoints: reasons to try again later, never to log out. Anything else (a proxy's page) is read
 * as every other answer is.
 */
async function oauthErrorFrom(response: Response, nowMs: number): Promise<SigilClientError> {
  const body: unknown = await response
    .clone()
    .json()
    .catch(() => undefined);
  const error = isRecord(body) ? body['error'] : undefined;
  const description = isRecord(body) && typeof body['error_description'] === 'string' ? body['error_description'] : undefined;
  return (
    retryLater(response, nowMs, description) ??
    (typeof error === 'string' ? oauthError(error, description, response.status) : errorFromResponse(response, nowMs))
  );
}

/**
 * A 429 or 503 as `rate_limited` or `unavailable` with its `retryAfter` (reasons to try again
 * later, never to log out), or undefined for any other answer.
 */
export function retryLater(response: Response, nowMs: number, detail?: string): SigilClientError | undefined {
  const { status } = response;
  if (status !== 429 && status !== 503) return undefined;
  const code = status === 429 ? 'rate_limited' : 'unavailable';
  return new SigilClientError(code, `The auth server answered ${code} (HTTP ${status})`, {
    status,
    retryAfter: parseRetryAfter(response.headers.get('retry-after'), nowMs),
    detail,
  });
}

/** The OAuth codes a Sigil auth server sends (docs/oauth.md), with the two the client shares with its table. */
const OAUTH_CODES: ReadonlySet<string> = new Set<OAuthErrorCode | 'invalid_request' | 'invalid_grant'>([
  'invalid_request',
  'invalid_grant',
  'access_denied',
  'login_required',
  'consent_required',
  'interaction_required',
  'server_error',
  'temporarily_unavailable',
  'unauthorized_client',
  'unsupported_response_type',
  'invalid_scope',
  'invalid_client',
  'unsupported_grant_type',
  'invalid_target',
]);

/**
 * The error for an OAuth `error` (an authorization response's or a token endpoint's). A code the
 * client does not know (a newer server's extension) is reported as `invalid_request`; the server's
 * description is the `detail` (it is text for people, never a secret).
 *
 * @example
 * throw oauthError('access_denied', 'The user denied the request');
 */
export function oauthError(error: string, description?: string, status?: number): SigilClientError {
  const code = (OAUTH_CODES.has(error) ? error : 'invalid_request') as SigilClientErrorCode;
  return new SigilClientError(code, `The auth server answered ${code}${status ? ` (HTTP ${status})` : ''}`, {
    status,
    detail: description,
  });
}
