import { attempt, isAuthServerEndpoint } from '@sigil/client/internal';
import type { ResolvedSigilAuthConfig } from './config';

/**
 * Whether `url` (absolute, or relative to `base`, the document's base URI) goes to one of the
 * configured origins and is not one of the auth server's token endpoints (the same list
 * `@sigil/client`'s `fetch` skips): the requests that get the access token.
 */
export function isApiUrl(url: string, base: string, config: ResolvedSigilAuthConfig): boolean {
  // An unparsable URL is not an API URL.
  const target = attempt(() => new URL(url, base));
  return !!target && config.apiOrigins.has(target.origin) && !isAuthServerEndpoint(target, config.issuer);
}

/**
 * `value` if it is a path inside this app, else `fallback`. Use it on `returnUrl` before navigating,
 * so a crafted link (`?returnUrl=//evil.example`) cannot send the user to another site.
 *
 * @example
 * router.navigateByUrl(safeReturnUrl(route.snapshot.queryParamMap.get('returnUrl'), '/'));
 */
export function safeReturnUrl(value: string | null | undefined, fallback = '/'): string {
  if (typeof value !== 'string' || !value.startsWith('/') || value.startsWith('//') || value.startsWith('/\\')) return fallback;
  // Control characters could smuggle a scheme or host past the checks above in some parsers.
  // eslint-disable-next-line no-control-regex -- matching control characters is the point
  return /[\u0000-\u001f\u007f]/.test(value) ? fallback : value;
}
