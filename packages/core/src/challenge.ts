/**
 * The `WWW-Authenticate: Bearer` challenge (RFC 6750 section 3) sent with a 401 or 403, with the
 * step-up parameters of RFC 9470 (`max_age`, `acr_values`) for `insufficient_user_authentication`.
 */
import type { SigilError } from './sigil-error.ts';

export interface BearerChallenge {
  realm: string;
  /** The refusal; absent when the request simply carried no token (RFC 6750 3.1: no `error` then). */
  error?: Pick<SigilError, 'code' | 'message'>;
  /** Scopes the resource needs (`insufficient_scope`). */
  scope?: readonly string[];
  /** RFC 9470: the most seconds allowed since the user last authenticated (`insufficient_user_authentication`). */
  maxAge?: number;
  /** RFC 9470: the authentication context classes the resource accepts, in order of preference. */
  acrValues?: readonly string[];
}

/**
 * The header value.
 *
 * @example
 * bearerChallenge({ realm: 'sigil' }); // 'Bearer realm="sigil"'
 * bearerChallenge({ realm: 'sigil', error }); // 'Bearer realm="sigil", error="invalid_token", error_description="..."'
 * bearerChallenge({ realm: 'sigil', error, maxAge: 300 }); // '..., error="insufficient_user_authentication", ..., max_age=300'
 */
export function bearerChallenge({ realm, error, scope, maxAge, acrValues }: BearerChallenge): string {
  let value = `Bearer realm="${quote(realm)}"`;
  if (error) value += `, error="${error.code}", error_description="${quote(error.message)}"`;
  if (scope && scope.length > 0) value += `, scope="${quote(scope.join(' '))}"`;
  // RFC 9470 section 3 writes max_age as a bare integer and acr_values as a quoted, space-separated list.
  if (maxAge !== undefined) value += `, max_age=${Math.floor(maxAge)}`;
  if (acrValues && acrValues.length > 0) value += `, acr_values="${quote(acrValues.join(' '))}"`;
  return value;
}

// RFC 9110 quoted-string: escape backslash and quote, and keep the header on one line.
function quote(text: string): string {
  return text.replace(/[\\"]/g, '\\$&').replace(/[\r\n]/g, ' ');
}
