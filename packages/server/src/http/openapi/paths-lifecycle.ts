import { AUTH_COMMON, BEARER_ERRORS, BODY_ERRORS, NO_STORE, json, jsonBody, problem, ref, responseRef, type Json } from './shared.ts';

const LINK_400 = problem(
  'Invalid body (see `errors`), or `invalid_grant`: the link token is unknown, was used, has expired, or was voided by a later password or email change.',
  ['invalid_request', 'invalid_grant'],
);

/** The account lifecycle by email: verification, forgotten passwords, email change, deletion. */
export function lifecyclePaths(): Json {
  const tags = ['account lifecycle'];
  return {
    '/auth/email/verification': {
      post: {
        operationId: 'requestEmailVerification',
        tags,
        summary: 'Mail the caller a link that verifies their address',
        description: 'Nothing is mailed when the address is verified already (still 202). Limited per address and per IP (429).',
        security: [{ bearer: [] }],
        responses: {
          '202': { description: 'A link is on its way (or the address is verified already).' },
          ...BEARER_ERRORS,
          ...BODY_ERRORS,
          ...AUTH_COMMON,
        },
      },
    },
    '/auth/email/verify': {
      post: {
        operationId: 'verifyEmail',
        tags,
        summary: 'Use a verification link: verify the address, or confirm an email change',
        description:
          'The token of a `/email/verify?token=` link. A signup or resend link verifies the address; an email-change link moves the account to the new address (verified) and voids its other links. Wrong tokens count against the per-IP link-failure budget (429 once spent).',
        requestBody: jsonBody('EmailVerifyRequest'),
        responses: {
          '200': { description: 'The user, with `email_verified: true`.', ...json(ref('MeResponse'), NO_STORE) },
          '400': LINK_400,
          '409': problem('The address of an email change was taken by another account since the link was sent.', ['email_taken']),
          ...BODY_ERRORS,
          ...AUTH_COMMON,
        },
      },
    },
    '/auth/password/forgot': {
      post: {
        operationId: 'forgotPassword',
        tags,
        summary: 'Ask for a password-reset link',
        description:
          'The same empty 202, in the same time, whether or not an account has the address: the link is created (or the mail dropped) later, by the mail worker. Over the per-address budget the answer is still 202 and nothing is sent; over the per-IP budget it is 429.',
        requestBody: jsonBody('ForgotPasswordRequest'),
        responses: {
          '202': { description: 'Accepted. If an account has the address, a link is mailed to it.' },
          '400': responseRef('BadRequest'),
          ...BODY_ERRORS,
          ...AUTH_COMMON,
        },
      },
    },
    '/auth/password/reset': {
      post: {
        operationId: 'resetPassword',
        tags,
        summary: 'Set a new password with a reset link',
        description:
          "Every session of the user is revoked, the address counts as verified (the link reached it), the account's other links are voided and a notice is mailed.",
        requestBody: jsonBody('ResetPasswordRequest'),
        responses: {
          '204': { description: 'Password changed; every session ended.' },
          '400': LINK_400,
          ...BODY_ERRORS,
          ...AUTH_COMMON,
        },
      },
    },
    '/auth/email/change': {
      post: {
        operationId: 'changeEmail',
        tags,
        summary: "Move the caller's account to a new address (confirmed from that address)",
        description:
          'Mails a link to `new_email` and a notice to the current address; the account moves when the link is used (POST /auth/email/verify). A wrong password counts as a failed login.',
        security: [{ bearer: [] }],
        requestBody: jsonBody('EmailChangeRequest'),
        responses: {
          '202': { description: 'The confirmation link and the notice are on their way.' },
          '400': problem('Invalid body, a wrong password, or the current address again.', ['invalid_request']),
          ...BEARER_ERRORS,
          '409': problem('Another account has this address.', ['email_taken']),
          ...BODY_ERRORS,
          ...AUTH_COMMON,
        },
      },
    },
    '/auth/account': {
      delete: {
        operationId: 'deleteAccount',
        tags,
        summary: "Delete the caller's account",
        description:
          'Erases the user with its sessions and link tokens, and mails a notice. Its access tokens are refused by the auth server at once (resource servers accept them until they expire).',
        security: [{ bearer: [] }],
        requestBody: jsonBody('AccountDeleteRequest'),
        responses: {
          '204': { description: 'The account is gone.' },
          '400': problem('Invalid body or a wrong password.', ['invalid_request']),
          ...BEARER_ERRORS,
          ...BODY_ERRORS,
          ...AUTH_COMMON,
        },
      },
    },
  };
}
