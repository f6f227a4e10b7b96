/**
 * Where a bearer token is read from: the `Authorization` header (RFC 6750 2.1, scheme matched
 * case-insensitively) or a cookie. No cookie-parser needed: the one cookie is read straight from
 * the `Cookie` header. `requireAuth` decides the order (header first).
 */

/** The token of an `Authorization` header value: `undefined` for another scheme, `null` for an empty Bearer. */
export function bearerToken(header: string): string | undefined | null {
  // "Bearer" compared with ASCII case folding, no allocation: this runs on every new token.
  if (
    header.length < 8 ||
    (header.charCodeAt(0) | 0x20) !== 0x62 || // b
    (header.charCodeAt(1) | 0x20) !== 0x65 || // e
    (header.charCodeAt(2) | 0x20) !== 0x61 || // a
    (header.charCodeAt(3) | 0x20) !== 0x72 || // r
    (header.charCodeAt(4) | 0x20) !== 0x65 || // e
    (header.charCodeAt(5) | 0x20) !== 0x72 || // r
    header.charCodeAt(6) !== 0x20
  ) {
    // Another scheme (Basic, DPoP...) is not ours: treat it like "no bearer token".
    return /^\s*bearer\s*$/i.test(header) ? null : undefined;
  }
  let start = 7;
  while (header.charCodeAt(start) === 0x20) start++;
  let end = header.length;
  while (end > start && header.charCodeAt(end - 1) === 0x20) end--;
  return end > start ? (start === 7 && end === header.length ? header.slice(7) : header.slice(start, end)) : null;
}

/** The value of cookie `name` in a `Cookie` header, `undefined` when absent or empty. */
export function cookieToken(cookieHeader: string | undefined, name: string): string | undefined {
  if (!cookieHeader) return undefined;
  for (const part of cookieHeader.split(';')) {
    const eq = part.indexOf('=');
    if (eq === -1 || part.slice(0, eq).trim() !== name) continue;
    let value = part.slice(eq + 1).trim();
    if (value.length >= 2 && value.startsWith('"') && value.endsWith('"')) value = value.slice(1, -1);
    return value === '' ? undefined : value;
  }
  return undefined;
}
