/**
 * The password hash encodings `users.password_hash` holds (docs/server.md, "Importing users").
 * Sigil writes argon2id; an imported account keeps the hash of the system it came from, in a
 * self-describing string that carries every parameter its verification needs, until its first
 * successful login rehashes it with argon2id. Parsing here is structural and cheap (no key
 * derivation): it runs on the event loop before a verification is sent to the hashing threads.
 */

/** A format Sigil verifies. */
export type StoredHashFormat = 'argon2id' | 'argon2i' | 'argon2d' | 'bcrypt' | 'pbkdf2-sha256' | 'scrypt' | 'firebase-scrypt';

/**
 * What an account without a password stores (an imported user who signed in with a social
 * provider only). It parses as no format, so it never verifies: such a user sets a password through
 * a reset.
 */
export const NO_PASSWORD_HASH = '!no-password';

/**
 * Bounds on the work one verification may cost; hashes beyond them are refused at import, so that
 * no stored hash can make a login take seconds or hundreds of MiB.
 */
export const HASH_LIMITS = Object.freeze({
  /** Memory of one scrypt or argon2 verification. */
  maxMemoryBytes: 256 * 1024 * 1024,
  argon2MaxTimeCost: 16,
  argon2MaxParallelism: 16,
  bcryptMinCost: 4,
  bcryptMaxCost: 15,
  pbkdf2MaxIterations: 5_000_000,
  scryptMaxParallelization: 16,
  /** Salts, signer keys and hashes, decoded. */
  maxFieldBytes: 1024,
  minHashBytes: 16,
});

export interface Pbkdf2Sha256Hash {
  format: 'pbkdf2-sha256';
  iterations: number;
  salt: Buffer;
  /** The derived key; its length is the key length to derive. */
  hash: Buffer;
}

export interface ScryptHash {
  format: 'scrypt';
  /** N, a power of two. */
  cost: number;
  /** r */
  blockSize: number;
  /** p */
  parallelization: number;
  salt: Buffer;
  hash: Buffer;
}

/**
 * Firebase Authentication's modified scrypt: the scrypt key of the password (salted with the
 * user's salt followed by the project's salt separator; N = 2^memCost, r = rounds, p = 1) encrypts
 * the project's signer key with AES-256-CTR, and the ciphertext is the stored hash.
 */
export interface FirebaseScryptHash {
  format: 'firebase-scrypt';
  rounds: number;
  memCost: number;
  signerKey: Buffer;
  saltSeparator: Buffer;
  salt: Buffer;
  hash: Buffer;
}

export interface BcryptHash {
  format: 'bcrypt';
  cost: number;
  /** The whole modular-crypt string (`$2b$10$` + 22 salt characters + 31 hash characters). */
  encoded: string;
}

export interface Argon2Hash {
  format: 'argon2id' | 'argon2i' | 'argon2d';
  /** The whole PHC string, as @node-rs/argon2 verifies it. */
  encoded: string;
}

/** A stored hash, parsed. */
export type StoredHash = Argon2Hash | BcryptHash | Pbkdf2Sha256Hash | ScryptHash | FirebaseScryptHash;

/** A hash that no format accepts, with the reason (never the hash itself). */
export class InvalidHashError extends Error {
  constructor(reason: string) {
    super(reason);
    this.name = 'InvalidHashError';
  }
}

// Base64 as the formats write it: standard alphabet, or passlib's "adapted" one with `.` for `+`;
// padding optional.
const B64 = '[A-Za-z0-9+/.]*={0,2}';

const ARGON2 = /^\$(argon2id|argon2i|argon2d)\$(?:v=(\d+)\$)?m=(\d+),t=(\d+),p=(\d+)\$([A-Za-z0-9+/]+)\$([A-Za-z0-9+/]+)$/;
const BCRYPT = /^\$2[aby]\$(\d{2})\$[./A-Za-z0-9]{53}$/;
// passlib writes `$pbkdf2-sha256$29000$salt$hash`; PHC-style writers put `i=29000`.
const PBKDF2_PHC = new RegExp(`^\\$pbkdf2-sha256\\$(?:i=)?(\\d+)\\$(${B64})\\$(${B64})$`);
// Django: `pbkdf2_sha256$<iterations>$<salt as text>$<base64 hash>`.
const PBKDF2_DJANGO = /^pbkdf2_sha256\$(\d+)\$([^$]+)\$([A-Za-z0-9+/]+={0,2})$/;
const SCRYPT = new RegExp(`^\\$scrypt\\$ln=(\\d+),r=(\\d+),p=(\\d+)\\$(${B64})\\$(${B64})$`);
const FIREBASE_SCRYPT = new RegExp(
  `^\\$firebase-scrypt\\$rounds=(\\d+),mem-cost=(\\d+),signer-key=(${B64}),salt-separator=(${B64})\\$(${B64})\\$(${B64})$`,
);

/**
 * Parses a stored (or imported) hash string; throws InvalidHashError saying why it is refused.
 *
 * @example
 * parseStoredHash('pbkdf2_sha256$10000$seasalt$CWWFdHOWwPnki7HvkcqN9iA2T3KLW1cf2uZ5kvArtVY=').format; // 'pbkdf2-sha256'
 */
export function parseStoredHash(stored: string): StoredHash {
  let match: RegExpExecArray | null;
  if ((match = ARGON2.exec(stored))) return parseArgon2(stored, match);
  if ((match = BCRYPT.exec(stored))) {
    const cost = Number(match[1]);
    within('bcrypt cost', cost, HASH_LIMITS.bcryptMinCost, HASH_LIMITS.bcryptMaxCost);
    return { format: 'bcrypt', cost, encoded: stored };
  }
  if ((match = PBKDF2_PHC.exec(stored))) {
    return pbkdf2Sha256(integer('iterations', match[1]!), decodeBase64('salt', match[2]!), decodeBase64('hash', match[3]!));
  }
  if ((match = PBKDF2_DJANGO.exec(stored))) {
    return pbkdf2Sha256(integer('iterations', match[1]!), Buffer.from(match[2]!, 'utf8'), decodeBase64('hash', match[3]!));
  }
  if ((match = SCRYPT.exec(stored))) {
    const logCost = integer('ln', match[1]!);
    within('scrypt ln', logCost, 1, 30);
    return scrypt({
      cost: 2 ** logCost,
      blockSize: integer('r', match[2]!),
      parallelization: integer('p', match[3]!),
      salt: decodeBase64('salt', match[4]!),
      hash: decodeBase64('hash', match[5]!),
    });
  }
  if ((match = FIREBASE_SCRYPT.exec(stored))) {
    return firebaseScrypt({
      rounds: integer('rounds', match[1]!),
      memCost: integer('mem-cost', match[2]!),
      signerKey: decodeBase64('signer-key', match[3]!),
      saltSeparator: decodeBase64('salt-separator', match[4]!),
      salt: decodeBase64('salt', match[5]!),
      hash: decodeBase64('hash', match[6]!),
    });
  }
  throw new InvalidHashError(
    'unknown format (expected bcrypt $2a$/$2b$/$2y$, $argon2id$/$argon2i$/$argon2d$, pbkdf2_sha256$, $pbkdf2-sha256$ or $scrypt$)',
  );
}

/**
 * The format of a stored hash, or undefined when it is none that Sigil verifies (a malformed
 * value, or {@link NO_PASSWORD_HASH}).
 *
 * @example
 * identifyStoredHash(await hasher.hash('a long passphrase')); // 'argon2id'
 * identifyStoredHash(NO_PASSWORD_HASH); // undefined
 */
export function identifyStoredHash(stored: string): StoredHashFormat | undefined {
  try {
    return parseStoredHash(stored).format;
  } catch (error) {
    if (error instanceof InvalidHashError) return undefined;
    throw error;
  }
}

/**
 * A PBKDF2-HMAC-SHA256 hash after its parameters are checked.
 *
 * @example
 * encodeStoredHash(pbkdf2Sha256(600_000, salt, derivedKey)); // '$pbkdf2-sha256$i=600000$…$…'
 */
export function pbkdf2Sha256(iterations: number, salt: Buffer, hash: Buffer): Pbkdf2Sha256Hash {
  within('iterations', iterations, 1, HASH_LIMITS.pbkdf2MaxIterations);
  checkField('salt', salt, 0);
  checkField('hash', hash, HASH_LIMITS.minHashBytes);
  return { format: 'pbkdf2-sha256', iterations, salt, hash };
}

/**
 * A scrypt hash after its parameters are checked.
 *
 * @example
 * scrypt({ cost: 16_384, blockSize: 8, parallelization: 1, salt, hash });
 */
export function scrypt(params: Omit<ScryptHash, 'format'>): ScryptHash {
  const { cost, blockSize, parallelization, salt, hash } = params;
  if (!Number.isSafeInteger(cost) || cost < 2 || (cost & (cost - 1)) !== 0) throw new InvalidHashError('N must be a power of two');
  within('r', blockSize, 1, 64);
  within('p', parallelization, 1, HASH_LIMITS.scryptMaxParallelization);
  if (scryptMemoryBytes(cost, blockSize) > HASH_LIMITS.maxMemoryBytes) {
    throw new InvalidHashError(`N and r need more than ${HASH_LIMITS.maxMemoryBytes / 1024 / 1024} MiB (128 × N × r)`);
  }
  checkField('salt', salt, 0);
  checkField('hash', hash, HASH_LIMITS.minHashBytes);
  return { format: 'scrypt', cost, blockSize, parallelization, salt, hash };
}

/**
 * A Firebase modified-scrypt hash after its parameters are checked; the ranges are Firebase's own
 * (rounds 1–8, mem_cost 1–14), and the hash is the signer key encrypted, so it has its length.
 *
 * @example
 * firebaseScrypt({ rounds: 8, memCost: 14, signerKey, saltSeparator, salt, hash });
 */
export function firebaseScrypt(params: Omit<FirebaseScryptHash, 'format'>): FirebaseScryptHash {
  const { rounds, memCost, signerKey, saltSeparator, salt, hash } = params;
  within('rounds', rounds, 1, 8);
  within('mem_cost', memCost, 1, 14);
  checkField('signer key', signerKey, 1);
  checkField('salt separator', saltSeparator, 0);
  checkField('salt', salt, 0);
  checkField('hash', hash, 1);
  if (hash.length !== signerKey.length)
    throw new InvalidHashError('hash must be as long as the signer key (it is the signer key encrypted)');
  return { format: 'firebase-scrypt', rounds, memCost, signerKey, saltSeparator, salt, hash };
}

/**
 * The one string Sigil stores for a parsed hash: bcrypt and argon2 as they came, the others in
 * a PHC-like string with standard unpadded base64 fields.
 *
 * @example
 * encodeStoredHash(parseStoredHash('pbkdf2_sha256$10000$seasalt$CWWF…'));
 * // '$pbkdf2-sha256$i=10000$c2Vhc2FsdA$CWWF…'
 */
export function encodeStoredHash(hash: StoredHash): string {
  switch (hash.format) {
    case 'argon2id':
    case 'argon2i':
    case 'argon2d':
    case 'bcrypt':
      return hash.encoded;
    case 'pbkdf2-sha256':
      return `$pbkdf2-sha256$i=${hash.iterations}$${b64(hash.salt)}$${b64(hash.hash)}`;
    case 'scrypt':
      return `$scrypt$ln=${Math.log2(hash.cost)},r=${hash.blockSize},p=${hash.parallelization}$${b64(hash.salt)}$${b64(hash.hash)}`;
    case 'firebase-scrypt':
      return (
        `$firebase-scrypt$rounds=${hash.rounds},mem-cost=${hash.memCost},` +
        `signer-key=${b64(hash.signerKey)},salt-separator=${b64(hash.saltSeparator)}$${b64(hash.salt)}$${b64(hash.hash)}`
      );
  }
}

/** scrypt's working memory: 128 × N × r bytes. */
export function scryptMemoryBytes(cost: number, blockSize: number): number {
  return 128 * cost * blockSize;
}

/**
 * Decodes a base64 field (standard or passlib's `.` alphabet, padding optional); throws
 * InvalidHashError naming the field when it is not base64.
 *
 * @example
 * decodeBase64('salt', '42xEC+ixf3L2lw=='); // <Buffer e3 6c 44 0b e8 b1 7f 72 f6 97>
 */
export function decodeBase64(field: string, value: string): Buffer {
  const unpadded = value.replace(/={1,2}$/, '');
  if (!/^[A-Za-z0-9+/.]*$/.test(unpadded) || unpadded.length % 4 === 1) throw new InvalidHashError(`${field} is not base64`);
  return Buffer.from(unpadded.replaceAll('.', '+'), 'base64');
}

function parseArgon2(stored: string, match: RegExpExecArray): Argon2Hash {
  const version = match[2] === undefined ? 16 : integer('v', match[2]);
  if (version !== 16 && version !== 19) throw new InvalidHashError('argon2 version must be 16 or 19');
  const memoryKiB = integer('m', match[3]!);
  within('argon2 m', memoryKiB, 8, HASH_LIMITS.maxMemoryBytes / 1024);
  within('argon2 t', integer('t', match[4]!), 1, HASH_LIMITS.argon2MaxTimeCost);
  within('argon2 p', integer('p', match[5]!), 1, HASH_LIMITS.argon2MaxParallelism);
  checkField('salt', decodeBase64('salt', match[6]!), 8);
  checkField('hash', decodeBase64('hash', match[7]!), 4);
  return { format: match[1] as Argon2Hash['format'], encoded: stored };
}

function integer(field: string, digits: string): number {
  const value = Number(digits);
  if (!Number.isSafeInteger(value) || (digits.length > 1 && digits.startsWith('0')))
    throw new InvalidHashError(`${field} is not an integer`);
  return value;
}

function within(field: string, value: number, min: number, max: number): void {
  if (!Number.isSafeInteger(value) || value < min || value > max) {
    throw new InvalidHashError(`${field} must be an integer from ${min} to ${max.toLocaleString('en-US')}`);
  }
}

function checkField(field: string, value: Buffer, minBytes: number): void {
  if (value.length < minBytes) throw new InvalidHashError(`${field} must be at least ${minBytes} bytes`);
  if (value.length > HASH_LIMITS.maxFieldBytes) throw new InvalidHashError(`${field} must be at most ${HASH_LIMITS.maxFieldBytes} bytes`);
}

function b64(bytes: Buffer): string {
  return bytes.toString('base64').replace(/=+$/, '');
}
