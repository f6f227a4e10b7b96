/*
 * Public API of @sigil/angular.
 */
export { provideSigilAuth } from './lib/provide';
export { SIGIL_AUTH_CONFIG, type SigilAuthConfig, type ResolvedSigilAuthConfig } from './lib/config';
export { AuthService, type SigilAuthEvent } from './lib/auth.service';
export { authInterceptor } from './lib/interceptor';
export { authGuard, roleGuard } from './lib/guards';
export { safeReturnUrl } from './lib/urls';
export {
  SigilClientError,
  cookieSession,
  localSession,
  type SessionStrategy,
  type StorageAdapter,
  type SigilUser,
  type SigilClientErrorCode,
  type LoginInput,
  type SignupInput,
} from '@sigil/client';
