/**
 * Whether a socket's remote address is this machine's own (127.0.0.0/8, ::1, or an IPv4 loopback
 * address mapped into IPv6). Read from the socket, never from X-Forwarded-For: a header is the
 * client's word.
 */
export function isLoopbackAddress(address: string | undefined): boolean {
  if (address === undefined) return false;
  if (address === '::1') return true;
  const ipv4 = address.startsWith('::ffff:') ? address.slice('::ffff:'.length) : address;
  return /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(ipv4);
}
