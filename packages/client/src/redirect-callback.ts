import { sameIssuer, type Discovery } from './discovery.ts';
import { SigilClientError } from './errors.ts';
import { oauthError } from './oauth-request.ts';
import type { PendingLogin } from './pending-login.ts';

/**
 * The authorization code of a callback URL (`redirect_uri?code=…&state=…&iss=…`, or
 * `?error=…&state=…&iss=…`), after the checks that make it this tab's answer from this issuer:
 *
 * - `state` must be the one this tab sent (RFC 6749 10.12): an answer to a sign-in the user did
 *   not start here (login CSRF), or one already finished, is `state_mismatch`. Checked first, so
 *   a forged error response is refused as forged, not shown as the server's.
 * - `iss` must name the issuer (RFC 9207), and must be there when the server says it always is:
 *   otherwise another authorization server may have answered (a mix-up attack): `issuer_mismatch`.
 * - An `error` becomes its OAuth code (`access_denied`, `login_required`...), with the server's
 *   description as `detail`.
 *
 * @example
 * const code = callbackCode(new URL(location.href), pendingLogins.take(), await discover());
 */
export function callbackCode(url: URL, pending: PendingLogin | undefined, discovery: Discovery): string {
  const params = url.searchParams;
  const state = params.get('state');
  if (!pending || state !== pending.state) {
    throw new SigilClientError('state_mismatch', 'This sign-in answer is not for a sign-in this tab started (or it was used already)');
  }
  const iss = params.get('iss');
  if (iss === null ? discovery.issParameterSupported : !sameIssuer(iss, discovery.issuer)) {
    throw new SigilClientError('issuer_mismatch', `This sign-in answer does not come from ${discovery.issuer}`);
  }
  const error = params.get('error');
  if (error !== null) throw oauthError(error, params.get('error_description') ?? undefined);
  const code = params.get('code');
  if (!code) throw new SigilClientError('invalid_request', 'The sign-in answer carries no code');
  return code;
}
