import { makeEnvironmentProviders, type EnvironmentProviders } from '@angular/core';
import { AuthService } from './auth.service';
import { resolveSigilAuthConfig, SIGIL_AUTH_CONFIG, type SigilAuthConfig } from './config';

/**
 * Sets Sigil up for an app: validates `config` (a mistake throws `TypeError` at startup) and
 * provides {@link AuthService}. Add {@link authInterceptor} to `provideHttpClient` yourself, so the
 * order of your interceptors stays yours to choose.
 *
 * @example
 * bootstrapApplication(App, { providers: [
 *   provideRouter(routes),
 *   provideHttpClient(withInterceptors([authInterceptor])),
 *   provideSigilAuth({ issuer: 'https://auth.example.com', apiOrigins: ['https://api.example.com'], storage: 'cookie' }),
 * ] });
 */
export function provideSigilAuth(config: SigilAuthConfig): EnvironmentProviders {
  return makeEnvironmentProviders([
    { provide: SIGIL_AUTH_CONFIG, useValue: resolveSigilAuthConfig(config) },
    // A factory: AuthService has no `@Injectable` (and so no compiled factory) of its own.
    { provide: AuthService, useFactory: () => new AuthService() },
  ]);
}
