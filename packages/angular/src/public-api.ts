/*
 * Public API of @sigil/angular (docs/angular.md).
 */
export { provideSigilAuth } from './lib/provide';
export type { SigilAuthConfig } from './lib/config';
export { AuthService } from './lib/auth.service';
export type { SigilAuthEvent } from './lib/auth-event';
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
