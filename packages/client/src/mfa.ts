import { unexpectedAnswer } from './errors.ts';
import type { SigilUser } from './session.ts';

/** A second factor `verifyMfa` accepts: a code of the authenticator app, or one of the recovery codes. */
export type MfaMethod = 'totp' | 'recovery_code';

/**
 * What `login` resolves to. `signed_in`: the session has started. `mfa_required`: the password was
 * right and the account has a second factor; pass `mfaToken` with the user's code to `verifyMfa`
 * (it is short-lived and works once).
 *
 * @example
 * const result = await auth.login({ email, password });
 * if (result.status === 'mfa_required') await auth.verifyMfa({ mfaToken: result.mfaToken, method: 'totp', code });
 */
export type LoginResult =
  | { readonly status: 'signed_in'; readonly user: SigilUser }
  | {
      readonly status: 'mfa_required';
      readonly mfaToken: string;
      /** The factors the account can use for this step, as the server lists them (`totp`, `recovery_code`). */
      readonly methods: readonly string[];
    };

/** The `mfa_required` kind of {@link LoginResult}. */
export type MfaRequired = Extract<LoginResult, { status: 'mfa_required' }>;

/** For `verifyMfa`: the token of the `mfa_required` result and the user's code. */
export interface MfaInput {
  mfaToken: string;
  method: MfaMethod;
  code: string;
}

/**
 * The `mfa_required` result from the body of the auth server's 403 (`{code, mfa_token, methods}`),
 * or undefined when the 403 is another refusal; `invalid_response` when it carries no token.
 */
export function mfaChallengeFrom(body: unknown): MfaRequired | undefined {
  const { code, mfa_token: mfaToken, methods } = (body ?? {}) as Record<string, unknown>;
  if (code !== 'mfa_required') return undefined;
  if (typeof mfaToken !== 'string' || mfaToken === '') throw unexpectedAnswer();
  // The factors are advice for the page: a server that lists none still asks for one.
  return { status: 'mfa_required', mfaToken, methods: Array.isArray(methods) ? methods : [] };
}
