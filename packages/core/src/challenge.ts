/**
 * The `WWW-Authenticate: Bearer` challenge (RFC 6750 section 3) sent with a 401 or 403.
 */
import type { SigilError } from './sigil-error.ts';

export interface BearerChallenge {
  realm: string;
  /** The refusal; absent when the request simply carried no token (RFC 6750 3.1: no `error` then). */
  error?: Pick<SigilError, 'code' | 'message'>;
  /** Scopes the resource needs (`insufficient_scope`). */
  scope?: readonly string[];
}

/**
 * The header value.
 *
 * @example
 * bearerChallenge({ realm: 'sigil' }); // 'Bearer realm="sigil"'
 * bearerChallenge({ realm: 'sigil', error }); // 'Bearer realm="sigil", error="invalid_token", error_description="..."'
 */
export function bearerChallenge({ realm, error, scope }: BearerChallenge): string {
  let value = `Bearer realm="${quote(realm)}"`;
  if (error) value += `, error="${error.code}", error_description="${quote(error.message)}"`;
  if (scope && scope.length > 0) value += `, scope="${quote(scope.join(' '))}"`;
  return value;
}

// RFC 9110 quoted-string: escape backslash and quote, and keep the header on one line.
function quote(text: string): string {
  return text.replace(/[\\"]/g, '\\$&').replace(/[\r\n]/g, ' ');
}
