import { attempt } from './attempt.ts';
import { SigilClientError, unexpectedAnswer } from './errors.ts';
import { oauthRequest, retryLater } from './oauth-request.ts';
import { isRecord } from './session.ts';

/** What the redirect flow reads of the auth server's OpenID Provider metadata. */
export interface Discovery {
  readonly issuer: string;
  readonly authorizationEndpoint: string;
  readonly tokenEndpoint: string;
  /** RFC 7009; absent: nothing to revoke at logout beyond what the end-session endpoint ends. */
  readonly revocationEndpoint: string | undefined;
  /** OpenID Connect RP-Initiated Logout; absent: logout ends the session by revocation alone. */
  readonly endSessionEndpoint: string | undefined;
  /** RFC 9207: every authorization response carries `iss`, so one without it is refused. */
  readonly issParameterSupported: boolean;
}

/**
 * `${issuer}/.well-known/openid-configuration`, read once per client and kept (a failed read is
 * tried again next time). Its `issuer` must be the configured one (OpenID Connect Discovery 4.3):
 * otherwise another server's endpoints would receive this app's codes and tokens.
 *
 * @example
 * const discover = discovery(issuer, fetch, Date.now);
 * const { tokenEndpoint } = await discover();
 */
export function discovery(issuer: string, fetch: typeof globalThis.fetch, now: () => number): () => Promise<Discovery> {
  let pending: Promise<Discovery> | undefined;
  return () =>
    (pending ??= read(issuer, fetch, now).catch((error: unknown) => {
      pending = undefined;
      throw error;
    }));
}

async function read(issuer: string, fetch: typeof globalThis.fetch, now: () => number): Promise<Discovery> {
  const response = await oauthRequest(fetch, `${issuer}/.well-known/openid-configuration`, { headers: { Accept: 'application/json' } });
  if (!response.ok) {
    // Overloaded: try again later. Anything else: this issuer has no OAuth (an HS256 server has none).
    throw (
      retryLater(response, now()) ??
      new SigilClientError('invalid_response', `No OpenID configuration at ${issuer} (HTTP ${response.status})`)
    );
  }
  const doc: unknown = await response.json().catch(() => undefined);
  if (!isRecord(doc)) throw unexpectedAnswer();
  if (!sameIssuer(doc['issuer'], issuer)) {
    throw new SigilClientError('issuer_mismatch', `The OpenID configuration at ${issuer} names another issuer`);
  }
  const authorizationEndpoint = endpoint(doc['authorization_endpoint']);
  const tokenEndpoint = endpoint(doc['token_endpoint']);
  if (!authorizationEndpoint || !tokenEndpoint) throw unexpectedAnswer();
  return {
    issuer,
    authorizationEndpoint,
    tokenEndpoint,
    revocationEndpoint: endpoint(doc['revocation_endpoint']),
    endSessionEndpoint: endpoint(doc['end_session_endpoint']),
    issParameterSupported: doc['authorization_response_iss_parameter_supported'] === true,
  };
}

/**
 * Whether `value` names `issuer` (the configured one, which the client keeps without a trailing
 * slash): the simple string comparison of RFC 9207 2.4 and OpenID Connect Discovery 4.3, allowing
 * only that slash.
 *
 * @example
 * sameIssuer('https://auth.example.com/', 'https://auth.example.com'); // true
 */
export function sameIssuer(value: unknown, issuer: string): boolean {
  return typeof value === 'string' && value.replace(/\/+$/, '') === issuer;
}

/** An absolute http(s) URL, or undefined. */
function endpoint(value: unknown): string | undefined {
  const url = typeof value === 'string' ? attempt(() => new URL(value)) : undefined;
  return url && /^https?:$/.test(url.protocol) ? url.href : undefined;
}
