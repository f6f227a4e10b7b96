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
import { CONSENT_PAGE, page, signedIn } from './paths-hosted.ts';

const ID_PARAM: Json = { name: 'id', in: 'path', required: true, schema: { type: 'string' } };
const NOT_FOUND = problem('No such passkey of the caller (another user\'s is "not found" too).', ['not_found']);

/** The caller's passkeys and passkey sign-in (docs/server.md, "Passkeys"), and the hosted page's part. */
export function passkeyPaths(): Json {
  const tags = ['passkeys'];
  return {
    '/auth/passkeys/registration/options': {
      post: {
        operationId: 'passkeyRegistrationOptions',
        tags,
        summary: 'Options to create a passkey for the caller',
        description: 'The challenge is stored server-side for 5 minutes and used once; the registration that answers it names it.',
        security: [{ bearer: [] }],
        responses: {
          '200': { description: "WebAuthn's creation options.", ...json(ref('PublicKeyCredentialCreationOptionsJSON'), NO_STORE) },
          '400': problem('The account has the most passkeys it may have (20).', ['invalid_request']),
          ...BEARER_ERRORS,
          ...BODY_ERRORS,
          ...AUTH_COMMON,
        },
      },
    },
    '/auth/passkeys/registration': {
      post: {
        operationId: 'registerPasskey',
        tags,
        summary: "Add the browser's new credential to the caller's passkeys",
        description:
          "Verified against the challenge of the caller's options (found from `clientDataJSON`), the RP ID (`SIGIL_RP_ID`) and the allowed origins (the issuer, `SIGIL_ALLOWED_ORIGINS`); user verification is required.",
        security: [{ bearer: [] }],
        requestBody: jsonBody('PasskeyRegistrationRequest'),
        responses: {
          '201': { description: 'The new passkey.', ...json(ref('PasskeyResponse'), NO_STORE) },
          '400': problem(
            'Invalid body, or the response does not verify: unknown, used, expired or foreign challenge, wrong origin or RP ID, no user verification, a credential registered already.',
            ['invalid_request'],
          ),
          ...BEARER_ERRORS,
          ...BODY_ERRORS,
          ...AUTH_COMMON,
        },
      },
    },
    '/auth/passkeys': {
      get: {
        operationId: 'listPasskeys',
        tags,
        summary: "The caller's passkeys",
        security: [{ bearer: [] }],
        responses: {
          '200': { description: 'Oldest first.', ...json(ref('PasskeyList'), NO_STORE) },
          ...BEARER_ERRORS,
          ...AUTH_COMMON,
        },
      },
    },
    '/auth/passkeys/{id}': {
      patch: {
        operationId: 'renamePasskey',
        tags,
        summary: "Rename one of the caller's passkeys",
        security: [{ bearer: [] }],
        parameters: [ID_PARAM],
        requestBody: jsonBody('PasskeyRenameRequest'),
        responses: {
          '200': { description: 'The renamed passkey.', ...json(ref('PasskeyResponse'), NO_STORE) },
          '400': responseRef('BadRequest'),
          ...BEARER_ERRORS,
          '404': NOT_FOUND,
          ...BODY_ERRORS,
          ...AUTH_COMMON,
        },
      },
      delete: {
        operationId: 'deletePasskey',
        tags,
        summary: "Delete one of the caller's passkeys",
        description: 'It signs nobody in from now on. Sessions it started go on (revoke them with DELETE /auth/sessions/{id}).',
        security: [{ bearer: [] }],
        parameters: [ID_PARAM],
        responses: {
          '204': { description: 'Deleted.' },
          ...BEARER_ERRORS,
          '404': NOT_FOUND,
          ...BODY_ERRORS,
          ...AUTH_COMMON,
        },
      },
    },
    '/auth/passkeys/login/options': {
      post: {
        operationId: 'passkeyLoginOptions',
        tags,
        summary: 'Options to sign in with a passkey',
        description:
          'Limited per IP (`SIGIL_PASSKEY_REQUESTS_PER_MINUTE`, with POST /auth/passkeys/login). The challenge is stored server-side for 5 minutes and used once.',
        requestBody: jsonBody('PasskeyLoginOptionsRequest', false),
        responses: {
          '200': { description: "WebAuthn's request options.", ...json(ref('PublicKeyCredentialRequestOptionsJSON'), NO_STORE) },
          '400': problem('Invalid body, or `invalid_grant`: the `mfa_token` is unknown, used, expired or bound to another client.', [
            'invalid_request',
            'invalid_grant',
          ]),
          ...BODY_ERRORS,
          ...AUTH_COMMON,
        },
      },
    },
    '/auth/passkeys/login': {
      post: {
        operationId: 'passkeyLogin',
        tags,
        summary: 'Sign in with a passkey (passwordless, or the second step of a password sign-in)',
        description:
          "Without `mfa_token`: a passwordless sign-in; the session's `amr` is `hwk` (a device-bound passkey) or `swk` (a synced one), `user` and `mfa`, and no second step is asked for. With the `mfa_token` of an `mfa_required` answer: that sign-in's second step (as POST /auth/mfa/verify with `method: \"passkey\"`), by one of that account's passkeys. Limited per IP.",
        parameters: [DELIVERY_PARAM],
        requestBody: jsonBody('PasskeyLoginRequest'),
        responses: {
          '200': tokenResponse("The new session's tokens."),
          '400': problem('Invalid body, or `invalid_grant`: the `mfa_token` is unknown, used, expired or bound to another client.', [
            'invalid_request',
            'invalid_grant',
          ]),
          '401': problem(
            '`invalid_credentials`: the assertion does not verify (unknown credential or challenge, used or expired challenge, wrong origin or RP ID, no user verification, bad signature, a signature counter that did not increase, a disabled account); `invalid_mfa` for the second step.',
            ['invalid_credentials', 'invalid_mfa'],
          ),
          '403': problem(
            'Under `SIGIL_EMAIL_VERIFICATION=required`, an account whose address is not verified yet (a password sign-in mails a fresh link).',
            ['email_not_verified'],
          ),
          ...BODY_ERRORS,
          ...AUTH_COMMON,
        },
      },
    },
    '/login/passkey.js': {
      get: {
        operationId: 'hostedPasskeyScript',
        tags: ['hosted login'],
        summary: "The hosted login page's passkey script",
        description:
          "`@simplewebauthn/browser`'s bundle and the page's sign-in code, loaded by GET /login with the page's CSP nonce: shows the passkey button where WebAuthn exists, offers passkeys in the email field's autofill, posts the assertion to POST /login/passkey.",
        responses: {
          '200': {
            description: 'JavaScript.',
            headers: { 'Cache-Control': { schema: { type: 'string' } } },
            content: { 'text/javascript': { schema: { type: 'string' } } },
          },
          '500': responseRef('InternalError'),
        },
      },
    },
    '/login/passkey': {
      post: {
        operationId: 'hostedPasskeyLogin',
        tags: ['hosted login'],
        summary: 'Submit a passkey assertion from the hosted login page',
        description:
          "The page's script posts this form. As POST /login: CSRF-checked, the refresh cookie set and a redirect to `return_to` (an OAuth sign-in ends at its client instead); the same sign-in as POST /auth/passkeys/login.",
        requestBody: { required: true, content: { 'application/x-www-form-urlencoded': { schema: ref('HostedPasskeyForm') } } },
        responses: {
          '200': page(`Signed in. ${CONSENT_PAGE}`),
          '303': signedIn('`sigil_refresh=<token>; Path=/auth; HttpOnly; SameSite=Strict`, except for an OAuth sign-in.'),
          '400': {
            description: 'Invalid return_to, expired form (CSRF), or no assertion: a refusal, or the sign-in page again.',
            ...html(),
          },
          '401': { description: 'The assertion does not verify: the sign-in page again, with the error.', ...html() },
          '403': { description: 'Under `SIGIL_EMAIL_VERIFICATION=required`, an unverified address: the sign-in page again.', ...html() },
          '413': responseRef('PayloadTooLarge'),
          '429': {
            description: 'The per-IP budget is spent: a page saying so.',
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
