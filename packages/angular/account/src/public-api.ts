/*
 * Public API of @sigil/angular/account (docs/angular.md, "AccountService"): an entry point of its
 * own, so apps that do not use it do not ship it.
 */
export { AccountService } from './account.service';
export type {
  AccountDeletionInput,
  AccountSession,
  EmailChangeInput,
  MfaStatus,
  PasswordChangeInput,
  PasswordResetInput,
  StepUpInput,
  TotpEnrolment,
} from '@sigil/client/account';
