import { generateKeyPairSync, sign, verify, type KeyObject } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { p1363ToDer } from './ecdsa-der.ts';

const CURVES = [
  { curve: 'P-256', hash: 'sha256', size: 32, highBitPossible: true },
  { curve: 'P-384', hash: 'sha384', size: 48, highBitPossible: true },
  // 521 bits in 66 bytes: the first byte is 0 or 1, never high.
  { curve: 'P-521', hash: 'sha512', size: 66, highBitPossible: false },
] as const;

/** An independent DER encoding (BigInt and hex), to compare against byte for byte. */
function referenceDer(signature: Buffer): Buffer {
  const half = signature.length / 2;
  const integer = (bytes: Buffer): string => {
    let hex = BigInt(`0x${bytes.toString('hex')}`).toString(16);
    if (hex.length % 2) hex = `0${hex}`;
    if (Number.parseInt(hex[0]!, 16) >= 8) hex = `00${hex}`;
    return `02${(hex.length / 2).toString(16).padStart(2, '0')}${hex}`;
  };
  const content = integer(signature.subarray(0, half)) + integer(signature.subarray(half));
  const length = content.length / 2;
  return Buffer.from(`30${length < 0x80 ? '' : '81'}${length.toString(16).padStart(2, '0')}${content}`, 'hex');
}

describe('p1363ToDer', () => {
  for (const { curve, hash, size, highBitPossible } of CURVES) {
    it(`re-encodes ${curve} signatures that node:crypto then verifies, leading zeros and high bits included`, () => {
      const { publicKey, privateKey } = generateKeyPairSync('ec', { namedCurve: curve });
      const data = Buffer.from(`payload for ${curve}`);
      const seen = { leadingZero: false, highBit: !highBitPossible, lowBit: false };
      // Random signatures until each shape of integer has come up (a leading zero byte is 1 in 256
      // per integer), at least 300 of them.
      for (let i = 0; i < 300 || !(seen.leadingZero && seen.highBit && seen.lowBit); i++) {
        expect(i).toBeLessThan(5_000);
        const signature = sign(hash, data, { key: privateKey, dsaEncoding: 'ieee-p1363' });
        expect(signature).toHaveLength(2 * size);
        const der = p1363ToDer(signature);
        expect(der.equals(referenceDer(signature))).toBe(true);
        expect(verify(hash, data, publicKey as KeyObject, der)).toBe(true);
        for (const first of [signature[0]!, signature[size]!]) {
          if (first === 0) seen.leadingZero = true;
          else if (first & 0x80) seen.highBit = true;
          else seen.lowBit = true;
        }
      }
    });
  }

  it('uses the long length form when the content exceeds 127 bytes (P-521 with both high bits set)', () => {
    const signature = Buffer.alloc(132, 0xff);
    const der = p1363ToDer(signature);
    expect([...der.subarray(0, 3)]).toEqual([0x30, 0x81, 2 * (2 + 67)]);
    expect([...der.subarray(3, 6)]).toEqual([0x02, 67, 0x00]);
    expect(der.equals(referenceDer(signature))).toBe(true);
  });

  it('keeps one byte for a zero integer, for OpenSSL to reject', () => {
    const zero = Buffer.alloc(64);
    expect([...p1363ToDer(zero)]).toEqual([0x30, 0x06, 0x02, 0x01, 0x00, 0x02, 0x01, 0x00]);
    const { publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    expect(verify('sha256', Buffer.from('x'), publicKey, p1363ToDer(zero))).toBe(false);
  });

  it('encodes r and s as given: a signature valid for one message does not verify another, nor with r and s swapped', () => {
    const { publicKey, privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const signature = sign('sha256', Buffer.from('a'), { key: privateKey, dsaEncoding: 'ieee-p1363' });
    const swapped = Buffer.concat([signature.subarray(32), signature.subarray(0, 32)]);
    expect(verify('sha256', Buffer.from('b'), publicKey, p1363ToDer(signature))).toBe(false);
    expect(verify('sha256', Buffer.from('a'), publicKey, p1363ToDer(swapped))).toBe(false);
  });
});
