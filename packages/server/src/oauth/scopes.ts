/**
 * The scopes Sigil grants (docs/oauth.md, "Scopes"): `openid` for an ID token, `profile` and
 * `email` for those claims, `offline_access` asked by clients that want a refresh token (Sigil's
 * sessions always have one). Unknown scopes are dropped from the grant, as RFC 6749 3.3 allows;
 * the token response's `scope` says what was granted.
 */
export const SUPPORTED_SCOPES = ['openid', 'profile', 'email', 'offline_access'] as const;

/** The grant for a requested scope string: known scopes, in the supported order, once each. */
export function grantedScope(requested: string | undefined): string {
  const asked = new Set((requested ?? '').split(' ').filter(Boolean));
  return SUPPORTED_SCOPES.filter((scope) => asked.has(scope)).join(' ');
}

export function hasScope(scope: string, name: string): boolean {
  return scope.split(' ').includes(name);
}

/** Whether every scope of `wanted` is in `granted` (a stored consent covers a new request). */
export function coversScope(granted: string, wanted: string): boolean {
  const have = new Set(granted.split(' '));
  return wanted.split(' ').every((scope) => scope === '' || have.has(scope));
}

/** The user claims a scope releases, in ID tokens and at userinfo (OIDC Core 5.4). */
export function claimsFor(scope: string, user: { email: string; emailVerified: boolean; name: string | null }): Record<string, unknown> {
  return {
    ...(hasScope(scope, 'email') ? { email: user.email, email_verified: user.emailVerified } : {}),
    // OIDC Core 5.3.2: a claim without a value is left out, not sent as null.
    ...(hasScope(scope, 'profile') && user.name !== null ? { name: user.name } : {}),
  };
}
