import { SigilClientError, type SigilClientErrorCode } from '@sigil/angular';

/**
 * A message a person can act on for a failed account call, from the client's stable error code
 * (never from the error's message): `specific` words the codes that mean something on this form,
 * the rest get the same words everywhere.
 *
 * @example
 * this.error.set(errorMessage(error, { email_taken: 'Another account uses this address.' }));
 */
export function errorMessage(error: unknown, specific: Partial<Record<SigilClientErrorCode, string>> = {}): string {
  if (!(error instanceof SigilClientError)) return 'Something went wrong. Please try again.';
  const own = specific[error.code];
  if (own !== undefined) return own;
  switch (error.code) {
    case 'rate_limited':
      return error.retryAfter !== undefined
        ? `Too many attempts. Try again in ${waitTime(error.retryAfter)}.`
        : 'Too many attempts. Please wait a moment and try again.';
    case 'network_error':
      return 'Cannot reach the sign-in server. Check your connection and try again.';
    case 'unavailable':
      return 'The sign-in server is busy. Please try again in a moment.';
    case 'not_logged_in':
    case 'invalid_token':
      return 'Your session has ended. Please sign in again.';
    default:
      return 'Something went wrong. Please try again.';
  }
}

/** Whether the server refused the field `name` of the request (a 400's per-field `errors`). */
export function refusedField(error: unknown, name: string): boolean {
  if (!(error instanceof SigilClientError) || !Array.isArray(error.errors)) return false;
  return error.errors.some((entry: unknown) => (entry as { path?: unknown } | null)?.path === name);
}

function waitTime(seconds: number): string {
  if (seconds < 90) return `${seconds} seconds`;
  return `${Math.ceil(seconds / 60)} minutes`;
}

/** What the password fields say about the server's policy. */
export const PASSWORD_HINT = 'At least 10 characters.';
