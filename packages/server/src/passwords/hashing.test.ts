import { hash, parseOptions } from '@node-rs/argon2';
import { describe, expect, it } from 'vitest';
import { OWASP_MINIMUM, createPasswordHasher } from './hashing.ts';
import { newPasswordSchema } from './policy.ts';
import { NO_PASSWORD_HASH } from './stored-hash.ts';

describe('argon2id password hashing', () => {
  it('hashes with argon2id at OWASP parameters and verifies', async () => {
    const hasher = await createPasswordHasher();
    const stored = await hasher.hash('correct horse battery staple');
    expect(stored).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
    expect(await hasher.verify(stored, 'correct horse battery staple')).toBe(true);
    expect(await hasher.verify(stored, 'correct horse battery stapler')).toBe(false);
    expect(hasher.needsRehash(stored)).toBe(false);
  });

  it('salts every hash', async () => {
    const hasher = await createPasswordHasher();
    expect(await hasher.hash('same password!')).not.toBe(await hasher.hash('same password!'));
  });

  it('flags hashes made with other parameters for rehash, and malformed hashes verify as false', async () => {
    const hasher = await createPasswordHasher();
    const older = await hash('a password here', { memoryCost: 19_456, timeCost: 3, parallelism: 1 });
    expect(parseOptions(older).timeCost).toBe(3);
    expect(hasher.needsRehash(older)).toBe(true);
    expect(await hasher.verify(older, 'a password here')).toBe(true);
    expect(await hasher.verify('not-a-hash', 'a password here')).toBe(false);
    expect(hasher.needsRehash('not-a-hash')).toBe(true);
  });

  it('refuses parameters below the OWASP minimum', async () => {
    await expect(createPasswordHasher({ ...OWASP_MINIMUM, memoryCost: 4096 })).rejects.toThrow(TypeError);
    await expect(createPasswordHasher({ ...OWASP_MINIMUM, timeCost: 1 })).rejects.toThrow(TypeError);
  });

  it('the dummy verification costs about as much as a real one (no user enumeration by timing)', async () => {
    const hasher = await createPasswordHasher();
    const stored = await hasher.hash('the real password');
    const time = async (fn: () => Promise<unknown>) => {
      const start = performance.now();
      for (let i = 0; i < 5; i++) await fn();
      return performance.now() - start;
    };
    await hasher.verifyDummy('warm up');
    const real = await time(() => hasher.verify(stored, 'a wrong password'));
    const dummy = await time(() => hasher.verifyDummy('a wrong password'));
    // Same argon2id parameters, so the same work: allow generous noise on a shared machine.
    expect(dummy / real).toBeGreaterThan(0.5);
    expect(dummy / real).toBeLessThan(2);
  });
  it('an imported account without a password, or a malformed hash, never verifies and costs as much as a wrong password', async () => {
    const hasher = await createPasswordHasher();
    const stored = await hasher.hash('the real password');
    expect(await hasher.verify(NO_PASSWORD_HASH, '')).toBe(false);
    expect(await hasher.verify(NO_PASSWORD_HASH, NO_PASSWORD_HASH)).toBe(false);
    expect(await hasher.verify('$2b$10$truncated', 'a wrong password')).toBe(false);
    const elapsed = async (fn: () => Promise<unknown>) => {
      const start = performance.now();
      await fn();
      return performance.now() - start;
    };
    // Interleaved, so that load from other test files falls on every kind alike; medians, so that
    // one run slowed by a neighbour does not decide.
    const runs = { real: [] as number[], none: [] as number[], malformed: [] as number[] };
    for (let i = 0; i < 9; i++) {
      runs.real.push(await elapsed(() => hasher.verify(stored, 'a wrong password')));
      runs.none.push(await elapsed(() => hasher.verify(NO_PASSWORD_HASH, 'a wrong password')));
      runs.malformed.push(await elapsed(() => hasher.verify('$2b$10$truncated', 'a wrong password')));
    }
    const median = (values: number[]) => [...values].sort((a, b) => a - b)[values.length >> 1]!;
    // The same argon2id work: allow generous noise on a shared machine.
    for (const ratio of [median(runs.none) / median(runs.real), median(runs.malformed) / median(runs.real)]) {
      expect(ratio).toBeGreaterThan(0.5);
      expect(ratio).toBeLessThan(2);
    }
  });
});

describe('password policy', () => {
  it.each([
    ['9 characters', 'x'.repeat(9), false],
    ['10 characters', 'x'.repeat(10), true],
    ['1024 bytes', 'x'.repeat(1024), true],
    ['1025 bytes', 'x'.repeat(1025), false],
    ['512 two-byte characters (1024 bytes)', 'é'.repeat(512), true],
    ['513 two-byte characters (1026 bytes)', 'é'.repeat(513), false],
    ['only spaces', ' '.repeat(12), false],
    ['5 emoji (10 UTF-16 units)', '🔑'.repeat(5), false],
    ['10 emoji', '🔑'.repeat(10), true],
  ])('%s -> %s', (_label, password, ok) => {
    expect(newPasswordSchema.safeParse(password).success).toBe(ok);
  });
});
