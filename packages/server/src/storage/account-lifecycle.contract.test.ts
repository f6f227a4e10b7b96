/**
 * The storage contract of the account lifecycle (link tokens, verified addresses, email change,
 * deletion), run like storage.contract.test.ts against every driver this run has (PGlite always,
 * PostgreSQL when TEST_DATABASE_URL is set). Every test gets its own schema.
 */
import { createHash, randomUUID } from 'node:crypto';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { sharedMemoryPGlite, testDrivers, uniqueSchema, type TestDriver } from '../../test/support/database.ts';
import * as tokens from './account-tokens.ts';
import type { Database, Queryable } from './database.ts';
import { UniqueViolationError } from './errors.ts';
import * as sessions from './sessions.ts';
import * as users from './users.ts';

const T0 = new Date('2030-01-01T00:00:00.000Z');
const at = (seconds: number) => new Date(T0.getTime() + seconds * 1000);

beforeAll(async () => {
  await sharedMemoryPGlite();
}, 120_000);

describe.each(testDrivers())('account lifecycle storage on $name', (driver: TestDriver) => {
  const opened: Database[] = [];
  afterEach(async () => {
    await Promise.all(opened.splice(0).map((db) => db.close()));
  });

  async function open(): Promise<Database> {
    const db = await driver.open(uniqueSchema());
    opened.push(db);
    return db;
  }

  async function newUser(db: Queryable, email = `u${Math.random().toString(36).slice(2)}@example.test`) {
    return users.insertUser(db, { email, passwordHash: '$argon2id$test' }, T0);
  }

  const token = (db: Queryable, userId: string, purpose: tokens.AccountTokenPurpose = 'verify_email', ttlSeconds = 60) =>
    tokens.createAccountToken(db, { userId, purpose, email: 'to@example.test', ttlSeconds }, T0);

  describe('users', () => {
    it('starts unverified unless created verified; markEmailVerified keeps the first verification', async () => {
      const db = await open();
      const user = await newUser(db);
      expect(user).toMatchObject({ emailVerified: false, emailVerifiedAt: null });
      const seeded = await users.insertUser(db, { email: 'seeded@example.test', passwordHash: 'h', emailVerified: true }, T0);
      expect(seeded).toMatchObject({ emailVerified: true, emailVerifiedAt: T0 });

      expect(await users.markEmailVerified(db, user.id, at(5))).toBe(true);
      expect(await users.findUserById(db, user.id)).toMatchObject({ emailVerified: true, emailVerifiedAt: at(5) });
      await users.markEmailVerified(db, user.id, at(9));
      expect((await users.findUserById(db, user.id))!.emailVerifiedAt).toEqual(at(5));
      expect(await users.markEmailVerified(db, randomUUID(), at(9))).toBe(false);
    });

    it('changeEmail moves the account, verified from then, found by the new address only; a taken one is UniqueViolationError', async () => {
      const db = await open();
      const user = await newUser(db, 'old@example.test');
      await newUser(db, 'taken@example.test');
      const moved = await users.changeEmail(db, user.id, '  New@Example.TEST ', at(3));
      expect(moved).toMatchObject({
        id: user.id,
        email: 'New@Example.TEST',
        emailVerified: true,
        emailVerifiedAt: at(3),
        updatedAt: at(3),
      });
      expect(await users.findUserByEmail(db, 'new@example.test')).toEqual(moved);
      expect(await users.findUserByEmail(db, 'old@example.test')).toBeUndefined();
      await expect(users.changeEmail(db, user.id, 'TAKEN@example.test', at(4))).rejects.toBeInstanceOf(UniqueViolationError);
      expect(await users.changeEmail(db, randomUUID(), 'nobody@example.test', at(4))).toBeUndefined();
    });

    it('deleteUser erases the user with its sessions, refresh tokens and link tokens, and nobody else', async () => {
      const db = await open();
      const user = await newUser(db);
      const other = await newUser(db);
      for (const owner of [user, other]) {
        await sessions.insertSessionWithRefreshToken(
          db,
          { id: randomUUID(), userId: owner.id, userAgent: null, expiresAt: at(3600), amr: ['pwd'], authTime: T0 },
          { tokenHash: `hash-${owner.id}`, expiresAt: at(3600) },
          T0,
        );
        await token(db, owner.id);
      }
      expect(await users.deleteUser(db, user.id)).toBe(true);
      expect(await users.findUserById(db, user.id)).toBeUndefined();
      const rows = (sql: string) => db.query(sql, [user.id]);
      expect(await rows('SELECT 1 FROM sessions WHERE user_id = $1')).toEqual([]);
      expect(await rows(`SELECT 1 FROM refresh_tokens WHERE token_hash = 'hash-' || $1::text`)).toEqual([]);
      expect(await rows('SELECT 1 FROM account_tokens WHERE user_id = $1')).toEqual([]);
      expect(await sessions.listActiveSessions(db, other.id, T0)).toHaveLength(1);
      expect(await tokens.listAccountTokens(db, other.id)).toHaveLength(1);
      expect(await users.deleteUser(db, user.id)).toBe(false);
      expect(await users.deleteUser(db, 'not-a-uuid')).toBe(false);
    });

    it('imports keep email_verified', async () => {
      const db = await open();
      await db.transaction((tx) =>
        users.insertImportedUsers(
          tx,
          [
            { email: 'yes@example.test', passwordHash: 'h', createdAt: T0, emailVerifiedAt: at(1) },
            { email: 'no@example.test', passwordHash: 'h', createdAt: T0, emailVerifiedAt: null },
          ],
          at(1),
        ),
      );
      expect(await users.findUserByEmail(db, 'yes@example.test')).toMatchObject({ emailVerified: true, emailVerifiedAt: at(1) });
      expect(await users.findUserByEmail(db, 'no@example.test')).toMatchObject({ emailVerified: false });
    });
  });

  describe('link tokens', () => {
    it('creates a 256-bit token and stores only its SHA-256', async () => {
      const db = await open();
      const user = await newUser(db);
      const secret = await tokens.createAccountToken(
        db,
        { userId: user.id, purpose: 'password_reset', email: user.email, ttlSeconds: 1800 },
        T0,
      );
      expect(secret).toMatch(/^[A-Za-z0-9_-]{43}$/);
      expect(Buffer.from(secret, 'base64url')).toHaveLength(32);
      const rows = await db.query<Record<string, unknown>>('SELECT * FROM account_tokens');
      expect(rows).toHaveLength(1);
      expect(rows[0]!.token_hash).toBe(createHash('sha256').update(secret).digest('hex'));
      expect(JSON.stringify(rows)).not.toContain(secret);
      expect(await tokens.listAccountTokens(db, user.id)).toEqual([
        {
          tokenHash: rows[0]!.token_hash,
          userId: user.id,
          purpose: 'password_reset',
          email: user.email,
          createdAt: T0,
          expiresAt: at(1800),
          usedAt: null,
        },
      ]);
    });

    it('is used up once; a second use, another purpose, expiry, and malformed or unknown tokens get nothing', async () => {
      const db = await open();
      const user = await newUser(db);
      const secret = await token(db, user.id, 'verify_email', 60);
      expect(await tokens.consumeAccountToken(db, secret, ['password_reset'], at(1))).toBeUndefined();
      expect(await tokens.findUsableAccountToken(db, secret, ['verify_email'], at(1))).toMatchObject({ userId: user.id, usedAt: null });
      const used = await tokens.consumeAccountToken(db, secret, ['verify_email', 'email_change'], at(2));
      expect(used).toMatchObject({ userId: user.id, purpose: 'verify_email', usedAt: at(2) });
      expect(await tokens.consumeAccountToken(db, secret, ['verify_email'], at(3))).toBeUndefined();
      expect(await tokens.findUsableAccountToken(db, secret, ['verify_email'], at(3))).toBeUndefined();

      const expiring = await token(db, user.id, 'verify_email', 60);
      expect(await tokens.findUsableAccountToken(db, expiring, ['verify_email'], at(60))).toBeUndefined();
      expect(await tokens.consumeAccountToken(db, expiring, ['verify_email'], at(60))).toBeUndefined();
      expect(await tokens.consumeAccountToken(db, 'x'.repeat(43), ['verify_email'], T0)).toBeUndefined();
      expect(await tokens.consumeAccountToken(db, "' OR 1=1 --", ['verify_email'], T0)).toBeUndefined();
    });

    it('of concurrent uses of one token exactly one succeeds', async () => {
      const db = await open();
      const user = await newUser(db);
      const secret = await token(db, user.id, 'password_reset');
      const results = await Promise.all(
        Array.from({ length: 6 }, () => db.transaction((tx) => tokens.consumeAccountToken(tx, secret, ['password_reset'], at(1)))),
      );
      expect(results.filter(Boolean)).toHaveLength(1);
    });

    it("voids a user's unused tokens (all, or those of some purposes), and no one else's", async () => {
      const db = await open();
      const user = await newUser(db);
      const other = await newUser(db);
      const verify = await token(db, user.id, 'verify_email');
      const change = await token(db, user.id, 'email_change');
      const reset = await token(db, user.id, 'password_reset');
      const othersReset = await token(db, other.id, 'password_reset');
      expect(await tokens.voidAccountTokens(db, user.id, ['email_change'])).toBe(1);
      expect(await tokens.consumeAccountToken(db, change, ['email_change'], at(1))).toBeUndefined();
      expect(await tokens.voidAccountTokens(db, user.id)).toBe(2);
      expect(await tokens.consumeAccountToken(db, verify, ['verify_email'], at(1))).toBeUndefined();
      expect(await tokens.consumeAccountToken(db, reset, ['password_reset'], at(1))).toBeUndefined();
      expect(await tokens.consumeAccountToken(db, othersReset, ['password_reset'], at(1))).toBeDefined();
    });

    it('cleanup deletes tokens expired or used before the retention window only', async () => {
      const db = await open();
      const user = await newUser(db);
      await token(db, user.id, 'verify_email', 10); // expires at 10 s
      const used = await token(db, user.id, 'password_reset', 100_000);
      await tokens.consumeAccountToken(db, used, ['password_reset'], at(20));
      await token(db, user.id, 'email_change', 100_000); // live
      expect(await tokens.deleteExpiredAccountTokens(db, at(15), 60)).toBe(0);
      expect(await tokens.deleteExpiredAccountTokens(db, at(75), 60)).toBe(1);
      expect(await tokens.deleteExpiredAccountTokens(db, at(81), 60)).toBe(1);
      expect((await tokens.listAccountTokens(db, user.id)).map((t) => t.purpose)).toEqual(['email_change']);
    });
  });
});
