/**
 * The files of the second relying party (oidc-rp.test.ts): an `ng new` app that knows nothing of
 * Sigil's packages, signing in through Sigil's OAuth 2.1 / OpenID Connect endpoints with
 * angular-auth-oidc-client, configured with the issuer and a client id only (the library reads
 * every endpoint from the discovery document). The API it calls is served from its own origin
 * (`/api/`, behind the same host), so the library's interceptor attaches the access token there.
 *
 * The page shows what the test reads: who is signed in (from the userinfo endpoint), what the
 * API answered, how many refresh grants succeeded, and any failure in a `role="alert"`.
 */

export interface RpAppFile {
  /** Relative to the app's src/app. */
  name: string;
  code: string;
}

/** src/app/app.config.ts and src/app/app.ts for `authority` and `clientId`. */
export function oidcRpFiles(authority: string, clientId: string): RpAppFile[] {
  const config = `import { type ApplicationConfig, provideBrowserGlobalErrorListeners } from '@angular/core';
import { provideHttpClient, withFetch, withInterceptors } from '@angular/common/http';
import { provideRouter } from '@angular/router';
import { authInterceptor, LogLevel, provideAuth, withAppInitializerAuthCheck } from 'angular-auth-oidc-client';
import { routes } from './app.routes';

export const appConfig: ApplicationConfig = {
  providers: [
    provideBrowserGlobalErrorListeners(),
    provideRouter(routes),
    provideHttpClient(withFetch(), withInterceptors([authInterceptor()])),
    provideAuth(
      {
        config: {
          authority: ${JSON.stringify(authority)},
          clientId: ${JSON.stringify(clientId)},
          redirectUrl: window.location.origin,
          postLogoutRedirectUri: window.location.origin,
          scope: 'openid profile email offline_access',
          responseType: 'code',
          useRefreshToken: true,
          silentRenew: true,
          secureRoutes: ['/api/'],
          logLevel: LogLevel.Warn,
        },
      },
      // Handles the redirect back from the authorization server before the app starts.
      withAppInitializerAuthCheck(),
    ),
  ],
};
`;

  const app = `import { Component, inject, signal } from '@angular/core';
import { HttpClient, type HttpErrorResponse } from '@angular/common/http';
import { OidcSecurityService } from 'angular-auth-oidc-client';

interface Me {
  sub: string;
  email?: string;
  roles: string[];
}

@Component({
  selector: 'app-root',
  template: \`
    <h1>OIDC relying party</h1>
    @if (oidc.authenticated().isAuthenticated) {
      <p class="user">Signed in as {{ oidc.userData().userData?.name }} ({{ oidc.userData().userData?.email }})</p>
      <button type="button" (click)="callApi()">Call the API</button>
      <button type="button" (click)="refresh()">Refresh the tokens</button>
      <button type="button" (click)="logout()">Log out</button>
      @if (me(); as me) {
        <p class="api">The API says: {{ me.email }}, subject {{ me.sub }}</p>
      }
      <p class="refreshes">Refresh grants: {{ refreshes() }}</p>
    } @else {
      <p class="signed-out">Signed out</p>
      <button type="button" (click)="login()">Sign in with Sigil</button>
    }
    @if (failure()) {
      <p role="alert">{{ failure() }}</p>
    }
  \`,
})
export class App {
  protected readonly oidc = inject(OidcSecurityService);
  private readonly http = inject(HttpClient);
  protected readonly me = signal<Me | undefined>(undefined);
  protected readonly refreshes = signal(0);
  protected readonly failure = signal('');

  login(): void {
    this.oidc.authorize();
  }

  callApi(): void {
    this.me.set(undefined);
    this.http.get<Me>('/api/me').subscribe({
      next: (me) => this.me.set(me),
      error: (error: HttpErrorResponse) => this.failure.set(\`The API answered \${error.status}\`),
    });
  }

  refresh(): void {
    this.oidc.forceRefreshSession().subscribe({
      next: (result) =>
        result.isAuthenticated
          ? this.refreshes.update((n) => n + 1)
          : this.failure.set(\`Refresh failed: \${result.errorMessage ?? 'not authenticated'}\`),
      error: (error: unknown) => this.failure.set(\`Refresh failed: \${String(error)}\`),
    });
  }

  logout(): void {
    this.oidc.logoffAndRevokeTokens().subscribe({
      error: (error: unknown) => this.failure.set(\`Logout failed: \${String(error)}\`),
    });
  }
}
`;
  return [
    { name: 'app.config.ts', code: config },
    { name: 'app.ts', code: app },
  ];
}
