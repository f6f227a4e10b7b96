import { randomUUID } from 'node:crypto';
import { createVerifier, type AccessTokenVerifier } from '@sigil/express';
import { SignJWT, type JWTPayload } from 'jose';
import type { Config } from '../config.ts';
import { SigilError } from '../errors.ts';
import type { KeyManager } from '../keys/index.ts';
import { claimsFor } from '../oauth/scopes.ts';

/** The claims Sigil puts in every access token (docs/architecture.md, "Access tokens"; RFC 9068). */
export interface AccessTokenClaims extends JWTPayload {
  iss: string;
  sub: string;
  aud: string;
  iat: number;
  exp: number;
  jti: string;
  /** The user claims: always in the JSON API's tokens; in an OAuth client's only as its scopes allow (`email`, `profile`). */
  email?: string;
  /** Whether `email` was proven when the token was issued (a refresh picks up a later verification). */
  email_verified?: boolean;
  name?: string | null;
  /** The user's roles: in the JSON API's tokens and first-party clients' tokens only. */
  roles?: string[];
  scope: string;
  /** Session id: lets the auth server mark the caller's own session and check revocation. */
  sid: string;
  /**
   * How the session's login authenticated the user (RFC 8176): `pwd`, `otp`, `mfa` when two
   * factors were presented. Tokens issued before Sigil recorded it have none.
   */
  amr?: string[];
  /** When that login happened, in seconds since the epoch (OpenID Connect `auth_time`); refreshes keep it. */
  auth_time?: number;
  /** The OAuth client the token was issued to (RFC 9068); absent for the JSON API's sessions. */
  client_id?: string;
}

export const ACCESS_TOKEN_TYP = 'at+jwt';
export const DEFAULT_SCOPE = 'openid profile email';

export interface AccessTokenSubject {
  userId: string;
  email: string;
  emailVerified: boolean;
  name: string | null;
  roles: string[];
  sessionId: string;
  /** RFC 8176 methods of the session's login. */
  amr: readonly string[];
  /** When the session's login happened. */
  authTime: Date;
  /**
   * The OAuth client and its granted scopes, for a session started through OAuth: the user
   * claims then follow the scopes (docs/oauth.md, "Scopes and tokens"), and `roles` go only to
   * first-party clients, so a third-party app's token never carries the user's privileges.
   */
  client?: { clientId: string; scope: string; firstParty: boolean };
}

export interface IssuedAccessToken {
  token: string;
  expiresIn: number;
  expiresAt: number;
}

export interface AccessTokenSettings {
  issuer: string;
  audience: string;
  ttlSeconds: number;
}

/** Signs an RFC 9068 access token for `subject` with the current key: the one place the registered claims are set. */
async function signAt(
  keys: KeyManager,
  subject: string,
  claims: JWTPayload,
  settings: AccessTokenSettings,
  now: Date,
): Promise<IssuedAccessToken> {
  const { kid, alg, key } = await keys.signingKey();
  const iat = Math.floor(now.getTime() / 1000);
  const exp = iat + settings.ttlSeconds;
  const token = await new SignJWT(claims)
    .setProtectedHeader({ alg, kid, typ: ACCESS_TOKEN_TYP })
    .setIssuer(settings.issuer)
    .setSubject(subject)
    .setAudience(settings.audience)
    .setIssuedAt(iat)
    .setExpirationTime(exp)
    .setJti(randomUUID())
    .sign(key);
  return { token, expiresIn: settings.ttlSeconds, expiresAt: exp };
}

export async function signAccessToken(
  keys: KeyManager,
  subject: AccessTokenSubject,
  settings: AccessTokenSettings,
  now: Date,
): Promise<IssuedAccessToken> {
  const userClaims = subject.client
    ? { ...claimsFor(subject.client.scope, subject), ...(subject.client.firstParty ? { roles: subject.roles } : {}) }
    : { email: subject.email, email_verified: subject.emailVerified, name: subject.name, roles: subject.roles };
  const claims = {
    ...userClaims,
    scope: subject.client?.scope ?? DEFAULT_SCOPE,
    sid: subject.sessionId,
    amr: [...subject.amr],
    auth_time: Math.floor(subject.authTime.getTime() / 1000),
    ...(subject.client ? { client_id: subject.client.clientId } : {}),
  };
  return signAt(keys, subject.userId, claims, settings, now);
}

/**
 * A machine-to-machine access token (OAuth `client_credentials`): the client is the subject, so
 * it has `client_id` and `scope` and no user claims and no session.
 */
export function signClientAccessToken(
  keys: KeyManager,
  client: { clientId: string; scope: string },
  settings: AccessTokenSettings,
  now: Date,
): Promise<IssuedAccessToken> {
  return signAt(keys, client.clientId, { client_id: client.clientId, scope: client.scope }, settings, now);
}

/** What verifies the auth server's own access tokens. */
export interface AccessTokenVerifierDeps {
  keys: KeyManager;
  config: Pick<Config, 'alg' | 'hs256Secret' | 'audience'>;
  /** The issuer in force (fixed only once the server listens, with a random port). */
  issuer: () => string;
  now: () => Date;
}

/**
 * The auth server's check of its own access tokens, for its Bearer endpoints: @sigil/express's
 * verifier (the same checks as every resource server) over the keys this server publishes, or
 * the HS256 secret. Every failure is an `invalid_token` error; tokens without a session are refused.
 *
 * @example
 * const verify = createAccessTokenVerifier({ keys, config, issuer: () => issuer, now });
 * const claims = await verify(token);
 */
export function createAccessTokenVerifier(deps: AccessTokenVerifierDeps): (token: string) => Promise<AccessTokenClaims> {
  const verify = createIssuedTokenVerifier(deps);
  return async (token) => {
    const claims = await verify(token, deps.config.audience);
    if (typeof claims.sub !== 'string' || typeof claims.sid !== 'string')
      throw new SigilError('invalid_token', 'The access token has no session');
    return claims as AccessTokenClaims;
  };
}

/**
 * Any access token this server issued for `audience` (the OAuth endpoints take tokens for every
 * API a client may ask for, and machine-to-machine tokens without a session): @sigil/express's
 * verifier, one per issuer and audience.
 */
export function createIssuedTokenVerifier(deps: AccessTokenVerifierDeps): (token: string, audience: string) => Promise<JWTPayload> {
  const { keys, config } = deps;
  const verifiers = new Map<string, AccessTokenVerifier>();
  const verifierFor = (issuer: string, audience: string): AccessTokenVerifier =>
    createVerifier({
      issuer,
      audience,
      ...(config.alg === 'HS256'
        ? { secret: config.hs256Secret! }
        : { keys: { jwks: () => keys.publicKeySet(), reload: (kid) => keys.reloadForUnknownKid(kid) } }),
      // Never taken from the token: HS256 only in shared-secret mode, and a key only verifies its own algorithm.
      algorithms: config.alg === 'HS256' ? ['HS256'] : ['RS256', 'ES256', 'EdDSA'],
      // The key manager limits its own reloads.
      jwks: { cooldown: 0 },
      clock: () => deps.now().getTime(),
    });

  return async (token, audience) => {
    const issuer = deps.issuer();
    const key = `${issuer} ${audience}`;
    let verify = verifiers.get(key);
    if (!verify) {
      // Audiences are the configured one and the clients' registered resources: a short list.
      if (verifiers.size >= 64) verifiers.clear();
      verify = verifierFor(issuer, audience);
      verifiers.set(key, verify);
    }
    return verify(token);
  };
}
