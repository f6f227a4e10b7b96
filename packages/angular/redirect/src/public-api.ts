/*
 * Public API of @sigil/angular/redirect (docs/angular.md, "The redirect flow"): signing in on the
 * auth server's own page (OAuth 2.1 authorization code with PKCE, OpenID Connect), for apps on
 * another site than the auth server. An entry point of its own, so apps of the same-site flow do
 * not ship it.
 */
export { provideSigilAuth, type SigilRedirectAuthConfig } from './provide';
export { AuthRedirectService } from './auth-redirect.service';
export { redirectCallbackGuard } from './callback-guard';
export type { OAuthErrorCode, RedirectCallbackResult, RedirectLoginOptions } from '@sigil/client/redirect';
