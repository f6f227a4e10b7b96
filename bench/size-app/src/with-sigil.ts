// The same app with Sigil wired in as docs/angular.md shows (cookie mode, the recommended one; the
// guards bring AuthService in): the size benchmark's difference between the two builds is what
// Sigil adds. The app's own use of AuthService (a login form, the user's name) is the app's code,
// not the library's, and is left out.
import { authGuard, authInterceptor, cookieSession, provideSigilAuth, roleGuard } from '@sigil/angular';
import { startApp } from './app-shell';

startApp({
  signedIn: [authGuard],
  admin: [roleGuard('admin')],
  interceptors: [authInterceptor],
  providers: [provideSigilAuth({ issuer: 'https://auth.example.com', apiOrigins: ['https://api.example.com'], storage: cookieSession() })],
});
