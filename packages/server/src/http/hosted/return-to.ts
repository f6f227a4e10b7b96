import type { Config } from '../../config.ts';

/**
 * Only absolute http(s) URLs on an allowed origin may be redirect targets: anything else
 * (other hosts, `//evil`, `javascript:`, userinfo tricks) is refused, so no hosted page is an
 * open redirect.
 */
export function allowedReturnTo(value: unknown, allowedOrigins: readonly string[]): string | undefined {
  if (typeof value !== 'string' || value.length > 2048) return undefined;
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return undefined;
  }
  if ((url.protocol !== 'http:' && url.protocol !== 'https:') || url.username || url.password) return undefined;
  return allowedOrigins.includes(url.origin) ? url.href : undefined;
}

/** The path of the authorization endpoint, as a `return_to` of the hosted pages names it. */
export const AUTHORIZE_PATH = '/oauth/authorize';

/** Whether `value` is an OAuth authorization URL of this server (a `return_to` that ends in a code for a client). */
export function isAuthorizeReturnTo(value: unknown, issuer: string): value is string {
  return typeof value === 'string' && value.length <= 4096 && value.startsWith(`${issuer}${AUTHORIZE_PATH}?`);
}

/**
 * The `return_to` of a page that may be opened without one (from a mailed link): the given one
 * when allowed, the first allowed origin when absent, and undefined (refuse the page) when it is
 * given but not allowed, as `/login` refuses it. An OAuth authorization URL of this server is
 * carried along as it is: these pages only link back to `/login` with it, which validates it.
 */
export function optionalReturnTo(
  value: unknown,
  config: Pick<Config, 'allowedOrigins'>,
  issuer: string,
): { returnTo: string | undefined; refused: boolean } {
  if (value === undefined || value === '') {
    const first = config.allowedOrigins[0];
    return { returnTo: first === undefined ? undefined : `${first}/`, refused: false };
  }
  if (isAuthorizeReturnTo(value, issuer)) return { returnTo: value, refused: false };
  const returnTo = allowedReturnTo(value, config.allowedOrigins);
  return { returnTo, refused: returnTo === undefined };
}

/** A hosted page's own path with `return_to` kept, e.g. the "Forgot password?" link of /login. */
export function withReturnTo(path: string, returnTo: string | undefined): string {
  return returnTo === undefined ? path : `${path}?return_to=${encodeURIComponent(returnTo)}`;
}
