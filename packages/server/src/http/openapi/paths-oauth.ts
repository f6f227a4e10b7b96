import { SUPPORTED_SCOPES } from '../../oauth/scopes.ts';
import { PAGE_HEADERS, page } from './paths-hosted.ts';
import { endSessionFields } from './schemas-oauth.ts';
import { NO_STORE, ref, responseRef, type Json } from './shared.ts';

const tags = ['oauth'];

/** Every answer of the token, revocation, introspection and userinfo endpoints says so. */
const NO_STORE_REQUIRED: Json = {
  'Cache-Control': { description: 'OAuth answers are never cached (RFC 6749 5.1).', required: true, schema: { const: 'no-store' } },
};

const RETRY_AFTER = { 'Retry-After': { $ref: '#/components/headers/RetryAfter' } };

/** An OAuth JSON error (RFC 6749 5.2); `codes` narrows the documented `error` for this status. */
function oauthError(description: string, codes: readonly string[], headers: Json = {}): Json {
  return {
    description,
    headers: { ...NO_STORE_REQUIRED, ...headers },
    content: {
      'application/json': { schema: { allOf: [ref('OAuthError'), { properties: { error: { enum: [...codes] } } }] } },
    },
  };
}

/** Failures every OAuth JSON endpoint can answer (logged on the server, never detailed). */
const OAUTH_FAILURES: Json = {
  '500': oauthError('An unexpected failure (details are logged, never sent).', ['server_error']),
  '503': oauthError('Storage is unreachable: retry later.', ['temporarily_unavailable']),
};

/** The per-IP budget of the token, revocation and introspection endpoints. */
const OAUTH_RATE_LIMITED: Json = {
  '429': oauthError('The per-IP budget is spent.', ['invalid_request'], RETRY_AFTER),
};

/** What the form body parser refuses. */
const formBodyErrors = (fields: number): Json => ({
  '413': oauthError(`The body is larger than 16 KiB, or has more than ${fields} fields.`, ['invalid_request']),
  '415': oauthError('The form is in a charset other than UTF-8 or ISO-8859-1.', ['invalid_request']),
});

/** A refused client authentication (RFC 6749 5.2). */
const client401 = (description: string): Json => ({
  '401': oauthError(description, ['invalid_client'], {
    'WWW-Authenticate': {
      description: 'When the client tried Basic credentials: `Basic realm="<issuer>"` (RFC 6749 5.2).',
      schema: { type: 'string', pattern: '^Basic realm=' },
    },
  }),
});

const CLIENT_401 = client401(
  'Client authentication failed: an unknown client, a wrong or missing secret (a confidential client must send it), or no client at all.',
);

const CLIENT_AUTH =
  'Client authentication (RFC 6749 2.3): `client_secret_basic` (the `Authorization: Basic` header, both parts form-encoded), `client_secret_post` (`client_id` and `client_secret` in the form), or `none` for a public client (`client_id` only).';

const form = (schema: string): Json => ({ required: true, content: { 'application/x-www-form-urlencoded': { schema: ref(schema) } } });

/** A redirect of the browser flow (never cached); Express writes a short text body. */
const seeOther = (description: string, location: Json): Json => ({
  description,
  headers: { ...NO_STORE, Location: { required: true, ...location } },
  content: { 'text/plain': { schema: { type: 'string' } } },
});

const PAGE_429: Json = {
  ...page('The per-IP budget is spent: a page saying so.'),
  headers: { ...PAGE_HEADERS, ...RETRY_AFTER },
};

const query = (name: string, schema: Json, description: string, required = false): Json => ({
  name,
  in: 'query',
  required,
  description,
  schema,
});

function authorizationPaths(): Json {
  return {
    '/oauth/authorize': {
      get: {
        operationId: 'oauthAuthorize',
        tags,
        summary: 'Authorization endpoint: start a sign-in for a client (authorization code with PKCE)',
        description:
          'RFC 6749 4.1, RFC 7636, RFC 9207, OpenID Connect Core 3.1.2. Every authorization signs in on the hosted login page (password and second step, passkey, or a new account from its "Create account" link); a third-party client then asks for consent (POST /oauth/consent); the browser ends at `redirect_uri` with `code`, `state` and `iss`. Parameters must not repeat; request objects (`request`, `request_uri`) are refused. Other parameters (`max_age`, `login_hint`, ...) are ignored: every authorization signs in afresh.',
        parameters: [
          query('response_type', { const: 'code' }, 'Only the authorization code flow.', true),
          query('client_id', { type: 'string' }, 'A registered client.', true),
          query('redirect_uri', { type: 'string', format: 'uri' }, 'One of the redirect URIs registered for the client, exactly.', true),
          query('code_challenge', { type: 'string', pattern: '^[A-Za-z0-9_-]{43}$' }, 'PKCE: base64url(SHA-256(code_verifier)).', true),
          query('code_challenge_method', { const: 'S256' }, 'PKCE is required, and only S256 (`plain` is refused).', true),
          query(
            'scope',
            { type: 'string' },
            `Space-separated; the supported ones (${SUPPORTED_SCOPES.join(', ')}) are granted, others dropped. \`openid\` yields an ID token.`,
          ),
          query('state', { type: 'string', maxLength: 2048 }, 'Passed back on the redirect, on success and on errors.'),
          query('nonce', { type: 'string', maxLength: 512 }, 'Put into the ID token.'),
          query(
            'resource',
            { type: 'string', format: 'uri' },
            "RFC 8707: the API the access token is for (its `aud`): one of the client's registered resources, or the server's audience (the default).",
          ),
          query(
            'prompt',
            { type: 'string' },
            "Space-separated: `consent` asks a third-party client's consent again; `login` is accepted; `none` is refused with `login_required`.",
          ),
        ],
        responses: {
          '303': seeOther(
            'A valid request: to the hosted login page, `/login?return_to=<this authorization URL>` (a relative reference). An invalid request of a registered client and redirect URI: back to `redirect_uri` with `error` (`invalid_request`, `unsupported_response_type`, `invalid_target`, `login_required`), `error_description`, `state` and `iss`.',
            { schema: { type: 'string', format: 'uri-reference' } },
          ),
          '400': page('No or an unknown client_id, or a redirect_uri not registered for it: a page of ours, never a redirect.'),
          '429': PAGE_429,
          '500': responseRef('InternalError'),
          '503': responseRef('Unavailable'),
        },
      },
    },
    '/oauth/consent': {
      post: {
        operationId: 'oauthConsent',
        tags,
        summary: 'Answer the consent page of a third-party client (Allow or Deny)',
        description:
          'The page comes after the sign-in (from POST /login, /login/mfa, /login/passkey or /signup) when a third-party client has no consent of this user covering the scopes, or `prompt=consent` was asked. CSRF-checked like the other hosted forms. Allow remembers the consent; Deny ends the session the sign-in started.',
        requestBody: form('OAuthConsentForm'),
        responses: {
          '303': seeOther('To `redirect_uri` with `code`, `state` and `iss` (Allow), or with `error=access_denied` (Deny).', {
            schema: { type: 'string', format: 'uri' },
          }),
          '400': page(
            'return_to is not a valid authorization request, the form expired (CSRF), no decision, or the consent expired or was answered already: a page saying so, with a link to sign in again.',
          ),
          '413': responseRef('PayloadTooLarge'),
          '415': responseRef('UnsupportedMediaType'),
          '429': PAGE_429,
          '500': responseRef('InternalError'),
          '503': responseRef('Unavailable'),
        },
      },
    },
  };
}

function tokenPaths(): Json {
  return {
    '/oauth/token': {
      post: {
        operationId: 'oauthToken',
        tags,
        summary: 'Token endpoint: exchange a code, refresh, or get a client token',
        description: `RFC 6749 3.2. ${CLIENT_AUTH} CORS is open to any origin (no cookies are involved).`,
        security: [{}, { clientSecretBasic: [] }],
        requestBody: form('OAuthTokenRequest'),
        responses: {
          '200': {
            description: 'The tokens.',
            headers: NO_STORE_REQUIRED,
            content: { 'application/json': { schema: ref('OAuthTokenResponse') } },
          },
          '400': oauthError(
            'A missing or repeated parameter, or two client authentications (`invalid_request`); a code or refresh token that is unknown, expired, used, of another client, or whose redirect_uri or code_verifier does not match (`invalid_grant`); client_credentials for a public client (`unauthorized_client`); another grant (`unsupported_grant_type`); scopes not registered for the client (`invalid_scope`); a resource it may not use (`invalid_target`).',
            ['invalid_request', 'invalid_grant', 'unauthorized_client', 'unsupported_grant_type', 'invalid_scope', 'invalid_target'],
          ),
          ...CLIENT_401,
          ...formBodyErrors(20),
          ...OAUTH_RATE_LIMITED,
          ...OAUTH_FAILURES,
        },
      },
    },
    '/oauth/revoke': {
      post: {
        operationId: 'oauthRevoke',
        tags,
        summary: 'Revocation endpoint (RFC 7009): end the session of a token',
        description: `A refresh token or an access token issued to the calling client ends its session. ${CLIENT_AUTH} CORS is open to any origin.`,
        security: [{}, { clientSecretBasic: [] }],
        requestBody: form('OAuthRevocationRequest'),
        responses: {
          '200': {
            description: "Revoked, or unknown, already dead, or another client's: the same empty answer (RFC 7009 2.2).",
            headers: NO_STORE_REQUIRED,
          },
          '400': oauthError('No token, or two client authentications.', ['invalid_request']),
          ...CLIENT_401,
          ...formBodyErrors(20),
          ...OAUTH_RATE_LIMITED,
          ...OAUTH_FAILURES,
        },
      },
    },
    '/oauth/introspect': {
      post: {
        operationId: 'oauthIntrospect',
        tags,
        summary: 'Introspection endpoint (RFC 7662): is a token live, and what does it say',
        description:
          'For confidential clients (resource servers): `client_secret_basic` or `client_secret_post`. Sees the access tokens of every audience the server issues for, and refresh tokens.',
        security: [{ clientSecretBasic: [] }, {}],
        requestBody: form('OAuthIntrospectionRequest'),
        responses: {
          '200': {
            description: 'The token is live (with its claims), or not (`active: false` only).',
            headers: NO_STORE_REQUIRED,
            content: { 'application/json': { schema: ref('OAuthIntrospection') } },
          },
          '400': oauthError('No token, or two client authentications.', ['invalid_request']),
          ...client401('Client authentication failed, or a public client asked (introspection is for confidential clients).'),
          ...formBodyErrors(20),
          ...OAUTH_RATE_LIMITED,
          ...OAUTH_FAILURES,
        },
      },
    },
  };
}

function sessionPaths(): Json {
  const userinfo = (method: string): Json => ({
    operationId: `oauthUserInfo${method}`,
    tags,
    summary: 'UserInfo endpoint (OpenID Connect Core 5.3): the signed-in user, by the granted scopes',
    description:
      'An access token from the token endpoint (a session token of the JSON API works too) whose scope has `openid`, in the `Authorization: Bearer` header. CORS is open to any origin.',
    security: [{ bearer: [] }],
    responses: {
      '200': {
        description: "The user's claims.",
        headers: NO_STORE_REQUIRED,
        content: { 'application/json': { schema: ref('OAuthUserInfo') } },
      },
      '401': {
        description: 'No access token, or one that is malformed, expired, of an ended session or a disabled user.',
        headers: {
          ...NO_STORE_REQUIRED,
          'WWW-Authenticate': {
            description:
              'RFC 6750 3.1: `Bearer realm="<issuer>", error="invalid_token", error_description="..."`; a bare `Bearer realm="<issuer>"` when no token was sent.',
            required: true,
            schema: { type: 'string', pattern: '^Bearer realm=' },
          },
        },
        content: { 'application/json': { schema: ref('BearerTokenError') } },
      },
      '403': {
        description: 'A valid access token without the `openid` scope.',
        headers: {
          ...NO_STORE_REQUIRED,
          'WWW-Authenticate': {
            description: 'RFC 6750 3.1: `Bearer realm="<issuer>", error="insufficient_scope", error_description="..."`.',
            required: true,
            schema: { type: 'string', pattern: '^Bearer .*error="insufficient_scope"' },
          },
        },
        content: { 'application/json': { schema: ref('BearerTokenError') } },
      },
      ...OAUTH_FAILURES,
    },
  });

  const logoutResponses = (): Json => ({
    '200': page('"You are signed out" (a session ended), or "You are not signed in here" (no session to end).'),
    '303': seeOther('To `post_logout_redirect_uri` (with `state`), registered for the client.', {
      schema: { type: 'string', format: 'uri' },
    }),
    '400': page(
      'An id_token_hint not issued here, a client_id that does not match it, or a post_logout_redirect_uri not registered for the client: a page, never a redirect.',
    ),
  });
  const logoutDescription =
    "OpenID Connect RP-Initiated Logout 1.0 (`end_session_endpoint`): ends the session the ID token names, if it is a session of the token's client, and sends the browser back to `post_logout_redirect_uri` only when that exact URI is registered for the client; otherwise a page of ours.";

  return {
    '/oauth/userinfo': { get: userinfo('Get'), post: userinfo('Post') },
    '/oauth/logout': {
      get: {
        operationId: 'oauthLogoutGet',
        tags,
        summary: 'End-session endpoint: sign out of a client (RP-initiated logout)',
        description: logoutDescription,
        parameters: Object.entries(endSessionFields()).map(([name, { description, ...schema }]) =>
          query(name, schema, String(description)),
        ),
        responses: { ...logoutResponses(), ...OAUTH_FAILURES },
      },
      post: {
        operationId: 'oauthLogoutPost',
        tags,
        summary: 'End-session endpoint, as a form post',
        description: `${logoutDescription} The same parameters as the GET, as form fields.`,
        requestBody: { required: false, content: { 'application/x-www-form-urlencoded': { schema: ref('OAuthEndSessionRequest') } } },
        responses: { ...logoutResponses(), ...formBodyErrors(10), ...OAUTH_FAILURES },
      },
    },
  };
}

/**
 * The OAuth 2.1 / OpenID Connect endpoints (docs/oauth.md): served only when the server signs with
 * an asymmetric key. The JSON ones answer errors as OAuth does (`{error, error_description}`,
 * RFC 6749 5.2), not problem+json; the browser ones answer with redirects and hosted pages.
 */
export function oauthPaths(): Json {
  return { ...authorizationPaths(), ...tokenPaths(), ...sessionPaths() };
}
