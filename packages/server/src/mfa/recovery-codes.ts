import { createHash, randomInt } from 'node:crypto';

/**
 * Recovery codes (docs/architecture.md, "Second factors"): the way in when the authenticator is
 * lost. Each is 16 characters from a 32-letter alphabet without look-alikes (no 0/o, 1/l),
 * shown in groups of four: 80 random bits. With that much entropy an unsalted SHA-256 is a
 * sufficient stored form (nobody can enumerate 2^80 candidates offline), and a login can find the
 * code by its hash instead of running a slow hash per stored code.
 */
export const RECOVERY_CODE_COUNT = 10;
const ALPHABET = 'abcdefghijkmnpqrstuvwxyz23456789';
const LENGTH = 16;

/** One new code, e.g. `k7qe-9dmx-vr3a-p2zn`. */
export function generateRecoveryCode(): string {
  let raw = '';
  for (let i = 0; i < LENGTH; i++) raw += ALPHABET[randomInt(ALPHABET.length)];
  return raw.match(/.{4}/g)!.join('-');
}

/** A fresh set of {@link RECOVERY_CODE_COUNT} codes. */
export function generateRecoveryCodes(): string[] {
  return Array.from({ length: RECOVERY_CODE_COUNT }, generateRecoveryCode);
}

/**
 * The code as typed, reduced to its 16 letters: case, spaces and dashes do not matter.
 * Undefined for anything that cannot be a code (checked before any database work).
 */
export function normalizeRecoveryCode(typed: string): string | undefined {
  const raw = typed.toLowerCase().replace(/[\s-]/g, '');
  return raw.length === LENGTH && [...raw].every((c) => ALPHABET.includes(c)) ? raw : undefined;
}

/** The stored form: SHA-256 (hex) of the normalized code. */
export function hashRecoveryCode(normalized: string): string {
  return createHash('sha256').update(`sigil-recovery-code:${normalized}`, 'utf8').digest('hex');
}
