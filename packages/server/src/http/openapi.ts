import { readFileSync } from 'node:fs';
import { ERROR_CODES } from '../errors.ts';
import { BODY_LIMIT } from './json-body.ts';

/**
 * The OpenAPI 3.1 description of the auth server's HTTP API (docs/server.md, "HTTP API").
 *
 * Schemas are JSON Schema 2020-12 (OpenAPI 3.1's dialect) and closed (`additionalProperties:
 * false`), so `test/openapi.test.ts` fails as soon as a real response drifts from this document.
 * When you change a route, change its entry here in the same commit.
 *
 * @example
 * const doc = buildOpenApiDocument('https://auth.example.com');
 * doc.paths['/auth/login'].post.responses['200'];
 */

// src/http/openapi.ts and dist/http/openapi.js both sit two levels below the package root.
const VERSION = (JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }).version;

type Json = Record<string, unknown>;

const ref = (name: string): Json => ({ $ref: `#/components/schemas/${name}` });
const responseRef = (name: string): Json => ({ $ref: `#/components/responses/${name}` });

const json = (schema: Json, headers?: Json): Json => ({
  content: { 'application/json': { schema } },
  ...(headers ? { headers } : {}),
});

/** A problem+json response; `codes` narrows the documented `code` for this status. */
function problem(description: string, codes: readonly string[], headers?: Json): Json {
  return {
    description,
    content: {
      'application/problem+json': {
        schema: { allOf: [ref('Problem'), { properties: { code: { enum: [...codes] } } }] },
      },
    },
    ...(headers ? { headers } : {}),
  };
}

const html = (): Json => ({ content: { 'text/html': { schema: { type: 'string', pattern: '^<!doctype html>' } } } });

const NO_STORE = { 'Cache-Control': { $ref: '#/components/headers/NoStore' } };

/** Responses every `/auth/*` operation can give (per-IP budget, unexpected failures, storage outage). */
const AUTH_COMMON: Json = {
  '429': responseRef('RateLimited'),
  '500': responseRef('InternalError'),
  '503': responseRef('Unavailable'),
};

/** Responses of operations that read a JSON body. */
const BODY_ERRORS: Json = {
  '413': responseRef('PayloadTooLarge'),
  '415': responseRef('UnsupportedMediaType'),
};

const BEARER_401: Json = { '401': responseRef('InvalidToken') };

const DELIVERY_PARAM = { $ref: '#/components/parameters/TokenDelivery' };

function jsonBody(schema: string, required = true): Json {
  return { required, content: { 'application/json': { schema: ref(schema) } } };
}

const tokenResponse = (description: string): Json => ({
  description,
  headers: {
    ...NO_STORE,
    'Set-Cookie': {
      description:
        'Cookie delivery only: `sigil_refresh=<token>; Path=/auth; HttpOnly; SameSite=Strict` (`Secure` except on a plain-http localhost issuer).',
      schema: { type: 'string' },
    },
  },
  content: { 'application/json': { schema: ref('TokenResponse') } },
});

function schemas(): Json {
  const publicUser = {
    type: 'object',
    description: 'A user as clients see it: never a password or hash.',
    required: ['id', 'email', 'name', 'roles'],
    additionalProperties: false,
    properties: {
      id: { type: 'string', format: 'uuid' },
      email: { type: 'string', format: 'email' },
      name: { type: ['string', 'null'] },
      roles: { type: 'array', items: { type: 'string' } },
    },
  };
  const tokenFields = {
    access_token: {
      type: 'string',
      description: 'JWS compact access token (RFC 9068, `typ: at+jwt`).',
      pattern: '^[A-Za-z0-9_-]+\\.[A-Za-z0-9_-]+\\.[A-Za-z0-9_-]+$',
    },
    token_type: { const: 'Bearer' },
    expires_in: { type: 'integer', minimum: 1, description: 'Access token lifetime in seconds.' },
    expires_at: { type: 'integer', description: 'Access token expiry, seconds since the epoch.' },
    user: ref('User'),
  };
  return {
    User: publicUser,
    SignupRequest: {
      type: 'object',
      required: ['email', 'password'],
      properties: {
        email: { type: 'string', format: 'email', maxLength: 254 },
        password: { type: 'string', minLength: 10, description: 'At least 10 characters, at most 1 KiB of UTF-8, not only whitespace.' },
        name: { type: ['string', 'null'], minLength: 1, maxLength: 200 },
      },
    },
    LoginRequest: {
      type: 'object',
      required: ['email', 'password'],
      properties: {
        email: { type: 'string', format: 'email', maxLength: 254 },
        password: { type: 'string', minLength: 1, description: 'At most 1 KiB of UTF-8.' },
      },
    },
    RefreshRequest: {
      type: 'object',
      description: 'Omit `refresh_token` (or send no body) to use the `sigil_refresh` cookie instead.',
      properties: { refresh_token: { type: 'string', maxLength: 512 } },
    },
    PasswordChangeRequest: {
      type: 'object',
      required: ['current_password', 'new_password'],
      properties: {
        current_password: { type: 'string', minLength: 1 },
        new_password: { type: 'string', minLength: 10, description: 'Same policy as signup.' },
      },
    },
    TokenResponse: {
      description:
        'Body delivery (default) carries `refresh_token`; cookie delivery (`X-Sigil-Token-Delivery: cookie`, or `SIGIL_COOKIE_MODE=only`) omits it and sets the `sigil_refresh` cookie instead.',
      oneOf: [ref('BodyTokenResponse'), ref('CookieTokenResponse')],
    },
    BodyTokenResponse: {
      type: 'object',
      required: ['access_token', 'token_type', 'expires_in', 'expires_at', 'refresh_token', 'user'],
      additionalProperties: false,
      properties: {
        ...tokenFields,
        refresh_token: { type: 'string', description: 'Opaque, single use: every refresh returns a new one.', minLength: 32 },
      },
    },
    CookieTokenResponse: {
      type: 'object',
      required: ['access_token', 'token_type', 'expires_in', 'expires_at', 'user'],
      additionalProperties: false,
      properties: tokenFields,
    },
    MeResponse: {
      type: 'object',
      required: ['user'],
      additionalProperties: false,
      properties: { user: ref('User') },
    },
    Session: {
      type: 'object',
      required: ['id', 'created_at', 'last_used_at', 'user_agent', 'current'],
      additionalProperties: false,
      properties: {
        id: { type: 'string', format: 'uuid' },
        created_at: { type: 'string', format: 'date-time' },
        last_used_at: { type: 'string', format: 'date-time' },
        user_agent: { type: ['string', 'null'] },
        current: { type: 'boolean', description: 'True for the session of the access token making the call.' },
      },
    },
    SessionList: {
      type: 'object',
      required: ['sessions'],
      additionalProperties: false,
      properties: { sessions: { type: 'array', items: ref('Session') } },
    },
    CsrfResponse: {
      type: 'object',
      required: ['csrf_token', 'session'],
      additionalProperties: false,
      properties: {
        csrf_token: { type: 'string', pattern: '^[A-Za-z0-9_-]{32,64}$' },
        session: {
          type: 'boolean',
          description:
            'Whether the browser sent a refresh cookie (it cannot read the HttpOnly cookie itself): false means a refresh would fail.',
        },
      },
    },
    Jwk: {
      type: 'object',
      description: 'A public signing key (RFC 7517): never a private member (`d`, `p`, `q`, `dp`, `dq`, `qi`, `k`).',
      required: ['kty', 'kid', 'alg', 'use'],
      additionalProperties: false,
      properties: {
        kty: { enum: ['RSA', 'EC', 'OKP'] },
        kid: { type: 'string', minLength: 1 },
        alg: { enum: ['RS256', 'ES256', 'EdDSA'] },
        use: { const: 'sig' },
        n: { type: 'string' },
        e: { type: 'string' },
        crv: { enum: ['P-256', 'Ed25519'] },
        x: { type: 'string' },
        y: { type: 'string' },
      },
    },
    Jwks: {
      type: 'object',
      description:
        'Every published key: the signing key, the next one (published before it signs), and retired ones whose tokens may still be live. Empty in HS256 shared-secret mode.',
      required: ['keys'],
      additionalProperties: false,
      properties: { keys: { type: 'array', items: ref('Jwk') } },
    },
    DiscoveryDocument: {
      type: 'object',
      description:
        "Authorization server metadata subset (RFC 8414): issuer and jwks_uri for resource servers, plus Sigil's own JSON endpoints under sigil_* names (they are not OAuth endpoints, so none is advertised as one).",
      required: ['issuer', 'jwks_uri'],
      additionalProperties: false,
      properties: {
        issuer: { type: 'string', format: 'uri' },
        jwks_uri: { type: 'string', format: 'uri' },
        subject_types_supported: { type: 'array', items: { type: 'string' } },
        scopes_supported: { type: 'array', items: { type: 'string' } },
        claims_supported: { type: 'array', items: { type: 'string' } },
        service_documentation: { type: 'string', format: 'uri' },
        sigil_access_token_signing_alg: { enum: ['RS256', 'ES256', 'EdDSA', 'HS256'] },
        sigil_signup_endpoint: { type: 'string', format: 'uri' },
        sigil_login_endpoint: { type: 'string', format: 'uri' },
        sigil_refresh_endpoint: { type: 'string', format: 'uri' },
        sigil_logout_endpoint: { type: 'string', format: 'uri' },
        sigil_userinfo_endpoint: { type: 'string', format: 'uri' },
      },
    },
    HostedLoginForm: {
      type: 'object',
      required: ['email', 'password', 'csrf_token', 'return_to'],
      properties: {
        email: { type: 'string', format: 'email' },
        password: { type: 'string' },
        csrf_token: { type: 'string', description: 'The value of the `sigil_csrf` cookie (filled in by the page).' },
        return_to: { type: 'string', format: 'uri' },
      },
    },
    Health: {
      type: 'object',
      required: ['status'],
      additionalProperties: false,
      properties: { status: { const: 'ok' } },
    },
    Readiness: {
      type: 'object',
      required: ['status', 'storage'],
      additionalProperties: false,
      properties: { status: { const: 'ok' }, storage: { const: 'ok' } },
    },
    Problem: {
      type: 'object',
      description: 'RFC 9457 problem details. Clients switch on `code`, never on `title` or `detail`.',
      required: ['type', 'title', 'status', 'detail', 'code'],
      additionalProperties: false,
      properties: {
        type: { type: 'string', format: 'uri' },
        title: { type: 'string' },
        status: { type: 'integer', minimum: 400, maximum: 599 },
        detail: { type: 'string' },
        code: { enum: Object.keys(ERROR_CODES) },
        errors: {
          type: 'array',
          description: 'Field-level validation problems (400 only).',
          items: {
            type: 'object',
            required: ['path', 'message'],
            additionalProperties: false,
            properties: { path: { type: 'string' }, message: { type: 'string' } },
          },
        },
      },
    },
  };
}

function components(): Json {
  return {
    securitySchemes: {
      bearer: {
        type: 'http',
        scheme: 'bearer',
        bearerFormat: 'JWT',
        description: 'An access token from login, signup or refresh (RFC 6750).',
      },
      refreshCookie: {
        type: 'apiKey',
        in: 'cookie',
        name: 'sigil_refresh',
        description:
          'The HttpOnly refresh cookie of cookie delivery. Requests authenticated by it must come from an allowed Origin and echo the `sigil_csrf` cookie in `X-CSRF-Token` (see GET /auth/csrf).',
      },
    },
    parameters: {
      TokenDelivery: {
        name: 'X-Sigil-Token-Delivery',
        in: 'header',
        required: false,
        description:
          'Browser clients send `cookie` to receive the refresh token in an HttpOnly cookie instead of the body (`SIGIL_COOKIE_MODE=allow`, the default). Ignored when the server runs with `SIGIL_COOKIE_MODE=off` or `only`.',
        schema: { enum: ['cookie', 'body'] },
      },
      CsrfToken: {
        name: 'X-CSRF-Token',
        in: 'header',
        required: false,
        description: 'Required when the refresh token comes from the cookie: the value of the `sigil_csrf` cookie (double submit).',
        schema: { type: 'string' },
      },
    },
    headers: {
      NoStore: { description: 'Token-bearing and per-user responses are never cached.', schema: { const: 'no-store' } },
      RetryAfter: { description: 'Seconds to wait before retrying.', required: true, schema: { type: 'integer', minimum: 1 } },
      WWWAuthenticate: {
        description: 'RFC 6750 challenge: `Bearer realm="<issuer>"`, with `error="invalid_token"` when a token was presented.',
        required: true,
        schema: { type: 'string', pattern: '^Bearer ' },
      },
    },
    responses: {
      BadRequest: problem('The body is not valid JSON, or fails validation (see `errors`).', ['invalid_request']),
      PayloadTooLarge: problem(`The body is larger than ${BODY_LIMIT.replace('kb', ' KiB')}.`, ['invalid_request']),
      UnsupportedMediaType: problem('The request carries a body that is not `application/json`.', ['invalid_request']),
      RateLimited: problem(
        'Too many requests: per-IP budget, signups per IP, or consecutive failed logins for this account and IP (growing lockout).',
        ['rate_limited'],
        { 'Retry-After': { $ref: '#/components/headers/RetryAfter' } },
      ),
      InvalidToken: problem('No, a malformed, an expired or a revoked access token.', ['invalid_token'], {
        'WWW-Authenticate': { $ref: '#/components/headers/WWWAuthenticate' },
      }),
      CsrfRefused: problem('Cookie-authenticated request from a disallowed Origin or without the CSRF token.', ['invalid_request']),
      InternalError: problem('An unexpected failure (details are logged, never sent).', ['internal_error']),
      Unavailable: problem('Storage is unreachable or the server is overloaded: retry later (not a reason to log the user out).', [
        'unavailable',
      ]),
    },
    schemas: schemas(),
  };
}

function paths(): Json {
  const authTags = ['auth'];
  const accountTags = ['account'];
  return {
    '/auth/signup': {
      post: {
        operationId: 'signup',
        tags: authTags,
        summary: 'Create an account and start a session',
        parameters: [DELIVERY_PARAM],
        requestBody: jsonBody('SignupRequest'),
        responses: {
          '201': tokenResponse("Account created; the new session's tokens."),
          '400': responseRef('BadRequest'),
          '409': problem('An account with this email already exists.', ['email_taken']),
          ...BODY_ERRORS,
          ...AUTH_COMMON,
        },
      },
    },
    '/auth/login': {
      post: {
        operationId: 'login',
        tags: authTags,
        summary: 'Log in with email and password',
        description: 'Unknown emails and wrong passwords get the same answer in the same time.',
        parameters: [DELIVERY_PARAM],
        requestBody: jsonBody('LoginRequest'),
        responses: {
          '200': tokenResponse("A new session's tokens."),
          '400': responseRef('BadRequest'),
          '401': problem('Invalid email or password (or a disabled account).', ['invalid_credentials']),
          ...BODY_ERRORS,
          ...AUTH_COMMON,
        },
      },
    },
    '/auth/refresh': {
      post: {
        operationId: 'refresh',
        tags: authTags,
        summary: 'Exchange a refresh token for new tokens (rotation)',
        description:
          'Every refresh returns a new refresh token; the presented one is used up. Presenting a used token again after the grace window revokes the whole session (RFC 9700 4.14); inside it, the successor already issued is returned again.',
        security: [{}, { refreshCookie: [] }],
        parameters: [DELIVERY_PARAM, { $ref: '#/components/parameters/CsrfToken' }],
        requestBody: jsonBody('RefreshRequest', false),
        responses: {
          '200': tokenResponse('New tokens for the same session.'),
          '400': responseRef('BadRequest'),
          '401': problem('Unknown, expired, reused or revoked refresh token, or none presented.', ['invalid_grant']),
          '403': responseRef('CsrfRefused'),
          ...BODY_ERRORS,
          ...AUTH_COMMON,
        },
      },
    },
    '/auth/logout': {
      post: {
        operationId: 'logout',
        tags: authTags,
        summary: 'End the session of a refresh token (idempotent)',
        security: [{}, { refreshCookie: [] }],
        parameters: [{ $ref: '#/components/parameters/CsrfToken' }],
        requestBody: jsonBody('RefreshRequest', false),
        responses: {
          '204': { description: 'Session ended, or the token was unknown. Clears the refresh cookie when one was sent.' },
          '400': responseRef('BadRequest'),
          '403': responseRef('CsrfRefused'),
          ...BODY_ERRORS,
          ...AUTH_COMMON,
        },
      },
    },
    '/auth/csrf': {
      get: {
        operationId: 'csrf',
        tags: authTags,
        summary: "Get (and set as the `sigil_csrf` cookie) this browser's CSRF token",
        responses: {
          '200': { description: 'The CSRF token to echo in `X-CSRF-Token`.', ...json(ref('CsrfResponse'), NO_STORE) },
          ...AUTH_COMMON,
        },
      },
    },
    '/auth/me': {
      get: {
        operationId: 'me',
        tags: accountTags,
        summary: "The caller's user",
        security: [{ bearer: [] }],
        responses: {
          '200': { description: 'The user of the access token.', ...json(ref('MeResponse'), NO_STORE) },
          ...BEARER_401,
          ...AUTH_COMMON,
        },
      },
    },
    '/auth/sessions': {
      get: {
        operationId: 'listSessions',
        tags: accountTags,
        summary: "The caller's active sessions",
        security: [{ bearer: [] }],
        responses: {
          '200': { description: 'Active sessions, the current one marked.', ...json(ref('SessionList'), NO_STORE) },
          ...BEARER_401,
          ...AUTH_COMMON,
        },
      },
    },
    '/auth/sessions/{id}': {
      delete: {
        operationId: 'revokeSession',
        tags: accountTags,
        summary: "Revoke one of the caller's sessions",
        security: [{ bearer: [] }],
        parameters: [{ name: 'id', in: 'path', required: true, schema: { type: 'string' } }],
        responses: {
          '204': { description: 'Session revoked: its refresh token no longer works.' },
          ...BEARER_401,
          '404': problem('No such active session of the caller.', ['not_found']),
          ...AUTH_COMMON,
        },
      },
    },
    '/auth/password': {
      post: {
        operationId: 'changePassword',
        tags: accountTags,
        summary: "Change the caller's password; every other session is revoked",
        security: [{ bearer: [] }],
        requestBody: jsonBody('PasswordChangeRequest'),
        responses: {
          '204': { description: "Password changed; the caller's other sessions were revoked." },
          '400': problem(
            'Invalid body, new password against the policy, or a wrong current password (400, not 401: the access token is fine).',
            ['invalid_request'],
          ),
          ...BEARER_401,
          ...BODY_ERRORS,
          ...AUTH_COMMON,
        },
      },
    },
    '/login': {
      get: {
        operationId: 'hostedLoginPage',
        tags: ['hosted login'],
        summary: 'The hosted login page (HTML form, works without JavaScript)',
        description: 'Absent when `SIGIL_COOKIE_MODE=off`. Sets the `sigil_csrf` cookie that the form echoes.',
        parameters: [
          {
            name: 'return_to',
            in: 'query',
            required: true,
            description: 'Where to go after login: an absolute URL on an allowed origin (`SIGIL_ALLOWED_ORIGINS`).',
            schema: { type: 'string', format: 'uri' },
          },
        ],
        responses: {
          '200': {
            description: 'The login form.',
            headers: { ...NO_STORE, 'Content-Security-Policy': { schema: { type: 'string' } } },
            ...html(),
          },
          '400': { description: 'return_to is missing or not on an allowed origin (no open redirect).', ...html() },
          '500': responseRef('InternalError'),
        },
      },
      post: {
        operationId: 'hostedLogin',
        tags: ['hosted login'],
        summary: 'Submit the hosted login form',
        description:
          'On success sets the HttpOnly `sigil_refresh` cookie and redirects to `return_to`; the app then calls POST /auth/refresh with credentials to get its access token and never sees the password.',
        requestBody: { required: true, content: { 'application/x-www-form-urlencoded': { schema: ref('HostedLoginForm') } } },
        responses: {
          '303': {
            description: 'Logged in: redirect to `return_to`.',
            headers: {
              Location: { required: true, schema: { type: 'string', format: 'uri' } },
              'Set-Cookie': {
                required: true,
                description: '`sigil_refresh=<token>; Path=/auth; HttpOnly; SameSite=Strict`',
                schema: { type: 'string', pattern: '^sigil_refresh=' },
              },
            },
            content: { 'text/plain': { schema: { type: 'string' } } },
          },
          '400': { description: 'Invalid return_to, expired form (CSRF), or missing fields: the page again, or a refusal.', ...html() },
          '401': { description: 'Invalid email or password: the form again, with the error.', ...html() },
          '413': responseRef('PayloadTooLarge'),
          '429': {
            description: 'Too many attempts (the form again), or the per-IP budget is spent (problem+json).',
            headers: { 'Retry-After': { $ref: '#/components/headers/RetryAfter' } },
            content: {
              'text/html': { schema: { type: 'string' } },
              'application/problem+json': { schema: { allOf: [ref('Problem'), { properties: { code: { const: 'rate_limited' } } }] } },
            },
          },
          '500': responseRef('InternalError'),
          '503': responseRef('Unavailable'),
        },
      },
    },
    '/.well-known/jwks.json': {
      get: {
        operationId: 'jwks',
        tags: ['discovery'],
        summary: 'Public signing keys (JWKS)',
        responses: {
          '200': {
            description: 'The published keys.',
            ...json(ref('Jwks'), {
              'Cache-Control': {
                description: '`public, max-age=<SIGIL_JWKS_MAX_AGE>`',
                schema: { type: 'string', pattern: 'max-age=\\d+' },
              },
            }),
          },
          '500': responseRef('InternalError'),
          '503': responseRef('Unavailable'),
        },
      },
    },
    '/.well-known/openid-configuration': {
      get: {
        operationId: 'discovery',
        tags: ['discovery'],
        summary: 'OpenID discovery document',
        responses: {
          '200': {
            description: 'Where the JWKS and the endpoints are.',
            ...json(ref('DiscoveryDocument'), { 'Cache-Control': { schema: { type: 'string', pattern: 'max-age=\\d+' } } }),
          },
        },
      },
    },
    '/healthz': {
      get: {
        operationId: 'healthz',
        tags: ['operations'],
        summary: 'Liveness: the process serves requests',
        responses: { '200': { description: 'Alive.', ...json(ref('Health'), NO_STORE) } },
      },
    },
    '/readyz': {
      get: {
        operationId: 'readyz',
        tags: ['operations'],
        summary: 'Readiness: storage answers',
        responses: {
          '200': { description: 'Ready.', ...json(ref('Readiness'), NO_STORE) },
          '503': responseRef('Unavailable'),
        },
      },
    },
    '/openapi.json': {
      get: {
        operationId: 'openapi',
        tags: ['discovery'],
        summary: 'This document',
        responses: {
          '200': {
            description: 'The OpenAPI 3.1 document.',
            ...json({
              type: 'object',
              required: ['openapi', 'paths'],
              properties: { openapi: { const: '3.1.0' }, paths: { type: 'object' } },
            }),
          },
        },
      },
    },
    ...devMailboxPaths(),
  };
}

/** The development mailbox (http/routes/dev-mailbox.ts): served only while mail goes to it. */
function devMailboxPaths(): Json {
  const absent = problem('Not served: `SIGIL_SMTP_URL` is set, or the issuer is not a loopback address.', ['not_found']);
  const description =
    'Only without `SIGIL_SMTP_URL` and with a loopback issuer (`http://localhost`, `127.0.0.1` or `[::1]`), where mail is shown instead of sent: the newest 100 mails sent, newest first.';
  return {
    '/dev/mailbox': {
      get: {
        operationId: 'devMailboxPage',
        tags: ['development'],
        summary: 'The development mailbox (HTML, no JavaScript)',
        description,
        responses: {
          '200': {
            description: 'The mails, with their text and clickable links.',
            headers: { ...NO_STORE, 'Content-Security-Policy': { schema: { type: 'string' } } },
            ...html(),
          },
          '404': absent,
          '500': responseRef('InternalError'),
          '503': responseRef('Unavailable'),
        },
      },
    },
    '/dev/mailbox.json': {
      get: {
        operationId: 'devMailbox',
        tags: ['development'],
        summary: 'The development mailbox as JSON (for end-to-end tests)',
        description,
        responses: {
          '200': {
            description: 'The mails.',
            ...json(
              {
                type: 'array',
                items: {
                  type: 'object',
                  additionalProperties: false,
                  required: ['id', 'to', 'subject', 'text', 'links', 'created_at'],
                  properties: {
                    id: { type: 'string', format: 'uuid' },
                    to: { type: 'string' },
                    subject: { type: 'string' },
                    text: { type: 'string', description: 'The text part.' },
                    links: { type: 'array', items: { type: 'string', format: 'uri' }, description: 'The links of the mail, in order.' },
                    created_at: { type: 'string', format: 'date-time' },
                  },
                },
              },
              NO_STORE,
            ),
          },
          '404': absent,
          '500': responseRef('InternalError'),
          '503': responseRef('Unavailable'),
        },
      },
    },
  };
}

/** Builds the OpenAPI 3.1 document for a server whose public base URL is `issuer`. */
export function buildOpenApiDocument(issuer: string): Record<string, unknown> {
  return {
    openapi: '3.1.0',
    jsonSchemaDialect: 'https://json-schema.org/draft/2020-12/schema',
    info: {
      title: 'Sigil auth server',
      version: VERSION,
      description:
        'Signup, login, rotating refresh tokens, sessions and JWKS. Every error is `application/problem+json` (RFC 9457) with a stable `code`. Request bodies are JSON only (415 otherwise), at most 16 KiB (413).',
      license: { name: 'MIT', identifier: 'MIT' },
    },
    servers: [{ url: issuer }],
    tags: [
      { name: 'auth', description: 'Sessions: signup, login, refresh, logout.' },
      { name: 'account', description: "The caller's own account (Bearer access token)." },
      { name: 'hosted login', description: 'The login page served by the auth server (cookie delivery).' },
      { name: 'discovery', description: 'Public metadata for resource servers and clients.' },
      { name: 'operations', description: 'Health checks.' },
      { name: 'development', description: 'Served only on a development setup (no SMTP, loopback issuer).' },
    ],
    paths: paths(),
    components: components(),
  };
}
