/**
 * `@sigil/client/redirect`: signing in through the auth server's own page, OAuth 2.1 authorization
 * code with PKCE and OpenID Connect (docs/client.md, "The redirect flow"), for apps on another site
 * than the auth server. An entry point of its own, so apps of the same-site flow do not ship it.
 */
export {
  createSigilRedirectClient,
  type RedirectCallbackResult,
  type RedirectFlow,
  type RedirectLoginOptions,
  type SigilRedirectClient,
  type SigilRedirectClientOptions,
} from './redirect-client.ts';
export type { RedirectOptions } from './redirect-options.ts';
export type { OAuthErrorCode } from './errors.ts';
