import { field, form, hidden, join, links, paragraph, type PageMarkup } from './html.ts';
import { withReturnTo } from './return-to.ts';

/** The second factors the hosted page can take without JavaScript. */
export type HostedMethod = 'totp' | 'recovery_code';

export interface SecondStepForm {
  csrfToken: string;
  returnTo: string;
  mfaToken: string;
  /** The factor the form asks for. */
  method: HostedMethod;
  /** What the account has: decides which "use ... instead" switch is offered. */
  methods: readonly string[];
  error?: string;
}

const ASK: Record<HostedMethod, { text: string; label: string; switchText: string }> = {
  totp: {
    text: 'Enter the 6-digit code from your authenticator app.',
    label: 'Authentication code',
    switchText: 'Use your authenticator app instead',
  },
  recovery_code: {
    text: 'Enter one of the recovery codes you saved when you turned on two-step verification. Each code works once.',
    label: 'Recovery code',
    switchText: 'Use a recovery code instead',
  },
};

/**
 * The hosted login page's second step (docs/server.md, "Hosted login page"): after a right
 * password for an account with a second factor, a form for the code, and a plain form button
 * that switches to the other factor (no JavaScript). The mfa token rides in a hidden field; it
 * works only with the HttpOnly `sigil_mfa` cookie set with this page.
 */
export function secondStepPage(o: SecondStepForm): PageMarkup {
  const ask = ASK[o.method];
  const other: HostedMethod = o.method === 'totp' ? 'recovery_code' : 'totp';
  const carried = [hidden('return_to', o.returnTo), hidden('mfa_token', o.mfaToken)];
  const switchForm = o.methods.includes(other)
    ? form('/login/mfa', o.csrfToken, [...carried, hidden('method', other), hidden('show', '1')], ASK[other].switchText)
    : join();
  return {
    title: 'Two-step verification',
    ...(o.error ? { error: o.error } : {}),
    referrer: 'same-origin',
    body: join(
      paragraph(ask.text),
      form(
        '/login/mfa',
        o.csrfToken,
        [
          ...carried,
          hidden('method', o.method),
          field({
            name: 'code',
            label: ask.label,
            type: 'text',
            autocomplete: o.method === 'totp' ? 'one-time-code' : 'off',
            ...(o.method === 'totp' ? { inputMode: 'numeric' as const } : {}),
          }),
        ],
        'Verify',
      ),
      switchForm,
      links([{ href: withReturnTo('/login', o.returnTo), text: 'Start over' }]),
    ),
  };
}
