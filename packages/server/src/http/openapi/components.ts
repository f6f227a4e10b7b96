import { BODY_LIMIT } from '../json-body.ts';
import { mfaSchemas } from './schemas-mfa.ts';
import { oauthSchemas } from './schemas-oauth.ts';
import { passkeySchemas } from './schemas-passkeys.ts';
import { schemas } from './schemas.ts';
import { problem, type Json } from './shared.ts';

/** The document's `components`: security schemes, shared parameters, headers and responses. */
export function components(): Json {
  return {
    securitySchemes: {
      bearer: {
        type: 'http',
        scheme: 'bearer',
        bearerFormat: 'JWT',
        description: 'An access token from login, signup or refresh, or from the OAuth token endpoint (RFC 6750).',
      },
      clientSecretBasic: {
        type: 'http',
        scheme: 'basic',
        description:
          "An OAuth client's id and secret (`client_secret_basic`, RFC 6749 2.3.1: each form-encoded, then base64). Confidential clients may send them as `client_id` and `client_secret` form fields instead (`client_secret_post`).",
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
        'Too many requests: per-IP budget, signups per IP, consecutive failed logins for this account and IP (growing lockout), mails per address or per IP, or wrong link tokens per IP.',
        ['rate_limited'],
        { 'Retry-After': { $ref: '#/components/headers/RetryAfter' } },
      ),
      InvalidToken: problem('No, a malformed, an expired or a revoked access token.', ['invalid_token'], {
        'WWW-Authenticate': { $ref: '#/components/headers/WWWAuthenticate' },
      }),
      ThirdPartyToken: problem(
        "The access token of a third-party OAuth client: the account API takes only the tokens of Sigil's own apps (the JSON API's and first-party clients').",
        ['insufficient_scope'],
        {
          'WWW-Authenticate': {
            description: 'RFC 6750: `Bearer realm="<issuer>", error="insufficient_scope", error_description="..."`.',
            required: true,
            schema: { type: 'string', pattern: '^Bearer .*error="insufficient_scope"' },
          },
        },
      ),
      CsrfRefused: problem('Cookie-authenticated request from a disallowed Origin or without the CSRF token.', ['invalid_request']),
      InternalError: problem('An unexpected failure (details are logged, never sent).', ['internal_error']),
      Unavailable: problem('Storage is unreachable or the server is overloaded: retry later (not a reason to log the user out).', [
        'unavailable',
      ]),
    },
    schemas: { ...schemas(), ...mfaSchemas(), ...passkeySchemas(), ...oauthSchemas() },
  };
}
