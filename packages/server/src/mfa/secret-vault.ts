import { deriveAtRestKey, openAtRest, sealAtRest } from '../keys/index.ts';

/** HKDF `info` of TOTP secrets: a key of its own, so no signing-key ciphertext opens as a TOTP secret (or back). */
const HKDF_INFO = 'sigil totp-secret encryption v1';
const CTY = 'totp-secret';

/**
 * TOTP secrets at rest, encrypted like private signing keys (docs/architecture.md, "Second
 * factors"): with `SIGIL_KEY_SECRET`, a compact JWE (`dir` + `A256GCM`) under a key derived
 * from it, whose authenticated header names the user, so a ciphertext copied onto another
 * user's row does not open. Without the secret, stored as the base32 text (startup already
 * warns that secrets are unencrypted).
 *
 * @example
 * const vault = createTotpSecretVault(config.keySecret);
 * const stored = await vault.seal(user.id, secret); // { secret, encrypted }
 * const base32 = await vault.open(user.id, stored);
 */
export interface TotpSecretVault {
  seal(userId: string, secret: string): Promise<{ secret: string; encrypted: boolean }>;
  /** Throws (no secret material in the message) when the stored secret cannot be opened. */
  open(userId: string, stored: { secret: string; encrypted: boolean }): Promise<string>;
}

export function createTotpSecretVault(keySecret: string | undefined): TotpSecretVault {
  const key = keySecret === undefined ? undefined : deriveAtRestKey(keySecret, HKDF_INFO);
  const kid = (userId: string) => `totp:${userId}`;
  return {
    async seal(userId, secret) {
      if (!key) return { secret, encrypted: false };
      return { secret: await sealAtRest(key, kid(userId), CTY, secret), encrypted: true };
    },
    async open(userId, stored) {
      if (!stored.encrypted) return stored.secret;
      if (!key) throw new Error(`the TOTP secret of user ${userId} is encrypted, but SIGIL_KEY_SECRET is not set`);
      let opened;
      try {
        opened = await openAtRest(key, stored.secret);
      } catch (error) {
        throw new Error(`SIGIL_KEY_SECRET cannot decrypt the TOTP secret of user ${userId}`, { cause: error });
      }
      if (opened.kid !== kid(userId)) throw new Error(`the TOTP secret stored for user ${userId} belongs to another user`);
      return opened.plaintext;
    },
  };
}
