import { parseOptions, type Algorithm } from '@node-rs/argon2';
import { createHashPool, type HashPoolOptions } from './hash-pool.ts';

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
   * Constant-work verification: a malformed stored hash verifies as false. Rejects only when the
   * server cannot hash right now (503 `unavailable` when overloaded), never for a wrong password.
   */
  verify(storedHash: string, password: string): Promise<boolean>;
  /** True when the stored hash was made with other parameters than the current ones. */
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
 * event loop. Parameters below OWASP's minimum are refused.
 */
export async function createPasswordHasher(
  params: PasswordHashParams = OWASP_MINIMUM,
  poolOptions: HashPoolOptions = {},
): Promise<PasswordHasher> {
  if (params.memoryCost < OWASP_MINIMUM.memoryCost || params.timeCost < OWASP_MINIMUM.timeCost || params.parallelism < 1) {
    throw new TypeError('argon2id parameters below OWASP minimum (m=19456 KiB, t=2, p=1)');
  }
  const options = { algorithm: ARGON2ID, ...params };
  const pool = createHashPool(poolOptions);
  const hash = async (password: string) => (await pool.run({ op: 'hash', password, options })) as string;
  const verify = async (storedHash: string, password: string) => (await pool.run({ op: 'verify', hash: storedHash, password })) === true;
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
    // No catch: a malformed stored hash already verifies as false in the thread; anything else
    // thrown here (overload, lost thread) is the server's failure, not a wrong password.
    verify,
    needsRehash(storedHash) {
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
      await verify(dummyHash, password);
    },
    close: () => pool.close(),
  };
}
