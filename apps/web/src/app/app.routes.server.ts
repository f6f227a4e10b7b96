import { RenderMode, type ServerRoute } from '@angular/ssr';

/**
 * The login page is rendered on the server per request. Everything else needs the user's session,
 * which only the browser holds (memory, localStorage or the auth server's cookie), so it renders
 * in the browser: on the server, authGuard would only ever see "logged out".
 */
export const serverRoutes: ServerRoute[] = [
  { path: 'login', renderMode: RenderMode.Server },
  { path: '**', renderMode: RenderMode.Client },
];
