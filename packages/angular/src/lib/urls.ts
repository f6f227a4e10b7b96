import { isAuthServerEndpoint } from '@sigil/client';
import type { ResolvedSigilAuthConfig } from './config';

/** How the interceptor should treat a request URL. */
export type UrlKind = 'api' | 'auth-endpoint' | 'other';

/**
 * Classifies `url` (absolute, or relative to `base`, the document's base URI). `api` means it goes
 * to one of the configured origins and is not one of the auth server's token endpoints (the same
 * list `@sigil/client`'s `fetch` skips).
 */
export function classifyUrl(url: string, base: string, config: ResolvedSigilAuthConfig): UrlKind {
  let target: URL;
  try {
    target = new URL(url, base);
  } catch {
    return 'other';
  }
  if (isAuthServerEndpoint(target, config.issuer)) return 'auth-endpoint';
  return config.apiOrigins.has(target.origin) ? 'api' : 'other';
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
  return /[\u0000-\u001f\u007f]/.test(value) ? fallback : value;
}
