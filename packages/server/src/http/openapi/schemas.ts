import { ERROR_CODES } from '../../errors.ts';
import { discoveryOAuthMembers } from './schemas-oauth.ts';
import { ref, type Json } from './shared.ts';

/** The document's `components.schemas`: closed JSON Schemas of every body. */
export function schemas(): Json {
  const publicUser = {
    type: 'object',
    description: 'A user as clients see it: never a password or hash.',
    required: ['id', 'email', 'name', 'roles', 'email_verified'],
    additionalProperties: false,
    properties: {
      id: { type: 'string', format: 'uuid' },
      email: { type: 'string', format: 'email' },
      name: { type: ['string', 'null'] },
      roles: { type: 'array', items: { type: 'string' } },
      email_verified: { type: 'boolean', description: 'Whether the address was proven (a verification link, or a password reset).' },
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
  const oauthMembers = discoveryOAuthMembers();
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
    SignupVerificationRequired: {
      type: 'object',
      description: 'Signup under `SIGIL_EMAIL_VERIFICATION=required`: the account exists, its first session waits for the mailed link.',
      required: ['user', 'email_verification_required'],
      additionalProperties: false,
      properties: { user: ref('User'), email_verification_required: { const: true } },
    },
    EmailVerifyRequest: {
      type: 'object',
      required: ['token'],
      properties: { token: { type: 'string', minLength: 1, maxLength: 256, description: 'The `token` of the mailed link.' } },
    },
    ForgotPasswordRequest: {
      type: 'object',
      required: ['email'],
      properties: { email: { type: 'string', format: 'email', maxLength: 254 } },
    },
    ResetPasswordRequest: {
      type: 'object',
      required: ['token', 'new_password'],
      properties: {
        token: { type: 'string', minLength: 1, maxLength: 256, description: 'The `token` of the mailed link.' },
        new_password: { type: 'string', minLength: 10, description: 'Same policy as signup.' },
      },
    },
    EmailChangeRequest: {
      type: 'object',
      required: ['new_email', 'password'],
      properties: {
        new_email: { type: 'string', format: 'email', maxLength: 254 },
        password: { type: 'string', minLength: 1, description: 'The current password.' },
      },
    },
    AccountDeleteRequest: {
      type: 'object',
      required: ['password'],
      properties: { password: { type: 'string', minLength: 1, description: 'The current password.' } },
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
        "OpenID Provider / authorization server metadata (OpenID Connect Discovery 1.0, RFC 8414): issuer and jwks_uri for resource servers; the OAuth endpoints and what they support only when the server signs with an asymmetric key (in HS256 shared-secret mode there is no OAuth, so none of those members is present); and Sigil's own JSON endpoints under sigil_* names (they are not OAuth endpoints).",
      required: ['issuer', 'jwks_uri'],
      dependentRequired: { authorization_endpoint: Object.keys(oauthMembers) },
      additionalProperties: false,
      properties: {
        issuer: { type: 'string', format: 'uri' },
        jwks_uri: { type: 'string', format: 'uri' },
        ...oauthMembers,
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
    HostedSignupForm: {
      type: 'object',
      required: ['email', 'password', 'csrf_token', 'return_to'],
      properties: {
        name: { type: 'string', maxLength: 200, description: 'Optional: empty means none.' },
        email: { type: 'string', format: 'email' },
        password: { type: 'string' },
        csrf_token: { type: 'string', description: 'The value of the `sigil_csrf` cookie (filled in by the page).' },
        return_to: { type: 'string', format: 'uri' },
      },
    },
    HostedForgotForm: {
      type: 'object',
      required: ['email', 'csrf_token'],
      properties: {
        email: { type: 'string', format: 'email' },
        csrf_token: { type: 'string' },
        return_to: { type: 'string', format: 'uri' },
      },
    },
    HostedResetForm: {
      type: 'object',
      required: ['token', 'new_password', 'csrf_token'],
      properties: {
        token: { type: 'string' },
        new_password: { type: 'string' },
        csrf_token: { type: 'string' },
        return_to: { type: 'string', format: 'uri' },
      },
    },
    HostedVerifyForm: {
      type: 'object',
      required: ['token', 'csrf_token'],
      properties: { token: { type: 'string' }, csrf_token: { type: 'string' }, return_to: { type: 'string', format: 'uri' } },
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
