import { makeEnvironmentProviders, type EnvironmentProviders } from '@angular/core';
import { resolveSigilAuthConfig, SIGIL_AUTH_CONFIG, type SigilAuthConfig } from './config';

/**
 * Sets Sigil up for an app: validates `config` (a mistake throws `TypeError` at startup) and
 * provides it to {@link AuthService} (`providedIn: 'root'`), the interceptor and the guards. Add
 * {@link authInterceptor} to `provideHttpClient` yourself, so the order of your interceptors stays
 * yours to choose.
 *
 * @example
 * bootstrapApplication(App, { providers: [
 *   provideRouter(routes),
 *   provideHttpClient(withInterceptors([authInterceptor])),
 *   provideSigilAuth({ issuer: 'https://auth.example.com', apiOrigins: ['https://api.example.com'], storage: cookieSession() }),
 * ] });
 */
export function provideSigilAuth(config: SigilAuthConfig): EnvironmentProviders {
  return makeEnvironmentProviders([{ provide: SIGIL_AUTH_CONFIG, useValue: resolveSigilAuthConfig(config) }]);
}
