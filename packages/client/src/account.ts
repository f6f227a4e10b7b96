/**
 * `@sigil/client/account`: the account's lifecycle (verification, password reset and change, email
 * change, sessions, deletion, the second factor and the step-up sign-in) for a client of the root entry (docs/client.md, "Account"). An entry
 * point of its own, so apps that do not use it do not ship it.
 */
export {
  createSigilAccount,
  type AccountDeletionInput,
  type EmailChangeInput,
  type PasswordChangeInput,
  type PasswordResetInput,
  type SigilAccount,
  type StepUpInput,
} from './account-client.ts';
export type { AccountSession } from './account-sessions.ts';
export type { MfaStatus, TotpEnrolment } from './account-mfa.ts';
