/**
 * JOSE's ECDSA signature format (RFC 7518 3.4: R and S as fixed-length big-endian integers,
 * concatenated) re-encoded as the DER `ECDSA-Sig-Value` node:crypto verifies by default
 * (RFC 3279 2.2.3: `SEQUENCE { r INTEGER, s INTEGER }`). An encoding step only: the signature
 * math stays in OpenSSL.
 *
 * Why not `crypto.verify(..., { key, dsaEncoding: 'ieee-p1363' }, ...)`: on Node 24 an options
 * object costs about 30 µs per P-256 check more than a bare KeyObject (about a third of the
 * whole check: 95-101 µs against 64-68 µs on one core). Node tells a KeyObject from an options object by calling a native slot getter
 * that throws, and catching, twice per call: two TypeErrors with captured stack traces, which is
 * costly under Express's deep optimized frames; and its own P1363 conversion serializes the
 * public key's point on every call (bench/analysis.md).
 */

/**
 * `r || s`, each `signature.length / 2` bytes, as DER. The caller has checked the length for the
 * algorithm. Values are copied as given (r or s of zero, or beyond the curve order, are for
 * OpenSSL to reject, as it does).
 */
export function p1363ToDer(signature: Buffer): Buffer {
  const half = signature.length >> 1;
  const r = integerBounds(signature, 0, half);
  const s = integerBounds(signature, half, signature.length);
  const content = 2 + r.length + 2 + s.length;
  // P-521 (ES512) can exceed 127 content bytes: DER's long length form, one byte (content < 256).
  const header = content < 0x80 ? 2 : 3;
  const der = Buffer.allocUnsafe(header + content);
  let at = 0;
  der[at++] = 0x30;
  if (header === 3) der[at++] = 0x81;
  der[at++] = content;
  at = writeInteger(der, at, signature, r);
  writeInteger(der, at, signature, s);
  return der;
}

interface IntegerBounds {
  /** First significant byte in the signature. */
  start: number;
  end: number;
  /** 1 when a 0x00 must precede the bytes (high bit set: DER integers are signed). */
  pad: number;
  /** Encoded value length: pad + significant bytes. */
  length: number;
}

/** The minimal DER INTEGER for the big-endian unsigned bytes `signature[from, to)`. */
function integerBounds(signature: Buffer, from: number, to: number): IntegerBounds {
  let start = from;
  // Leading zero bytes go (DER is minimal), but zero itself keeps one byte.
  while (start < to - 1 && signature[start] === 0) start++;
  const pad = (signature[start] as number) & 0x80 ? 1 : 0;
  return { start, end: to, pad, length: pad + to - start };
}

function writeInteger(der: Buffer, at: number, signature: Buffer, integer: IntegerBounds): number {
  der[at++] = 0x02;
  der[at++] = integer.length;
  if (integer.pad) der[at++] = 0x00;
  return at + signature.copy(der, at, integer.start, integer.end);
}
