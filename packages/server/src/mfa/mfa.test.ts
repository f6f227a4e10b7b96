import { describe, expect, it } from 'vitest';
import { generateRecoveryCodes, hashRecoveryCode, normalizeRecoveryCode } from './recovery-codes.ts';
import { createTotpSecretVault } from './secret-vault.ts';
import { generateTotpSecret, matchTotpStep, totpCode, totpStep, totpUri } from './totp.ts';

// RFC 6238 appendix B: the SHA-1 seed "12345678901234567890", whose 8-digit codes the RFC lists;
// the 6-digit code is the last six digits of the same truncation.
const RFC_SECRET = 'GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ';
const RFC_VECTORS: Array<[number, string]> = [
  [59, '287082'],
  [1111111109, '081804'],
  [1111111111, '050471'],
  [1234567890, '005924'],
  [2000000000, '279037'],
  [20000000000, '353130'],
];

describe('TOTP (RFC 6238)', () => {
  it.each(RFC_VECTORS)('at %i s the code is %s, and it matches its own step', (seconds, code) => {
    const at = new Date(seconds * 1000);
    expect(totpCode(RFC_SECRET, at)).toBe(code);
    expect(totpStep(at)).toBe(Math.floor(seconds / 30));
    expect(matchTotpStep(RFC_SECRET, code, at)).toBe(Math.floor(seconds / 30));
  });

  it('matches one step either side and no further; only six digits count', () => {
    const at = new Date(1_234_567_890_000);
    const step = totpStep(at);
    for (const delta of [-1, 0, 1]) {
      expect(matchTotpStep(RFC_SECRET, totpCode(RFC_SECRET, new Date(at.getTime() + delta * 30_000)), at)).toBe(step + delta);
    }
    for (const delta of [-2, 2]) {
      expect(matchTotpStep(RFC_SECRET, totpCode(RFC_SECRET, new Date(at.getTime() + delta * 30_000)), at)).toBeUndefined();
    }
    for (const bad of ['', '00592', '0059245', ' 005924', '00592a', '００５９２４'])
      expect(matchTotpStep(RFC_SECRET, bad, at)).toBeUndefined();
  });

  it('draws 160-bit base32 secrets and writes the otpauth:// URL apps scan', () => {
    const secret = generateTotpSecret();
    expect(secret).toMatch(/^[A-Z2-7]{32}$/);
    expect(generateTotpSecret()).not.toBe(secret);
    const url = new URL(totpUri(secret, 'ada@example.com', 'Acme & Co'));
    expect(decodeURIComponent(url.pathname)).toBe('/Acme & Co:ada@example.com');
    expect(url.searchParams.get('issuer')).toBe('Acme & Co');
    expect(url.searchParams.get('secret')).toBe(secret);
  });
});

describe('recovery codes', () => {
  it('are ten distinct 80-bit codes in groups of four, normalized however they are typed', () => {
    const codes = generateRecoveryCodes();
    expect(codes).toHaveLength(10);
    expect(new Set(codes).size).toBe(10);
    const [code] = codes;
    expect(code).toMatch(/^([a-km-np-z2-9]{4}-){3}[a-km-np-z2-9]{4}$/);
    const normalized = normalizeRecoveryCode(code!)!;
    expect(normalizeRecoveryCode(` ${code!.toUpperCase().replaceAll('-', ' ')} `)).toBe(normalized);
    expect(hashRecoveryCode(normalized)).toMatch(/^[0-9a-f]{64}$/);
    for (const bad of ['', 'abcd-efgh', 'abcd-efgh-ijkl-mnop-q', 'abcd-efgh-ijkl-mno0', 'abcd-efgh-ijkl-mnol']) {
      expect(normalizeRecoveryCode(bad)).toBeUndefined();
    }
  });
});

describe('TOTP secrets at rest', () => {
  const keySecret = 'a-test-key-secret-of-at-least-32-characters';

  it('are a JWE under SIGIL_KEY_SECRET that opens only for its own user and with the same secret', async () => {
    const vault = createTotpSecretVault(keySecret);
    const sealed = await vault.seal('user-a', RFC_SECRET);
    expect(sealed.encrypted).toBe(true);
    expect(sealed.secret).not.toContain(RFC_SECRET);
    expect(await vault.open('user-a', sealed)).toBe(RFC_SECRET);
    await expect(vault.open('user-b', sealed)).rejects.toThrow(/belongs to another user/);
    await expect(createTotpSecretVault(`${keySecret}!`).open('user-a', sealed)).rejects.toThrow(/cannot decrypt/);
    await expect(createTotpSecretVault(undefined).open('user-a', sealed)).rejects.toThrow(/SIGIL_KEY_SECRET is not set/);
  });

  it('are stored as they are without a key secret', async () => {
    const vault = createTotpSecretVault(undefined);
    const sealed = await vault.seal('user-a', RFC_SECRET);
    expect(sealed).toEqual({ secret: RFC_SECRET, encrypted: false });
    expect(await vault.open('user-a', sealed)).toBe(RFC_SECRET);
  });
});
