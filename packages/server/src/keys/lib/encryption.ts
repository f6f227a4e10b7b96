import { hkdfSync } from 'node:crypto';
import { CompactEncrypt, compactDecrypt, type JWK } from 'jose';

/** HKDF `info`: changing it (or the secret) makes every stored key unreadable. */
const HKDF_INFO = 'sigil signing-key encryption v1';
const encoder = new TextEncoder();
const decoder = new TextDecoder();

/**
 * Protects private signing keys at rest. With a key secret, a private JWK is stored as a compact
 * JWE (`dir` + `A256GCM`, 256-bit key derived with HKDF-SHA256 from `SIGIL_KEY_SECRET`); the
 * row's `kid` goes in the protected header, which GCM authenticates, so a ciphertext cannot be
 * moved to another row. Without a secret the JWK is stored as plain JSON.
 */
export interface KeyVault {
  readonly encrypts: boolean;
  seal(kid: string, privateJwk: JWK): Promise<{ privateKey: string; encrypted: boolean }>;
  /** Throws `KeyVaultError` when the stored key cannot be opened with this vault's secret. */
  open(kid: string, stored: { privateKey: string; encrypted: boolean }): Promise<JWK>;
}

export type KeyVaultFailure = 'secret_missing' | 'secret_wrong' | 'corrupt';

/** A stored private key could not be read. The message names the kid, never key material. */
export class KeyVaultError extends Error {
  readonly reason: KeyVaultFailure;
  readonly kid: string;
  constructor(reason: KeyVaultFailure, kid: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'KeyVaultError';
    this.reason = reason;
    this.kid = kid;
  }
}

/**
 * The 256-bit key that `SIGIL_KEY_SECRET` gives for one purpose. Each kind of secret stored at
 * rest (signing keys, TOTP secrets) has its own `info`, so a ciphertext of one kind never opens
 * as another.
 */
export function deriveAtRestKey(keySecret: string, info: string): Uint8Array {
  return new Uint8Array(hkdfSync('sha256', keySecret, new Uint8Array(0), info, 32));
}

/**
 * Seals `plaintext` as a compact JWE (`dir` + `A256GCM`) whose protected header, which GCM
 * authenticates, names the row it belongs to (`kid`).
 */
export function sealAtRest(key: Uint8Array, kid: string, cty: string, plaintext: string): Promise<string> {
  return new CompactEncrypt(encoder.encode(plaintext)).setProtectedHeader({ alg: 'dir', enc: 'A256GCM', kid, cty }).encrypt(key);
}

/**
 * Opens what {@link sealAtRest} sealed: the plaintext and the `kid` of its header (the caller
 * checks it is the row's). Rejects when the key is not the one it was sealed with.
 */
export async function openAtRest(key: Uint8Array, jwe: string): Promise<{ plaintext: string; kid: unknown }> {
  const result = await compactDecrypt(jwe, key, { keyManagementAlgorithms: ['dir'], contentEncryptionAlgorithms: ['A256GCM'] });
  return { plaintext: decoder.decode(result.plaintext), kid: result.protectedHeader.kid };
}

export function createKeyVault(keySecret: string | undefined): KeyVault {
  const key = keySecret === undefined ? undefined : deriveAtRestKey(keySecret, HKDF_INFO);
  return {
    encrypts: key !== undefined,
    async seal(kid, privateJwk) {
      const plaintext = JSON.stringify(privateJwk);
      if (!key) return { privateKey: plaintext, encrypted: false };
      return { privateKey: await sealAtRest(key, kid, 'jwk+json', plaintext), encrypted: true };
    },
    async open(kid, stored) {
      let json: string;
      if (stored.encrypted) {
        if (!key) {
          throw new KeyVaultError(
            'secret_missing',
            kid,
            `SIGIL_KEY_SECRET is not set, but signing key ${kid} is stored encrypted: set the secret it was stored with`,
          );
        }
        let result;
        try {
          result = await openAtRest(key, stored.privateKey);
        } catch (error) {
          throw new KeyVaultError(
            'secret_wrong',
            kid,
            `SIGIL_KEY_SECRET cannot decrypt signing key ${kid}: it differs from the secret the key was stored with`,
            { cause: error },
          );
        }
        if (result.kid !== kid) {
          throw new KeyVaultError('corrupt', kid, `the encrypted private key stored for ${kid} belongs to another key`);
        }
        json = result.plaintext;
      } else {
        json = stored.privateKey;
      }
      try {
        return JSON.parse(json) as JWK;
      } catch {
        // No cause: V8's JSON.parse message quotes the input, which would be key material.
        throw new KeyVaultError('corrupt', kid, `the private key stored for ${kid} is not a JWK`);
      }
    },
  };
}
