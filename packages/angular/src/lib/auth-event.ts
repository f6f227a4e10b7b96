import type { SigilUser } from '@sigil/client';

/**
 * What happened to the session, for toasts and navigation. `login` and `logout` fire for this
 * tab's own calls and when another tab signs in or out; `session_expired` means the server refused
 * to renew the session (revoked, expired, reused) and the user was sent to the login route. The
 * same spelling as the client's `AuthEvent` reason.
 *
 * @example
 * auth.events.subscribe((event) => {
 *   if (event.type === 'session_expired') toasts.show('Your session has expired. Please sign in again.');
 * });
 */
export interface SigilAuthEvent {
  readonly type: 'login' | 'logout' | 'session_expired';
  /** The user who signed in, or who was signed in until then. */
  readonly user: SigilUser | null;
}
