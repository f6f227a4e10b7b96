import { pbkdf2Sync, randomBytes, scryptSync } from 'node:crypto';
import { hash as argon2Hash } from '@node-rs/argon2';
import { hashSync as bcryptHash } from 'bcryptjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPasswordHasher, type PasswordHasher } from './hashing.ts';
import { importHash, parseFirebaseHashConfig, type FirebaseHashConfig } from './import-hash.ts';
import { InvalidHashError, identifyStoredHash } from './stored-hash.ts';
import { verifyPasswordSync } from './verify-sync.ts';

// Firebase's published example (github.com/firebase/scrypt, README.md, "Password Hashing"): the
// project parameters from the console, the exported account's salt and hash, and its password.
const FIREBASE_PROJECT = {
  signerKey: 'jxspr8Ki0RYycVU8zykbdLGjFQ3McFUH0uiiTvC8pVMXAn210wjLNmdZJzxUECKbm0QsEmYUSDzZvpjeJ9WmXA==',
  saltSeparator: 'Bw==',
  rounds: 8,
  memCost: 14,
};
const FIREBASE_ACCOUNT = {
  algorithm: 'firebase-scrypt',
  salt: '42xEC+ixf3L2lw==',
  hash: 'lSrfV15cpx95/sZS2W9c9Kp6i/LVgQNDNC/qzrCnh1SAyZvqmZqAjTdn3aoItz+VHjoZilo78198JAdRuid5lQ==',
};
const FIREBASE_PASSWORD = 'user1password';

// Django's own test (tests/auth_tests/test_hashers.py, test_pbkdf2 of the releases at 10 000
// iterations): make_password('lètmein', 'seasalt', 'pbkdf2_sha256').
const DJANGO = { encoded: 'pbkdf2_sha256$10000$seasalt$CWWFdHOWwPnki7HvkcqN9iA2T3KLW1cf2uZ5kvArtVY=', password: 'lètmein' };

// passlib's known-correct hash (passlib/tests/test_handlers_pbkdf2.py, pbkdf2_sha256_test): rounds
// without `i=`, salt and hash in passlib's adapted base64 (`.` for `+`).
const PASSLIB_PBKDF2 = {
  encoded: '$pbkdf2-sha256$1212$4vjV83LKPjQzk31VI4E0Vw$hsYF68OiOUPdDZ1Fg.fJPeq1h/gXXY7acBp9/6c.tmQ',
  password: 'password',
};

// RFC 7914, section 12, second vector (P = "password", S = "NaCl", N = 1024, r = 8, p = 16,
// dkLen = 64), in the PHC form passlib writes.
const RFC7914_SCRYPT = {
  encoded: '$scrypt$ln=10,r=8,p=16$TmFDbA$/bq+HJ00cgB4VucZDQHp/nxq18vII3gw53N2Y0s3MWIurzDZLiKjiG/xCSedmDDaxyevuUqD7m2DYMvfoswGQA',
  password: 'password',
};

let firebase: FirebaseHashConfig;
beforeAll(() => {
  firebase = parseFirebaseHashConfig(FIREBASE_PROJECT);
});

/** The stored form of an import value, checked to verify with `password` and not with a near miss. */
function expectVerifies(value: unknown, password: string, format: string): string {
  const imported = importHash(value, firebase);
  expect(imported.format).toBe(format);
  expect(identifyStoredHash(imported.stored)).toBe(format);
  expect(verifyPasswordSync(imported.stored, password)).toBe(true);
  expect(verifyPasswordSync(imported.stored, `${password}!`)).toBe(false);
  expect(verifyPasswordSync(imported.stored, password.slice(1))).toBe(false);
  return imported.stored;
}

function b64(bytes: Buffer): string {
  return bytes.toString('base64');
}

describe('imported hashes: published vectors', () => {
  it("Firebase's modified scrypt: the firebase/scrypt README's account verifies with user1password", () => {
    const stored = expectVerifies(FIREBASE_ACCOUNT, FIREBASE_PASSWORD, 'firebase-scrypt');
    // Everything the verification needs is inside the stored string.
    expect(stored).toBe(
      '$firebase-scrypt$rounds=8,mem-cost=14,signer-key=jxspr8Ki0RYycVU8zykbdLGjFQ3McFUH0uiiTvC8pVMXAn210wjLNmdZJzxUECKbm0QsEmYUSDzZvpjeJ9WmXA,salt-separator=Bw$42xEC+ixf3L2lw$lSrfV15cpx95/sZS2W9c9Kp6i/LVgQNDNC/qzrCnh1SAyZvqmZqAjTdn3aoItz+VHjoZilo78198JAdRuid5lQ',
    );
  });

  it('Firebase: a wrong signer key, salt separator, rounds or mem_cost does not verify', () => {
    const variants = [
      { ...FIREBASE_PROJECT, signerKey: b64(randomBytes(64)) },
      { ...FIREBASE_PROJECT, saltSeparator: 'CA==' },
      { ...FIREBASE_PROJECT, rounds: 7 },
      { ...FIREBASE_PROJECT, memCost: 13 },
    ];
    for (const project of variants) {
      const imported = importHash(FIREBASE_ACCOUNT, parseFirebaseHashConfig(project));
      expect(verifyPasswordSync(imported.stored, FIREBASE_PASSWORD)).toBe(false);
    }
  });

  it("Django's pbkdf2_sha256 test vector verifies, stored as $pbkdf2-sha256$ with the salt's bytes", () => {
    const stored = expectVerifies(DJANGO.encoded, DJANGO.password, 'pbkdf2-sha256');
    expect(stored).toBe(
      `$pbkdf2-sha256$i=10000$${Buffer.from('seasalt').toString('base64').replace(/=+$/, '')}$CWWFdHOWwPnki7HvkcqN9iA2T3KLW1cf2uZ5kvArtVY`,
    );
  });

  it("passlib's $pbkdf2-sha256$ vector verifies (adapted base64, rounds without i=)", () => {
    expectVerifies(PASSLIB_PBKDF2.encoded, PASSLIB_PBKDF2.password, 'pbkdf2-sha256');
  });

  it("RFC 7914's scrypt vector verifies in passlib's $scrypt$ form", () => {
    expect(expectVerifies(RFC7914_SCRYPT.encoded, RFC7914_SCRYPT.password, 'scrypt')).toBe(RFC7914_SCRYPT.encoded);
  });
});

describe('imported hashes: generated with the reference libraries', () => {
  it('bcrypt $2a$, $2b$ and $2y$ made by bcryptjs verify; non-ASCII passwords too', () => {
    const password = 'Grüße, ünïcødé 🔑';
    const made = bcryptHash(password, 4);
    expect(made).toMatch(/^\$2b\$04\$/);
    for (const prefix of ['$2a$', '$2b$', '$2y$']) {
      // The three prefixes name the same algorithm for passwords under 255 bytes.
      expect(expectVerifies(`${prefix}${made.slice(4)}`, password, 'bcrypt')).toBe(`${prefix}${made.slice(4)}`);
    }
  });

  it('argon2id, argon2i and argon2d PHC strings made by @node-rs/argon2 verify', async () => {
    const password = 'an argon2 password';
    for (const [algorithm, format] of [
      [0, 'argon2d'],
      [1, 'argon2i'],
      [2, 'argon2id'],
    ] as const) {
      const made = await argon2Hash(password, { algorithm, memoryCost: 8192, timeCost: 2, parallelism: 1 });
      expectVerifies(made, password, format);
    }
  });

  it('scrypt from node:crypto, as an object with N, r, p and keylen', () => {
    const password = 'a scrypt password';
    const salt = randomBytes(16);
    const hash = scryptSync(password, salt, 32, { N: 16_384, r: 8, p: 1 });
    const stored = expectVerifies(
      { algorithm: 'scrypt', hash: b64(hash), salt: b64(salt), N: 16_384, r: 8, p: 1, keylen: 32 },
      password,
      'scrypt',
    );
    expect(stored).toMatch(/^\$scrypt\$ln=14,r=8,p=1\$/);
  });

  it('PBKDF2-SHA256 from node:crypto, as a string and as an object', () => {
    const password = 'a pbkdf2 password';
    const salt = randomBytes(16);
    const hash = pbkdf2Sync(password, salt, 20_000, 32, 'sha256');
    const phc = `$pbkdf2-sha256$i=20000$${b64(salt).replace(/=+$/, '')}$${b64(hash).replace(/=+$/, '')}`;
    expect(expectVerifies(phc, password, 'pbkdf2-sha256')).toBe(phc);
    expect(
      expectVerifies({ algorithm: 'pbkdf2-sha256', hash: b64(hash), salt: b64(salt), iterations: 20_000 }, password, 'pbkdf2-sha256'),
    ).toBe(phc);
  });
});

describe('imported hashes: refused values', () => {
  it.each([
    ['an unknown string', 'md5$abc', /unknown format/],
    ['a truncated bcrypt hash', '$2b$10$N9qo8uLOickgx2ZMRZoMy', /unknown format/],
    ['bcrypt cost beyond the limit', `$2b$16$${'a'.repeat(53)}`, /bcrypt cost must be an integer from 4 to 15/],
    ['PBKDF2 with 0 iterations', 'pbkdf2_sha256$0$salt$CWWFdHOWwPnki7HvkcqN9iA2T3KLW1cf2uZ5kvArtVY=', /iterations/],
    ['PBKDF2 beyond 5 000 000 iterations', 'pbkdf2_sha256$5000001$salt$CWWFdHOWwPnki7HvkcqN9iA2T3KLW1cf2uZ5kvArtVY=', /iterations/],
    ['scrypt needing 1 GiB', '$scrypt$ln=20,r=8,p=1$c2FsdA$CWWFdHOWwPnki7HvkcqN9iA2T3KLW1cf2uZ5kvArtVY', /MiB/],
    ['argon2 m beyond 256 MiB', '$argon2id$v=19$m=1048576,t=2,p=1$c29tZXNhbHQ$Bo1ismRVk2qm6+YAYLCmWHDb+j3fjUH3', /argon2 m/],
    ['an object of an unknown algorithm', { algorithm: 'md5', hash: 'AA==' }, /algorithm must be/],
    [
      'a scrypt object with N not a power of two',
      { algorithm: 'scrypt', hash: b64(randomBytes(32)), salt: 'AA==', N: 1000, r: 8, p: 1 },
      /power of two/,
    ],
    [
      'a scrypt object whose keylen is not its length',
      { algorithm: 'scrypt', hash: b64(randomBytes(32)), salt: 'AA==', N: 1024, r: 8, p: 1, keylen: 64 },
      /keylen/,
    ],
    [
      'an object with an unknown key',
      { algorithm: 'pbkdf2-sha256', hash: b64(randomBytes(32)), salt: 'AA==', iterations: 1000, rounds: 3 },
      /rounds/,
    ],
    ['a base64 field that is not base64', { algorithm: 'firebase-scrypt', hash: 'not base64!', salt: 'AA==' }, /hash is not base64/],
    [
      'a Firebase hash not as long as the signer key',
      { algorithm: 'firebase-scrypt', hash: 'AAAA', salt: 'AA==' },
      /as long as the signer key/,
    ],
  ])('%s', (_label, value, reason) => {
    const thrown = (() => {
      try {
        importHash(value, firebase);
      } catch (error) {
        return error;
      }
    })();
    expect(thrown).toBeInstanceOf(InvalidHashError);
    expect((thrown as Error).message).toMatch(reason);
    // The reason never repeats the hash.
    if (typeof value === 'string' && value.length > 16) expect((thrown as Error).message).not.toContain(value.slice(8));
  });

  it('a firebase-scrypt object without the project parameters is refused, saying how to give them', () => {
    expect(() => importHash(FIREBASE_ACCOUNT, undefined)).toThrow(/--firebase-signer-key/);
  });

  it('Firebase project parameters outside Firebase ranges are refused', () => {
    expect(() => parseFirebaseHashConfig({ ...FIREBASE_PROJECT, rounds: 9 })).toThrow(/rounds/);
    expect(() => parseFirebaseHashConfig({ ...FIREBASE_PROJECT, memCost: 15 })).toThrow(/mem_cost/);
    expect(() => parseFirebaseHashConfig({ ...FIREBASE_PROJECT, signerKey: '' })).toThrow(/signer key/);
  });
});

describe('the password hasher with imported hashes (hashing threads)', () => {
  let hasher: PasswordHasher;
  beforeAll(async () => {
    hasher = await createPasswordHasher(undefined, { threads: 2 });
  });
  afterAll(async () => {
    await hasher.close();
  });

  it('verifies every imported format on its threads, and flags each for rehash', async () => {
    const bcrypt = bcryptHash('a bcrypt password', 4);
    const cases = [
      [bcrypt, 'a bcrypt password'],
      [importHash(DJANGO.encoded, firebase).stored, DJANGO.password],
      [importHash(RFC7914_SCRYPT.encoded, firebase).stored, RFC7914_SCRYPT.password],
      [importHash(FIREBASE_ACCOUNT, firebase).stored, FIREBASE_PASSWORD],
      [await argon2Hash('an argon2i password', { algorithm: 1 }), 'an argon2i password'],
    ] as const;
    for (const [stored, password] of cases) {
      expect(await hasher.verify(stored, password)).toBe(true);
      expect(await hasher.verify(stored, 'not the password')).toBe(false);
      expect(hasher.needsRehash(stored)).toBe(true);
    }
    expect(hasher.needsRehash(await hasher.hash('a fresh password'))).toBe(false);
  });
});
