import type { Config } from '../config.ts';

/** The pages a mailed link opens: confirming an address, and choosing a new password. */
export type LinkPage = 'verify_email' | 'password_reset';

const PATHS: Record<LinkPage, string> = {
  verify_email: '/email/verify',
  password_reset: '/password/reset',
};

/**
 * The URL a mail carries for `token`. Its origin is the configured issuer, or `SIGIL_APP_LINKS`
 * (an allowed origin, checked at startup) when the app serves these pages itself; never anything
 * from the request (a forged Host or X-Forwarded-Host header must not be able to send a victim's
 * reset token to another site). The token stays in the query (`?token=`): the pages that receive
 * it answer with `Referrer-Policy: no-referrer`, and a GET never uses it up.
 *
 * @example
 * accountLink({ config, issuer: () => 'https://auth.example.com' }, 'password_reset', token);
 * // 'https://auth.example.com/password/reset?token=…'
 */
export function accountLink(deps: { config: Pick<Config, 'appLinks'>; issuer: () => string }, page: LinkPage, token: string): string {
  // Concatenated, not resolved: an issuer behind a path prefix keeps its prefix, as in jwks_uri.
  return `${deps.config.appLinks ?? deps.issuer()}${PATHS[page]}?token=${encodeURIComponent(token)}`;
}
