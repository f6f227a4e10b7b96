/**
 * Redirect URIs a client may register (docs/oauth.md, "Clients"; RFC 9700 2.1, 4.1.3): absolute,
 * `https`, or `http` on a loopback host only (a native app or a developer's machine), no
 * fragment, no userinfo, no wildcard. Requests match them exactly, as strings.
 *
 * @example
 * checkRedirectUri('https://app.example.com/callback'); // undefined: fine
 * checkRedirectUri('http://app.example.com/callback'); // 'http is allowed only for loopback hosts'
 */
export function checkRedirectUri(value: string): string | undefined {
  if (value.length > 2048) return 'longer than 2048 characters';
  if (value.includes('*')) return 'wildcards are not allowed: register each URI';
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return 'not an absolute URL';
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return 'only http(s) URIs are allowed';
  if (url.protocol === 'http:' && !isLoopbackHost(url.hostname))
    return 'http is allowed only for loopback hosts (localhost, 127.0.0.1, [::1])';
  if (url.hash || value.includes('#')) return 'a fragment is not allowed';
  if (url.username || url.password) return 'userinfo is not allowed';
  return undefined;
}

export function isLoopbackHost(hostname: string): boolean {
  return hostname === 'localhost' || hostname === '127.0.0.1' || hostname === '[::1]';
}
