import { z } from 'zod';
import {
  decodeBase64,
  encodeStoredHash,
  firebaseScrypt,
  pbkdf2Sha256,
  parseStoredHash,
  scrypt,
  InvalidHashError,
  type StoredHashFormat,
} from './stored-hash.ts';

/**
 * A Firebase project's password hash parameters, as the Firebase console shows them
 * ("Password hash parameters") and `firebase auth:export` needs them: base64 fields decoded.
 */
export interface FirebaseHashConfig {
  signerKey: Buffer;
  saltSeparator: Buffer;
  rounds: number;
  memCost: number;
}

/** The same parameters as given: base64 strings and integers (command line or an import file's first line). */
export interface FirebaseHashConfigInput {
  signerKey: string;
  saltSeparator: string;
  rounds: number;
  memCost: number;
}

/** What an imported `password_hash` becomes: its format and the string `users.password_hash` stores. */
export interface ImportedHash {
  format: StoredHashFormat;
  stored: string;
}

/**
 * Checks a Firebase project's parameters; throws InvalidHashError saying which one is wrong.
 *
 * @example
 * parseFirebaseHashConfig({ signerKey: 'jxspr8Ki0RYy…', saltSeparator: 'Bw==', rounds: 8, memCost: 14 });
 */
export function parseFirebaseHashConfig(input: FirebaseHashConfigInput): FirebaseHashConfig {
  const config = {
    signerKey: decodeBase64('signer key', input.signerKey),
    saltSeparator: decodeBase64('salt separator', input.saltSeparator),
    rounds: input.rounds,
    memCost: input.memCost,
  };
  // The same checks as a hash of this project: an empty placeholder hash as long as the key.
  firebaseScrypt({ ...config, salt: Buffer.alloc(0), hash: Buffer.alloc(config.signerKey.length) });
  return config;
}

const base64Field = z.string({ error: 'must be a base64 string' });

const hashObjectSchema = z.discriminatedUnion(
  'algorithm',
  [
    z.strictObject({ algorithm: z.literal('firebase-scrypt'), hash: base64Field, salt: base64Field }),
    z.strictObject({
      algorithm: z.literal('scrypt'),
      hash: base64Field,
      salt: base64Field,
      N: z.int(),
      r: z.int(),
      p: z.int(),
      keylen: z.int().optional(),
    }),
    z.strictObject({ algorithm: z.literal('pbkdf2-sha256'), hash: base64Field, salt: base64Field, iterations: z.int() }),
  ],
  { error: 'algorithm must be firebase-scrypt, scrypt or pbkdf2-sha256' },
);

/**
 * Turns the `password_hash` of an import line (a self-describing string, or an object for the
 * formats that need parameters) into what Sigil stores; throws InvalidHashError with the reason,
 * which never contains the hash.
 *
 * @example
 * importHash('$2b$10$N9qo8uLOickgx2ZMRZoMyeIjZAgcfl7p92ldGxad68LJZdL17lhWy').format; // 'bcrypt'
 * importHash({ algorithm: 'firebase-scrypt', hash, salt }, firebase).stored; // '$firebase-scrypt$rounds=8,…'
 */
export function importHash(value: unknown, firebase: FirebaseHashConfig | undefined): ImportedHash {
  if (typeof value === 'string') return stored(parseStoredHash(value));
  const parsed = hashObjectSchema.safeParse(value);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new InvalidHashError(issue.path.length > 0 ? `${issue.path.join('.')}: ${issue.message}` : issue.message);
  }
  const object = parsed.data;
  const hash = decodeBase64('hash', object.hash);
  const salt = decodeBase64('salt', object.salt);
  switch (object.algorithm) {
    case 'firebase-scrypt':
      if (firebase === undefined) {
        throw new InvalidHashError(
          'firebase-scrypt needs the project\'s hash parameters (--firebase-signer-key and the other --firebase-* options, or a first line {"firebase_hash_config": …})',
        );
      }
      return stored(firebaseScrypt({ ...firebase, salt, hash }));
    case 'scrypt':
      if (object.keylen !== undefined && object.keylen !== hash.length) throw new InvalidHashError('keylen is not the length of hash');
      return stored(scrypt({ cost: object.N, blockSize: object.r, parallelization: object.p, salt, hash }));
    case 'pbkdf2-sha256':
      return stored(pbkdf2Sha256(object.iterations, salt, hash));
  }
}

function stored(hash: Parameters<typeof encodeStoredHash>[0]): ImportedHash {
  return { format: hash.format, stored: encodeStoredHash(hash) };
}
