import { NO_STORE, html, ref, responseRef, type Json } from './shared.ts';

/** The headers of every hosted page (sendPage): never cached, under the hosted pages' CSP. */
export const PAGE_HEADERS = {
  ...NO_STORE,
  'Content-Security-Policy': {
    description: "The hosted pages' CSP: `default-src 'none'`, a nonce'd style, `form-action` limited, `frame-ancestors 'none'`.",
    required: true,
    schema: { type: 'string', pattern: "^default-src 'none'; " },
  },
};

/** A hosted HTML page answer. */
export const page = (description: string): Json => ({ description, headers: PAGE_HEADERS, ...html() });

/** What a `return_to` of the sign-in pages may be (src/http/hosted/sign-in-target.ts). */
const RETURN_TO =
  "an absolute URL on an allowed origin (`SIGIL_ALLOWED_ORIGINS`), or this server's own `/oauth/authorize` URL with a valid authorization request (an OAuth sign-in, which ends at the client instead)";

/** The sign-in pages exist with cookie delivery or OAuth (docs/oauth.md). */
const SIGN_IN_PAGES =
  'Absent when `SIGIL_COOKIE_MODE=off` and OAuth is off (HS256); with `SIGIL_COOKIE_MODE=off` they serve OAuth sign-ins only.';

/** The 200 of a sign-in form that ends an OAuth sign-in of a third-party client. */
export const CONSENT_PAGE =
  'An OAuth sign-in of a third-party client without a covering consent: the consent page (a form posting to /oauth/consent).';

/** The 303 of a successful sign-in form; `cookies` is what else it may set. */
export function signedIn(cookies: string, setCookie: Json = { schema: { type: 'string', pattern: '^sigil_refresh=' } }): Json {
  return {
    description:
      "Signed in: a redirect to `return_to` with the refresh cookie; for an OAuth sign-in, to the client's `redirect_uri` with `code`, `state` and `iss`, and no refresh cookie.",
    headers: {
      Location: { required: true, schema: { type: 'string', format: 'uri' } },
      'Set-Cookie': { description: cookies, ...setCookie },
    },
    content: { 'text/plain': { schema: { type: 'string' } } },
  };
}

const returnTo = (required: boolean): Json => ({
  name: 'return_to',
  in: 'query',
  required,
  description: required
    ? `Where to go afterwards: ${RETURN_TO}.`
    : `Where the "Sign in" link leads afterwards: ${RETURN_TO}; the first allowed origin when absent.`,
  schema: { type: 'string', format: 'uri' },
});

const TOKEN_PARAM: Json = {
  name: 'token',
  in: 'query',
  required: true,
  description: 'The token of the mailed link. A GET never uses it up (mail scanners fetch links); the form posts it.',
  schema: { type: 'string' },
};

const NO_REFERRER = {
  'Referrer-Policy': { description: 'The URL holds a link token: it is never sent on.', required: true, schema: { const: 'no-referrer' } },
};

const FORM_ERRORS: Json = {
  '413': responseRef('PayloadTooLarge'),
  '429': {
    description: 'Too many attempts, or a spent budget (per IP, mails, link failures): a page saying so.',
    headers: { 'Retry-After': { $ref: '#/components/headers/RetryAfter' } },
    ...html(),
  },
  '500': responseRef('InternalError'),
  '503': responseRef('Unavailable'),
};

const form = (schema: string): Json => ({ required: true, content: { 'application/x-www-form-urlencoded': { schema: ref(schema) } } });

function accountPages(): Json {
  const tags = ['hosted account pages'];
  return {
    '/signup': {
      get: {
        operationId: 'hostedSignupPage',
        tags,
        summary: 'The "Create account" page (linked from /login)',
        description: `${SIGN_IN_PAGES} Sets the \`sigil_csrf\` cookie that the form echoes.`,
        parameters: [returnTo(true)],
        responses: {
          '200': page('The signup form.'),
          '400': page('return_to is missing or not on an allowed origin.'),
          '500': responseRef('InternalError'),
        },
      },
      post: {
        operationId: 'hostedSignup',
        tags,
        summary: 'Submit the signup form',
        description:
          'Signs up as POST /auth/signup does. On success sets the HttpOnly `sigil_refresh` cookie and redirects to `return_to` (an OAuth sign-in continues to its client instead); under `SIGIL_EMAIL_VERIFICATION=required` answers 201 with a page asking to follow the mailed link.',
        requestBody: form('HostedSignupForm'),
        responses: {
          '200': page(`Account created and signed in. ${CONSENT_PAGE}`),
          '201': page('Account created; its address must be verified before it can sign in.'),
          '303': signedIn('`sigil_refresh=<token>; Path=/auth; HttpOnly; SameSite=Strict`, except for an OAuth sign-in.'),
          '400': page('Invalid return_to, an expired form (CSRF), or fields to correct (each problem shown beside its field).'),
          '409': page('An account with this email already exists: the form again.'),
          ...FORM_ERRORS,
        },
      },
    },
    '/password/forgot': {
      get: {
        operationId: 'hostedForgotPasswordPage',
        tags,
        summary: 'The "Forgot password?" page (linked from /login)',
        parameters: [returnTo(false)],
        responses: {
          '200': page('The form asking for the address.'),
          '400': page('return_to is not on an allowed origin.'),
          '500': responseRef('InternalError'),
        },
      },
      post: {
        operationId: 'hostedForgotPassword',
        tags,
        summary: 'Submit the forgotten-password form',
        description: 'As POST /auth/password/forgot: the same page whether or not an account has the address.',
        requestBody: form('HostedForgotForm'),
        responses: {
          '200': page('"Check your email".'),
          '400': page('Invalid return_to, an expired form (CSRF), or an invalid address.'),
          ...FORM_ERRORS,
        },
      },
    },
    '/password/reset': {
      get: {
        operationId: 'hostedResetPasswordPage',
        tags,
        summary: 'The new-password page a reset link opens',
        parameters: [TOKEN_PARAM, returnTo(false)],
        responses: {
          '200': { ...page('The form for the new password.'), headers: { ...PAGE_HEADERS, ...NO_REFERRER } },
          '400': page('The link has no token, or return_to is not on an allowed origin.'),
          '500': responseRef('InternalError'),
        },
      },
      post: {
        operationId: 'hostedResetPassword',
        tags,
        summary: 'Submit the new password',
        description:
          'As POST /auth/password/reset. The page posting it is served with no-referrer, so the CSRF check accepts `Origin: null`.',
        requestBody: form('HostedResetForm'),
        responses: {
          '200': page('"Password changed", with a link to sign in.'),
          '400': page(
            'An invalid, used or expired link (with a link to ask for a new one), an expired form, or a password against the policy.',
          ),
          ...FORM_ERRORS,
        },
      },
    },
    '/email/verify': {
      get: {
        operationId: 'hostedVerifyEmailPage',
        tags,
        summary: 'The page a verification link opens: a button that confirms',
        parameters: [TOKEN_PARAM, returnTo(false)],
        responses: {
          '200': { ...page('A button that posts the token.'), headers: { ...PAGE_HEADERS, ...NO_REFERRER } },
          '400': page('The link has no token, or return_to is not on an allowed origin.'),
          '500': responseRef('InternalError'),
        },
      },
      post: {
        operationId: 'hostedVerifyEmail',
        tags,
        summary: 'Confirm the address',
        description: 'As POST /auth/email/verify.',
        requestBody: form('HostedVerifyForm'),
        responses: {
          '200': page('"Email address verified".'),
          '400': page('An invalid, used or expired link, or an expired form.'),
          '409': page('The address of an email change is taken by another account now.'),
          ...FORM_ERRORS,
        },
      },
    },
  };
}

/** The hosted pages (HTML forms that work without JavaScript). */
export function hostedPaths(): Json {
  return {
    ...accountPages(),
    '/login': {
      get: {
        operationId: 'hostedLoginPage',
        tags: ['hosted login'],
        summary: 'The hosted login page (HTML form, works without JavaScript)',
        description: `${SIGN_IN_PAGES} Sets the \`sigil_csrf\` cookie that the form echoes.`,
        parameters: [
          {
            name: 'return_to',
            in: 'query',
            required: true,
            description: `Where to go after login: ${RETURN_TO}.`,
            schema: { type: 'string', format: 'uri' },
          },
        ],
        responses: {
          '200': {
            description: 'The login form.',
            headers: { ...NO_STORE, 'Content-Security-Policy': { schema: { type: 'string' } } },
            ...html(),
          },
          '400': {
            description: 'return_to is missing, not on an allowed origin (no open redirect), or an invalid authorization request.',
            ...html(),
          },
          '500': responseRef('InternalError'),
        },
      },
      post: {
        operationId: 'hostedLogin',
        tags: ['hosted login'],
        summary: 'Submit the hosted login form',
        description:
          'On success sets the HttpOnly `sigil_refresh` cookie and redirects to `return_to`; the app then calls POST /auth/refresh with credentials to get its access token and never sees the password. An OAuth sign-in ends at its client instead (after the consent page for a third-party client).',
        requestBody: { required: true, content: { 'application/x-www-form-urlencoded': { schema: ref('HostedLoginForm') } } },
        responses: {
          '200': {
            description: `The right password of an account with a second factor: the second step (a code form posting to /login/mfa), with the HttpOnly \`sigil_mfa\` cookie (\`Path=/login\`) it is bound to. Or, signed in: ${CONSENT_PAGE}`,
            headers: {
              ...NO_STORE,
              'Set-Cookie': {
                description: '`sigil_mfa=...` with the second step.',
                schema: { type: 'string', pattern: '^sigil_(mfa|csrf)=' },
              },
            },
            ...html(),
          },
          '303': signedIn('`sigil_refresh=<token>; Path=/auth; HttpOnly; SameSite=Strict`, except for an OAuth sign-in.'),
          '400': { description: 'Invalid return_to, expired form (CSRF), or missing fields: the page again, or a refusal.', ...html() },
          '401': { description: 'Invalid email or password: the form again, with the error.', ...html() },
          '403': {
            description:
              'Under `SIGIL_EMAIL_VERIFICATION=required`, an account whose address is not verified: the form again; a fresh link was mailed.',
            ...html(),
          },
          '413': responseRef('PayloadTooLarge'),
          '429': {
            description: 'Too many attempts (the form again), or the per-IP budget is spent (a page saying so).',
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
