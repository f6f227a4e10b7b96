/*
 * Public API of @sigil/angular (docs/angular.md).
 */
export { provideSigilAuth } from './lib/provide';
export type { SigilAuthConfig } from './lib/config';
export { AuthService } from './lib/auth.service';
export type { SigilAuthEvent } from './lib/auth-event';
export { authInterceptor } from './lib/interceptor';
export { stepUpInterceptor } from './lib/step-up-interceptor';
export { authGuard, roleGuard } from './lib/guards';
export { safeReturnUrl } from './lib/urls';
export {
  SigilClientError,
  StepUpRequiredError,
  cookieSession,
  localSession,
  type SessionStrategy,
  type StorageAdapter,
  type SigilUser,
  type SigilClientErrorCode,
  type LoginInput,
  type LoginResult,
  type MfaInput,
  type MfaMethod,
  type SignupInput,
  type SignupResult,
} from '@sigil/client';
/**
 * Internal, for this library's secondary entry points (`@sigil/angular/account`, `/redirect`),
 * which can reach the primary one only through its exports. Not part of the API: they may change
 * in any release.
 */
export { AuthState as ɵAuthState } from './lib/auth-state';
export {
  SIGIL_AUTH_CONFIG as ɵSIGIL_AUTH_CONFIG,
  resolveSigilAuthConfig as ɵresolveSigilAuthConfig,
  type ResolvedSigilAuthConfig as ɵResolvedSigilAuthConfig,
} from './lib/config';
