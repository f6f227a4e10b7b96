import { createCipheriv, pbkdf2Sync, scryptSync, timingSafeEqual } from 'node:crypto';
import { verifySync as verifyArgon2 } from '@node-rs/argon2';
import { hashSync as bcryptHash } from 'bcryptjs';
import {
  parseStoredHash,
  scryptMemoryBytes,
  InvalidHashError,
  type FirebaseScryptHash,
  type Pbkdf2Sha256Hash,
  type ScryptHash,
  type StoredHash,
} from './stored-hash.ts';

/**
 * Whether `password` matches a stored hash of any format Sigil verifies (stored-hash.ts); false
 * for a value that parses as none. Synchronous and CPU-bound: it runs on the hashing threads
 * (hash-pool.ts), never on the event loop. argon2 through @node-rs/argon2, bcrypt through
 * bcryptjs, PBKDF2, scrypt and Firebase's modified scrypt through node:crypto; every comparison
 * of derived bytes is constant-time.
 *
 * @example
 * verifyPasswordSync('pbkdf2_sha256$10000$seasalt$CWWFdHOWwPnki7HvkcqN9iA2T3KLW1cf2uZ5kvArtVY=', 'lètmein'); // true
 */
export function verifyPasswordSync(stored: string, password: string): boolean {
  let hash: StoredHash;
  try {
    hash = parseStoredHash(stored);
  } catch (error) {
    if (error instanceof InvalidHashError) return false;
    throw error;
  }
  switch (hash.format) {
    case 'argon2id':
    case 'argon2i':
    case 'argon2d':
      try {
        return verifyArgon2(hash.encoded, password);
      } catch {
        // The binding refuses what the structural parse let through (e.g. m < 8 × p).
        return false;
      }
    case 'bcrypt':
      // The first 29 characters are `$2b$<cost>$<salt>`: hashing with them redoes the stored hash.
      try {
        return sameBytes(Buffer.from(bcryptHash(password, hash.encoded.slice(0, 29))), Buffer.from(hash.encoded));
      } catch {
        // bcryptjs refuses a salt that the structural parse let through.
        return false;
      }
    case 'pbkdf2-sha256':
      return sameBytes(derivePbkdf2(hash, password), hash.hash);
    case 'scrypt':
      return sameBytes(deriveScrypt(hash, password), hash.hash);
    case 'firebase-scrypt':
      return sameBytes(deriveFirebaseScrypt(hash, password), hash.hash);
  }
}

function derivePbkdf2(hash: Pbkdf2Sha256Hash, password: string): Buffer {
  return pbkdf2Sync(password, hash.salt, hash.iterations, hash.hash.length, 'sha256');
}

function deriveScrypt(hash: ScryptHash, password: string): Buffer {
  return scryptSync(password, hash.salt, hash.hash.length, {
    N: hash.cost,
    r: hash.blockSize,
    p: hash.parallelization,
    maxmem: scryptHeadroom(hash.cost, hash.blockSize),
  });
}

/**
 * Firebase's algorithm (github.com/firebase/scrypt, README "Password Hashing"): the scrypt key of
 * the password, salted with the user's salt followed by the project's salt separator, is the
 * AES-256-CTR key (zero IV) that encrypts the project's signer key; the ciphertext is the hash.
 */
function deriveFirebaseScrypt(hash: FirebaseScryptHash, password: string): Buffer {
  const cost = 2 ** hash.memCost;
  const key = scryptSync(password, Buffer.concat([hash.salt, hash.saltSeparator]), 32, {
    N: cost,
    r: hash.rounds,
    p: 1,
    maxmem: scryptHeadroom(cost, hash.rounds),
  });
  const cipher = createCipheriv('aes-256-ctr', key, Buffer.alloc(16));
  return Buffer.concat([cipher.update(hash.signerKey), cipher.final()]);
}

// node:crypto refuses scrypt above `maxmem` (32 MiB by default); the parameters are already bounded
// by HASH_LIMITS, so allow what they need plus room for the library's own buffers.
function scryptHeadroom(cost: number, blockSize: number): number {
  return 2 * scryptMemoryBytes(cost, blockSize) + 1024 * 1024;
}

/** Constant-time equality; the lengths are not secret (they are part of the stored format). */
function sameBytes(computed: Buffer, expected: Buffer): boolean {
  return computed.length === expected.length && timingSafeEqual(computed, expected);
}
