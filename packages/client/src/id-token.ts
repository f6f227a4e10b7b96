import { attempt } from './attempt.ts';
import { sameIssuer } from './discovery.ts';
import { SigilClientError } from './errors.ts';
import { isRecord, type SigilUser } from './session.ts';

/** The claims of a compact JWT's payload, unverified; undefined when it is not one. */
export function jwtClaims(token: unknown): Record<string, unknown> | undefined {
  const payload = typeof token === 'string' ? token.split('.')[1] : undefined;
  if (!payload) return undefined;
  const json = attempt(() => {
    const binary = atob(payload.replace(/-/g, '+').replace(/_/g, '/'));
    return new TextDecoder().decode(Uint8Array.from(binary, (c) => c.charCodeAt(0)));
  });
  const claims: unknown = attempt(() => JSON.parse(json ?? ''));
  return isRecord(claims) ? claims : undefined;
}

/** What an ID token must say to belong to this sign-in. */
export interface IdTokenExpectations {
  readonly issuer: string;
  readonly clientId: string;
  /** The `nonce` of the authorization request (the code's exchange); undefined for a refresh. */
  readonly nonce?: string | undefined;
  /** The user the session already has (a refresh): the new token must be about the same one. */
  readonly sub?: string | undefined;
}

/**
 * The claims of an ID token received from the token endpoint, after the checks of OpenID Connect
 * Core 3.1.3.7 that apply here: `iss` is the issuer, `aud` names this client (and `azp` is this
 * client when there are several audiences), the `nonce` is the one this tab sent (so a code
 * injected from another sign-in is refused), and on refresh `sub` stays the session's (12.2).
 *
 * The signature is not verified, by design: the token came straight from the token endpoint,
 * over the connection the browser opened to the issuer (TLS in production), and 3.1.3.7 (6) lets
 * that server authentication stand in for the signature check. Its `exp` and `iat` are not
 * compared with this device's clock either: the token is fresh by construction, and a skewed
 * clock must not refuse it (the client counts lifetimes from `expires_in`, see session.ts).
 * APIs must verify the access token's signature themselves, as @sigil/express does.
 */
export function checkedIdToken(token: unknown, expected: IdTokenExpectations): Record<string, unknown> {
  const claims = jwtClaims(token);
  const refuse = (what: string): never => {
    throw new SigilClientError('invalid_id_token', `The ID token's ${what} is not this sign-in's`);
  };
  if (!claims) return refuse('format');
  if (!sameIssuer(claims['iss'], expected.issuer)) refuse('iss');
  const aud = claims['aud'];
  const audiences = Array.isArray(aud) ? aud : [aud];
  if (!audiences.includes(expected.clientId)) refuse('aud');
  if (audiences.length > 1 && claims['azp'] !== expected.clientId) refuse('azp');
  if (typeof claims['sub'] !== 'string' || claims['sub'] === '') refuse('sub');
  if (expected.sub !== undefined && claims['sub'] !== expected.sub) refuse('sub');
  if (expected.nonce !== undefined && claims['nonce'] !== expected.nonce) refuse('nonce');
  return claims;
}

/**
 * The signed-in user from the ID token's claims (`sub`, `email`, `email_verified`, `name`, by the
 * scopes granted) and the access token's `roles`: Sigil's access tokens are RFC 9068 JWTs that
 * carry the user's roles, which the ID token does not. The app reads them only to shape its UI;
 * the API checks them on the verified token.
 */
export function userFromClaims(idClaims: Record<string, unknown>, accessToken: string): SigilUser {
  const roles = jwtClaims(accessToken)?.['roles'];
  const { sub, email, name, email_verified: emailVerified } = idClaims;
  return {
    id: sub as string,
    email: typeof email === 'string' ? email : '',
    name: typeof name === 'string' ? name : null,
    roles: Array.isArray(roles) ? roles.filter((role): role is string => typeof role === 'string') : [],
    emailVerified: emailVerified === true,
  };
}
