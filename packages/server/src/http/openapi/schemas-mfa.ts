import { ref, type Json } from './shared.ts';

const RECOVERY_CODES: Json = {
  type: 'array',
  minItems: 10,
  maxItems: 10,
  description:
    'Ten single-use recovery codes, shown this once (only their hashes are stored). Case, spaces and dashes do not matter when typed.',
  items: { type: 'string', pattern: '^[a-z2-9]{4}-[a-z2-9]{4}-[a-z2-9]{4}-[a-z2-9]{4}$' },
};

/** The schemas of second factors (docs/server.md, "Second factors"). */
export function mfaSchemas(): Json {
  return {
    MfaRequiredProblem: {
      type: 'object',
      description:
        'The right first factor of an account with a second factor: RFC 9457 problem details with the extension members `mfa_token` (present it at POST /auth/mfa/verify within `expires_in` seconds, once, from the same client) and `methods` (the second factors the account has).',
      required: ['type', 'title', 'status', 'detail', 'code', 'mfa_token', 'methods', 'expires_in'],
      additionalProperties: false,
      properties: {
        type: { type: 'string', format: 'uri' },
        title: { type: 'string' },
        status: { const: 403 },
        detail: { type: 'string' },
        code: { const: 'mfa_required' },
        mfa_token: { type: 'string', pattern: '^[A-Za-z0-9_-]{43}$' },
        methods: { type: 'array', items: { type: 'string', examples: ['totp', 'recovery_code', 'passkey'] } },
        expires_in: { type: 'integer', minimum: 1 },
      },
    },
    EmailNotVerifiedProblem: {
      allOf: [ref('Problem'), { properties: { code: { const: 'email_not_verified' } } }],
    },
    MfaVerifyRequest: {
      type: 'object',
      required: ['mfa_token', 'method'],
      properties: {
        mfa_token: { type: 'string', maxLength: 512, description: 'The `mfa_token` of the `mfa_required` answer.' },
        method: {
          type: 'string',
          maxLength: 64,
          description: 'One of the `methods` of the `mfa_required` answer: `totp`, `recovery_code` or `passkey`.',
        },
        code: { type: 'string', maxLength: 64, description: 'The 6-digit code of the authenticator app, or a recovery code.' },
        response: {
          ...ref('AuthenticationResponseJSON'),
          description: 'For `passkey`: the assertion for options from POST /auth/passkeys/login/options with this `mfa_token`.',
        },
      },
    },
    MfaStatus: {
      type: 'object',
      required: ['methods', 'totp', 'recovery_codes_remaining'],
      additionalProperties: false,
      properties: {
        methods: { type: 'array', items: { type: 'string' }, description: 'What a login of this account asks for (as in `mfa_required`).' },
        totp: { enum: ['off', 'pending', 'on'] },
        recovery_codes_remaining: { type: 'integer', minimum: 0 },
      },
    },
    TotpEnrolment: {
      type: 'object',
      required: ['secret', 'otpauth_url', 'qr_svg'],
      additionalProperties: false,
      properties: {
        secret: { type: 'string', pattern: '^[A-Z2-7]+$', description: 'Base32, for typing into an authenticator app.' },
        otpauth_url: { type: 'string', pattern: '^otpauth://totp/', description: 'What the QR code holds (SHA-1, 6 digits, 30 s).' },
        qr_svg: { type: 'string', pattern: '^<svg ', description: 'The QR code of `otpauth_url` as an SVG document.' },
      },
    },
    TotpConfirmRequest: {
      type: 'object',
      required: ['code'],
      properties: { code: { type: 'string', maxLength: 64, description: 'The current 6-digit code of the new authenticator.' } },
    },
    RecoveryCodes: {
      type: 'object',
      required: ['recovery_codes'],
      additionalProperties: false,
      properties: { recovery_codes: RECOVERY_CODES },
    },
    PasswordConfirmation: {
      type: 'object',
      required: ['password'],
      properties: { password: { type: 'string', minLength: 1, description: 'The current password.' } },
    },
    HostedMfaForm: {
      type: 'object',
      required: ['csrf_token', 'return_to', 'mfa_token'],
      properties: {
        csrf_token: { type: 'string', description: 'The value of the `sigil_csrf` cookie (filled in by the page).' },
        return_to: { type: 'string', format: 'uri' },
        mfa_token: { type: 'string', description: 'The hidden field of the second-step page.' },
        method: { enum: ['totp', 'recovery_code'] },
        code: { type: 'string' },
        show: { type: 'string', description: 'Present: only switch the form to `method` (no attempt is made).' },
      },
    },
  };
}
