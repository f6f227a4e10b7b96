import {
  AUTH_COMMON,
  BEARER_ERRORS,
  BODY_ERRORS,
  DELIVERY_PARAM,
  NO_STORE,
  html,
  json,
  jsonBody,
  problem,
  ref,
  responseRef,
  tokenResponse,
  type Json,
} from './shared.ts';
import { CONSENT_PAGE, signedIn } from './paths-hosted.ts';

/** The 403 of a login whose account has a second factor (POST /auth/login; passkey logins too). */
export const MFA_REQUIRED_403: Json = {
  description:
    '`mfa_required`: the password was right and the account has a second factor; present it with the `mfa_token` at POST /auth/mfa/verify. Or, under `SIGIL_EMAIL_VERIFICATION=required`, `email_not_verified`: the address is not verified yet (checked first) and a fresh link was mailed.',
  headers: NO_STORE,
  content: { 'application/problem+json': { schema: { oneOf: [ref('MfaRequiredProblem'), ref('EmailNotVerifiedProblem')] } } },
};

const PASSWORD_400 = problem('Invalid body, or a wrong password (counted as a failed login).', ['invalid_request']);

/** The second step of a login and the caller's second factors (docs/server.md, "Second factors"). */
export function mfaPaths(): Json {
  const tags = ['second factors'];
  return {
    '/auth/mfa/verify': {
      post: {
        operationId: 'verifySecondFactor',
        tags,
        summary: 'Finish a login with a second factor',
        description:
          'The `mfa_token` of the `mfa_required` answer with a TOTP code or a recovery code. The token is good for 5 minutes, once, and only from the client that passed the first factor (the same User-Agent and token delivery); a token takes 5 wrong codes, and wrong codes count per account across tokens (`SIGIL_LOGIN_MAX_FAILURES`, then a growing lockout).',
        parameters: [DELIVERY_PARAM],
        requestBody: jsonBody('MfaVerifyRequest'),
        responses: {
          '200': tokenResponse("The new session's tokens (`amr` includes `mfa`)."),
          '400': problem('Invalid body, or `invalid_grant`: the mfa token is unknown, used, expired, voided or bound to another client.', [
            'invalid_request',
            'invalid_grant',
          ]),
          '401': problem('`invalid_mfa`: a wrong, replayed or unknown-method second factor.', ['invalid_mfa']),
          ...BODY_ERRORS,
          ...AUTH_COMMON,
        },
      },
    },
    '/auth/mfa': {
      get: {
        operationId: 'secondFactorStatus',
        tags,
        summary: "The caller's second factors",
        security: [{ bearer: [] }],
        responses: {
          '200': { description: 'What the account has.', ...json(ref('MfaStatus'), NO_STORE) },
          ...BEARER_ERRORS,
          ...AUTH_COMMON,
        },
      },
    },
    '/auth/mfa/totp': {
      post: {
        operationId: 'enrolTotp',
        tags,
        summary: 'Start TOTP enrolment: a new secret, pending until confirmed',
        description:
          'A second enrolment before confirmation replaces the pending secret. Refused while TOTP is on (turn it off first, which needs the password).',
        security: [{ bearer: [] }],
        responses: {
          '200': { description: 'The pending secret, its otpauth:// URL and QR code.', ...json(ref('TotpEnrolment'), NO_STORE) },
          '400': problem('TOTP is on already.', ['invalid_request']),
          ...BEARER_ERRORS,
          ...BODY_ERRORS,
          ...AUTH_COMMON,
        },
      },
      delete: {
        operationId: 'disableTotp',
        tags,
        summary: 'Turn TOTP off (and void the recovery codes)',
        security: [{ bearer: [] }],
        requestBody: jsonBody('PasswordConfirmation'),
        responses: {
          '204': { description: 'TOTP is off; the recovery codes are void.' },
          '400': PASSWORD_400,
          ...BEARER_ERRORS,
          ...BODY_ERRORS,
          ...AUTH_COMMON,
        },
      },
    },
    '/auth/mfa/totp/confirm': {
      post: {
        operationId: 'confirmTotp',
        tags,
        summary: 'Turn TOTP on with a first code; get the recovery codes',
        security: [{ bearer: [] }],
        requestBody: jsonBody('TotpConfirmRequest'),
        responses: {
          '200': { description: 'TOTP is on; the recovery codes, shown once.', ...json(ref('RecoveryCodes'), NO_STORE) },
          '400': problem('`invalid_mfa`: a wrong code (400, not 401: the access token is fine); `invalid_request`: nothing is pending.', [
            'invalid_mfa',
            'invalid_request',
          ]),
          ...BEARER_ERRORS,
          ...BODY_ERRORS,
          ...AUTH_COMMON,
        },
      },
    },
    '/auth/mfa/recovery-codes': {
      post: {
        operationId: 'regenerateRecoveryCodes',
        tags,
        summary: 'New recovery codes (the old ones void)',
        security: [{ bearer: [] }],
        requestBody: jsonBody('PasswordConfirmation'),
        responses: {
          '200': { description: 'The new codes, shown once.', ...json(ref('RecoveryCodes'), NO_STORE) },
          '400': problem('Invalid body, a wrong password, or no second factor to recover.', ['invalid_request']),
          ...BEARER_ERRORS,
          ...BODY_ERRORS,
          ...AUTH_COMMON,
        },
      },
    },
    '/login/mfa': {
      post: {
        operationId: 'hostedSecondFactor',
        tags: ['hosted login'],
        summary: "Submit the hosted login page's second step (TOTP or a recovery code)",
        description:
          'The form that POST /login shows after the right password of an account with a second factor. Its `mfa_token` counts only with the HttpOnly `sigil_mfa` cookie set with that page. With `show`, only switches the form to another factor.',
        requestBody: { required: true, content: { 'application/x-www-form-urlencoded': { schema: ref('HostedMfaForm') } } },
        responses: {
          '200': { description: `The form for the other factor (\`show\`). Or, signed in: ${CONSENT_PAGE}`, headers: NO_STORE, ...html() },
          '303': signedIn(
            '`sigil_refresh=<token>; Path=/auth; HttpOnly; SameSite=Strict` (except for an OAuth sign-in), and the `sigil_mfa` cookie cleared.',
            {
              required: true,
              schema: { type: 'string', pattern: '^sigil_' },
            },
          ),
          '400': {
            description: 'Invalid return_to, expired form (CSRF), or an expired, used or unbound second step: a page saying so.',
            ...html(),
          },
          '401': {
            description: 'A wrong code: the form again, or (too many attempts) a page sending the user back to sign in.',
            ...html(),
          },
          '413': responseRef('PayloadTooLarge'),
          '429': {
            description: 'Too many wrong second factors for the account, or the per-IP budget is spent: a page saying so.',
            headers: { 'Retry-After': { $ref: '#/components/headers/RetryAfter' } },
            ...html(),
          },
          '500': responseRef('InternalError'),
          '503': responseRef('Unavailable'),
        },
      },
    },
  };
}
