import type { OAuthErrorCode } from '../../oauth/errors.ts';
import { ref, type Json } from './shared.ts';

/**
 * The closed list of OAuth error codes (src/oauth/errors.ts). `satisfies` keeps it in step with
 * `OAuthErrorCode`: a code added or removed there fails the typecheck here.
 */
const OAUTH_ERROR_CODES = Object.keys({
  invalid_request: true,
  invalid_client: true,
  invalid_grant: true,
  unauthorized_client: true,
  unsupported_grant_type: true,
  unsupported_response_type: true,
  invalid_scope: true,
  invalid_target: true,
  access_denied: true,
  login_required: true,
  consent_required: true,
  server_error: true,
  temporarily_unavailable: true,
} satisfies Record<OAuthErrorCode, true>) as OAuthErrorCode[];

export const oauthErrorCodes = (): OAuthErrorCode[] => [...OAUTH_ERROR_CODES];

const JWS = '^[A-Za-z0-9_-]+\\.[A-Za-z0-9_-]+\\.[A-Za-z0-9_-]+$';
const OPAQUE = '^[A-Za-z0-9_-]{43}$';
const epoch = (description: string): Json => ({ type: 'integer', description });

/** How a client authenticates in the form body (client_secret_post), or names itself (public clients, `none`). */
const clientFields: Json = {
  client_id: {
    type: 'string',
    description: 'The client: required unless Basic credentials name it (`client_secret_post`, or a public client: `none`).',
  },
  client_secret: {
    type: 'string',
    description: "A confidential client's secret (`client_secret_post`); never together with Basic credentials.",
  },
};

const tokenHint: Json = {
  enum: ['access_token', 'refresh_token'],
  description: 'Which kind `token` is, to look that kind up first; both kinds are tried either way.',
};

/** The document's OAuth 2.1 / OpenID Connect schemas (docs/oauth.md). */
export function oauthSchemas(): Json {
  return {
    OAuthError: {
      type: 'object',
      description:
        'An OAuth error (RFC 6749 5.2): clients switch on `error`. `error_description` is a sentence for developers, in the characters RFC 6749 allows.',
      required: ['error', 'error_description'],
      additionalProperties: false,
      properties: {
        error: { enum: [...OAUTH_ERROR_CODES] },
        error_description: { type: 'string', pattern: '^[\\x20-\\x21\\x23-\\x5B\\x5D-\\x7E]*$' },
      },
    },
    BearerTokenError: {
      type: 'object',
      description:
        'A refused access token at the userinfo endpoint (RFC 6750 3.1): `invalid_token` (401; the challenge names no error when no token was sent), `insufficient_scope` (403: the token lacks `openid`).',
      required: ['error', 'error_description'],
      additionalProperties: false,
      properties: { error: { enum: ['invalid_token', 'insufficient_scope'] }, error_description: { type: 'string' } },
    },
    OAuthTokenResponse: {
      type: 'object',
      description:
        'RFC 6749 5.1 and OpenID Connect Core 3.1.3.3. The authorization code and refresh token grants carry `refresh_token` (a new one every time: rotation), and `id_token` when `openid` was granted; `client_credentials` carries neither.',
      required: ['access_token', 'token_type', 'expires_in', 'scope'],
      additionalProperties: false,
      properties: {
        access_token: {
          type: 'string',
          pattern: JWS,
          description: 'JWS compact access token (RFC 9068, `typ: at+jwt`) with `client_id`, `scope`, and `aud` = the resource.',
        },
        token_type: { const: 'Bearer' },
        expires_in: { type: 'integer', minimum: 1, description: 'Access token lifetime in seconds.' },
        refresh_token: { type: 'string', pattern: OPAQUE, description: 'Opaque, single use, bound to the client.' },
        id_token: {
          type: 'string',
          pattern: JWS,
          description:
            'OpenID Connect ID token (`typ: JWT`, `aud` = client_id): `iss, sub, aud, exp, iat, auth_time, amr, sid, at_hash`, `nonce` when the request had one, and the claims of the `email` and `profile` scopes.',
        },
        scope: { type: 'string', description: 'The granted scopes, space-separated (unknown requested scopes are dropped).' },
      },
    },
    OAuthIntrospection: {
      description: 'RFC 7662 2.2: an inactive (unknown, expired, revoked) token says nothing more.',
      oneOf: [ref('OAuthIntrospectionInactive'), ref('OAuthIntrospectionAccessToken'), ref('OAuthIntrospectionRefreshToken')],
    },
    OAuthIntrospectionInactive: {
      type: 'object',
      required: ['active'],
      additionalProperties: false,
      properties: { active: { const: false } },
    },
    OAuthIntrospectionAccessToken: {
      type: 'object',
      description: "A live access token of this server, of any audience it issues for: `active`, `token_type`, and the token's own claims.",
      required: ['active', 'token_type', 'iss', 'sub', 'aud', 'iat', 'exp', 'jti', 'scope'],
      additionalProperties: false,
      properties: {
        active: { const: true },
        token_type: { const: 'access_token' },
        iss: { type: 'string', format: 'uri' },
        sub: { type: 'string', description: 'The user id; the client id for a `client_credentials` token.' },
        aud: { type: 'string' },
        iat: epoch('Issued at, seconds since the epoch.'),
        exp: epoch('Expiry, seconds since the epoch.'),
        jti: { type: 'string' },
        scope: { type: 'string' },
        client_id: { type: 'string', description: 'The OAuth client; absent for a token of the JSON API.' },
        sid: { type: 'string', format: 'uuid', description: 'The session; absent for a `client_credentials` token.' },
        amr: { type: 'array', items: { type: 'string' } },
        auth_time: epoch('When the session signed in, seconds since the epoch.'),
        email: { type: 'string', format: 'email' },
        email_verified: { type: 'boolean' },
        name: { type: ['string', 'null'] },
        roles: { type: 'array', items: { type: 'string' } },
      },
    },
    OAuthIntrospectionRefreshToken: {
      type: 'object',
      description: 'A refresh token that can still be used, of a live session.',
      required: ['active', 'token_type', 'iss', 'sub', 'sid', 'iat', 'exp'],
      additionalProperties: false,
      properties: {
        active: { const: true },
        token_type: { const: 'refresh_token' },
        iss: { type: 'string', format: 'uri' },
        sub: { type: 'string', format: 'uuid' },
        sid: { type: 'string', format: 'uuid' },
        iat: epoch('Issued at, seconds since the epoch.'),
        exp: epoch('Expiry, seconds since the epoch.'),
        client_id: { type: 'string', description: 'Present for a session started through OAuth, with `scope` and `aud`.' },
        scope: { type: 'string' },
        aud: { type: 'string' },
      },
    },
    OAuthUserInfo: {
      type: 'object',
      description:
        'OpenID Connect Core 5.3.2: `sub`, and the claims the granted scopes release (`email`: email, email_verified; `profile`: name).',
      required: ['sub'],
      additionalProperties: false,
      properties: {
        sub: { type: 'string', format: 'uuid' },
        email: { type: 'string', format: 'email' },
        email_verified: { type: 'boolean' },
        name: { type: 'string' },
      },
    },
    OAuthTokenRequest: {
      description: 'One of the three grants (RFC 6749 4.1.3, 6 and 4.4; RFC 7636 4.5; RFC 8707).',
      oneOf: [ref('OAuthAuthorizationCodeGrant'), ref('OAuthRefreshTokenGrant'), ref('OAuthClientCredentialsGrant')],
    },
    OAuthAuthorizationCodeGrant: {
      type: 'object',
      required: ['grant_type', 'code', 'redirect_uri', 'code_verifier'],
      properties: {
        grant_type: { const: 'authorization_code' },
        code: {
          type: 'string',
          description: 'The code of the redirect: single use, good for 60 s. A second use revokes what the first issued.',
        },
        redirect_uri: { type: 'string', format: 'uri', description: 'The `redirect_uri` of the authorization request, exactly.' },
        code_verifier: {
          type: 'string',
          pattern: '^[A-Za-z0-9._~-]{43,128}$',
          description: 'PKCE (RFC 7636): its S256 is the `code_challenge`.',
        },
        ...clientFields,
      },
    },
    OAuthRefreshTokenGrant: {
      type: 'object',
      required: ['grant_type', 'refresh_token'],
      properties: {
        grant_type: { const: 'refresh_token' },
        refresh_token: {
          type: 'string',
          description: 'A refresh token issued to this client. Used up: a reuse after the grace window revokes the session.',
        },
        ...clientFields,
      },
    },
    OAuthClientCredentialsGrant: {
      type: 'object',
      description: 'Confidential clients only: a token whose subject is the client itself (no user, no session).',
      required: ['grant_type'],
      properties: {
        grant_type: { const: 'client_credentials' },
        scope: { type: 'string', description: 'Space-separated, among the scopes registered for the client; all of them by default.' },
        resource: {
          type: 'string',
          format: 'uri',
          description: "The API (`aud`): one of the client's resources; the server's audience by default.",
        },
        ...clientFields,
      },
    },
    OAuthRevocationRequest: {
      type: 'object',
      required: ['token'],
      properties: { token: { type: 'string' }, token_type_hint: tokenHint, ...clientFields },
    },
    OAuthIntrospectionRequest: {
      type: 'object',
      required: ['token'],
      properties: { token: { type: 'string' }, token_type_hint: tokenHint, ...clientFields },
    },
    OAuthConsentForm: {
      type: 'object',
      required: ['csrf_token', 'consent', 'return_to', 'decision'],
      properties: {
        csrf_token: { type: 'string', description: 'The value of the `sigil_csrf` cookie (filled in by the page).' },
        consent: { type: 'string', description: 'The single-use consent token of the page (good for 10 minutes).' },
        return_to: { type: 'string', format: 'uri', description: 'The authorization request (its `/oauth/authorize` URL) being answered.' },
        decision: { enum: ['allow', 'deny'] },
      },
    },
    OAuthEndSessionRequest: {
      type: 'object',
      description: 'OpenID Connect RP-Initiated Logout 1.0, section 2.',
      properties: endSessionFields(),
    },
  };
}

/** The parameters of RP-initiated logout, as query parameters (GET) or form fields (POST). */
export function endSessionFields(): Record<string, Json> {
  return {
    id_token_hint: {
      type: 'string',
      description: 'An ID token this server issued (expired ones count): its session (`sid`) ends, if it is a session of its client.',
    },
    post_logout_redirect_uri: {
      type: 'string',
      format: 'uri',
      description: "Where to go afterwards: must be registered, exactly, for the hint's client (or `client_id`).",
    },
    state: { type: 'string', description: 'Passed back on the redirect.' },
    client_id: { type: 'string', description: 'The client, when there is no hint; must match the hint otherwise.' },
  };
}

/** The discovery members that exist only with OAuth on (an asymmetric signing key). */
export function discoveryOAuthMembers(): Json {
  const endpoint = { type: 'string', format: 'uri' };
  const list = (values: readonly string[]): Json => ({ type: 'array', items: { enum: [...values] } });
  const authMethods = ['client_secret_basic', 'client_secret_post', 'none'];
  return {
    authorization_endpoint: endpoint,
    token_endpoint: endpoint,
    userinfo_endpoint: endpoint,
    revocation_endpoint: endpoint,
    introspection_endpoint: endpoint,
    end_session_endpoint: endpoint,
    response_types_supported: list(['code']),
    response_modes_supported: list(['query']),
    grant_types_supported: list(['authorization_code', 'refresh_token', 'client_credentials']),
    code_challenge_methods_supported: list(['S256']),
    token_endpoint_auth_methods_supported: list(authMethods),
    revocation_endpoint_auth_methods_supported: list(authMethods),
    introspection_endpoint_auth_methods_supported: list(['client_secret_basic', 'client_secret_post']),
    id_token_signing_alg_values_supported: list(['RS256', 'ES256', 'EdDSA']),
    authorization_response_iss_parameter_supported: { const: true },
    request_parameter_supported: { const: false },
    request_uri_parameter_supported: { const: false },
    claims_parameter_supported: { const: false },
    prompt_values_supported: list(['login', 'consent']),
  };
}
