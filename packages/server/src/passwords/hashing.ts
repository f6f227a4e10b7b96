import { parseOptions, type Algorithm } from '@node-rs/argon2';
import { createHashPool, type HashPoolOptions } from './hash-pool.ts';
import { HASH_LIMITS, identifyStoredHash } from './stored-hash.ts';

/** argon2id parameters; OWASP's minimum is m=19 MiB, t=2, p=1. */
export interface PasswordHashParams {
  memoryCost: number;
  timeCost: number;
  parallelism: number;
}

export const OWASP_MINIMUM: PasswordHashParams = Object.freeze({ memoryCost: 19_456, timeCost: 2, parallelism: 1 });

// `Algorithm` is a const enum in the binding's typings; 2 is Argon2id.
const ARGON2ID = 2 as Algorithm;

export interface PasswordHasher {
  hash(password: string): Promise<string>;
  /**
   * Verifies against a stored hash of any format Sigil knows (argon2, bcrypt, PBKDF2-SHA256,
   * scrypt, Firebase scrypt: stored-hash.ts). A stored value of no known format (malformed, or an
   * imported account without a password) verifies as false after the work of a dummy argon2id
   * verification, so it takes as long as a wrong password. Rejects only when the server cannot
   * hash right now (503 `unavailable` when overloaded), never for a wrong password.
   */
  verify(storedHash: string, password: string): Promise<boolean>;
  /**
   * True when the stored hash is not argon2id with the current parameters (imported formats
   * included): login then rehashes the password it just verified.
   */
  needsRehash(storedHash: string): boolean;
  /**
   * Burns the same work as a real verification. Used for unknown emails so that they take as long
   * as a wrong password and cannot be told apart by timing.
   */
  verifyDummy(password: string): Promise<void>;
  /** Stops the hashing threads. */
  close(): Promise<void>;
}

/**
 * argon2id through @node-rs/argon2 on a pool of low-priority threads (see hash-pool.ts), off the
 * event loop; the same threads verify imported hashes. Parameters below OWASP's minimum are refused.
 *
 * @example
 * const hasher = await createPasswordHasher();
 * const stored = await hasher.hash('correct horse battery staple');
 * await hasher.verify(stored, 'correct horse battery staple'); // true
 */
export async function createPasswordHasher(
  params: PasswordHashParams = OWASP_MINIMUM,
  poolOptions: HashPoolOptions = {},
): Promise<PasswordHasher> {
  if (params.memoryCost < OWASP_MINIMUM.memoryCost || params.timeCost < OWASP_MINIMUM.timeCost || params.parallelism < 1) {
    throw new TypeError('argon2id parameters below OWASP minimum (m=19456 KiB, t=2, p=1)');
  }
  // Sigil never writes a hash that its own verifier would refuse as too costly (stored-hash.ts).
  if (
    params.memoryCost > HASH_LIMITS.maxMemoryBytes / 1024 ||
    params.timeCost > HASH_LIMITS.argon2MaxTimeCost ||
    params.parallelism > HASH_LIMITS.argon2MaxParallelism
  ) {
    throw new TypeError(
      `argon2id parameters above what Sigil verifies (m <= ${HASH_LIMITS.maxMemoryBytes / 1024} KiB, t <= ${HASH_LIMITS.argon2MaxTimeCost}, p <= ${HASH_LIMITS.argon2MaxParallelism})`,
    );
  }
  const options = { algorithm: ARGON2ID, ...params };
  const pool = createHashPool(poolOptions);
  const hash = async (password: string) => (await pool.run({ op: 'hash', password, options })) as string;
  const verifyInPool = async (storedHash: string, password: string) =>
    (await pool.run({ op: 'verify', hash: storedHash, password })) === true;
  // A real hash of a random password: verifying against it costs exactly what a real user costs.
  let dummyHash: string;
  try {
    dummyHash = await hash(crypto.randomUUID());
  } catch (error) {
    await pool.close();
    throw error;
  }

  return {
    hash,
    async verify(storedHash, password) {
      if (identifyStoredHash(storedHash) === undefined) {
        await verifyInPool(dummyHash, password);
        return false;
      }
      // No catch: anything thrown here (overload, lost thread) is the server's failure, not a
      // wrong password.
      return verifyInPool(storedHash, password);
    },
    needsRehash(storedHash) {
      if (identifyStoredHash(storedHash) !== 'argon2id') return true;
      try {
        const current = parseOptions(storedHash);
        return (
          current.algorithm !== ARGON2ID ||
          current.memoryCost !== params.memoryCost ||
          current.timeCost !== params.timeCost ||
          current.parallelism !== params.parallelism
        );
      } catch {
        return true;
      }
    },
    async verifyDummy(password) {
      await verifyInPool(dummyHash, password);
    },
    close: () => pool.close(),
  };
}
