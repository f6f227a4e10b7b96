import {
  AUTH_COMMON,
  BEARER_ERRORS,
  BODY_ERRORS,
  DELIVERY_PARAM,
  NO_STORE,
  json,
  jsonBody,
  problem,
  ref,
  responseRef,
  tokenResponse,
  type Json,
} from './shared.ts';
import { MFA_REQUIRED_403 } from './paths-mfa.ts';

/** Sessions (signup, login, refresh, logout) and the caller's own account (`/auth/me`, sessions, password). */
export function authPaths(): Json {
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
          '201': {
            ...tokenResponse(
              "Account created; the new session's tokens (or, under `SIGIL_EMAIL_VERIFICATION=required`, the account only).",
            ),
            content: { 'application/json': { schema: { oneOf: [ref('TokenResponse'), ref('SignupVerificationRequired')] } } },
          },
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
        description:
          'Unknown emails and wrong passwords get the same answer in the same time. An account with a second factor answers 403 `mfa_required` instead of tokens.',
        parameters: [DELIVERY_PARAM],
        requestBody: jsonBody('LoginRequest'),
        responses: {
          '200': tokenResponse("A new session's tokens."),
          '400': responseRef('BadRequest'),
          '401': problem('Invalid email or password (or a disabled account).', ['invalid_credentials']),
          '403': MFA_REQUIRED_403,
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
          ...BEARER_ERRORS,
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
          ...BEARER_ERRORS,
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
          ...BEARER_ERRORS,
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
        description: 'Links mailed before (reset, verification, email change) are voided, and a notice is mailed.',
        security: [{ bearer: [] }],
        requestBody: jsonBody('PasswordChangeRequest'),
        responses: {
          '204': { description: "Password changed; the caller's other sessions were revoked." },
          '400': problem(
            'Invalid body, new password against the policy, or a wrong current password (400, not 401: the access token is fine).',
            ['invalid_request'],
          ),
          ...BEARER_ERRORS,
          ...BODY_ERRORS,
          ...AUTH_COMMON,
        },
      },
    },
  };
}
