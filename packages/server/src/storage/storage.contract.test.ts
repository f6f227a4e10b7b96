import { randomUUID } from 'node:crypto';
/**
 * The storage contract: one suite, run against every driver this run has (PGlite always,
 * PostgreSQL when TEST_DATABASE_URL is set). Every test gets its own schema.
 */
import { startTcpProxy } from '../../test/support/tcp-proxy.ts';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  TEST_DATABASE_URL,
  dropSchema,
  sharedMemoryPGlite,
  testDrivers,
  uniqueSchema,
  type TestDriver,
} from '../../test/support/database.ts';
import { StorageUnavailableError } from '../errors.ts';
import { enqueueMail } from '../mail/outbox.ts';
import type { Database, Queryable } from './database.ts';
import { UniqueViolationError, translateDatabaseError } from './errors.ts';
import { getOrCreateMeta } from './meta.ts';
import { MIGRATIONS, migrate } from './migrations.ts';
import { openPostgres } from './postgres.ts';
import * as oauthClients from './oauth-clients.ts';
import * as oauthCodes from './oauth-codes.ts';
import * as sessions from './sessions.ts';
import * as outbox from './mail-outbox.ts';
import * as keys from './signing-keys.ts';
import * as users from './users.ts';

const T0 = new Date('2030-01-01T00:00:00.000Z');
const at = (seconds: number) => new Date(T0.getTime() + seconds * 1000);

// PGlite's first start (initdb) takes seconds, far more on a loaded machine: pay it here, once.
beforeAll(async () => {
  await sharedMemoryPGlite();
}, 120_000);

describe.each(testDrivers())('storage contract on $name', (driver: TestDriver) => {
  const opened: Database[] = [];
  afterEach(async () => {
    await Promise.all(opened.splice(0).map((db) => db.close()));
  });

  async function open(schema = uniqueSchema(), options?: { migrate?: boolean }): Promise<Database> {
    const db = await driver.open(schema, options);
    opened.push(db);
    return db;
  }

  async function newUser(db: Queryable, email = `u${Math.random().toString(36).slice(2)}@example.test`) {
    return users.insertUser(db, { email, passwordHash: '$argon2id$test' }, T0);
  }

  describe('migrations', () => {
    it('applies every migration once and is idempotent', async () => {
      const db = await open(uniqueSchema(), { migrate: false });
      expect(await migrate(db)).toEqual(MIGRATIONS.map((m) => m.version));
      expect(await migrate(db)).toEqual([]);
      const rows = await db.query<{ version: number }>('SELECT version FROM schema_migrations ORDER BY version');
      expect(rows.map((row) => Number(row.version))).toEqual(MIGRATIONS.map((m) => m.version));
      for (const table of ['sigil_meta', 'users', 'sessions', 'refresh_tokens', 'signing_keys']) {
        const found = await db.query('SELECT 1 FROM information_schema.tables WHERE table_schema = $1 AND table_name = $2', [
          db.schema,
          table,
        ]);
        expect(found, table).toHaveLength(1);
      }
    });

    it('migrates once when two instances start together on one new schema', async () => {
      const schema = uniqueSchema();
      // Two separate opens (two pools on PostgreSQL) racing on CREATE SCHEMA and on migrate().
      const [a, b] = await Promise.all([open(schema, { migrate: false }), open(schema, { migrate: false })]);
      const results = await Promise.all([migrate(a), migrate(b)]);
      expect(results.map((applied) => applied.length).sort()).toEqual([0, MIGRATIONS.length]);
      const rows = await a.query<{ n: number }>('SELECT count(*)::int AS n FROM schema_migrations');
      expect(rows[0]!.n).toBe(MIGRATIONS.length);
    });

    it('keeps schemas apart', async () => {
      const a = await open();
      const b = await open();
      await newUser(a, 'only-in-a@example.test');
      expect(await users.findUserByEmail(a, 'only-in-a@example.test')).toBeDefined();
      expect(await users.findUserByEmail(b, 'only-in-a@example.test')).toBeUndefined();
    });
  });

  it('close is idempotent, and a closed database is StorageUnavailableError (503 during shutdown)', async () => {
    const db = await driver.open(uniqueSchema());
    await db.ping();
    await Promise.all([db.close(), db.close()]);
    await db.close();
    await expect(db.ping()).rejects.toBeInstanceOf(StorageUnavailableError);
    await expect(users.listUsers(db)).rejects.toBeInstanceOf(StorageUnavailableError);
    await expect(db.transaction((tx) => users.listUsers(tx))).rejects.toBeInstanceOf(StorageUnavailableError);
  });

  describe('users', () => {
    it('inserts and finds by id and by email, case-insensitively', async () => {
      const db = await open();
      const user = await users.insertUser(
        db,
        { email: '  Ada.Lovelace@Example.TEST ', name: 'Ada', roles: ['admin'], passwordHash: '$argon2id$hash' },
        T0,
      );
      expect(user).toEqual({
        id: expect.stringMatching(/^[0-9a-f-]{36}$/),
        email: 'Ada.Lovelace@Example.TEST',
        name: 'Ada',
        roles: ['admin'],
        passwordHash: '$argon2id$hash',
        disabled: false,
        emailVerified: false,
        emailVerifiedAt: null,
        createdAt: T0,
        updatedAt: T0,
      });
      expect(await users.findUserByEmail(db, 'ada.lovelace@example.test')).toEqual(user);
      expect(await users.findUserByEmail(db, 'ADA.LOVELACE@EXAMPLE.TEST ')).toEqual(user);
      expect(await users.findUserById(db, user.id)).toEqual(user);
      expect(await users.findUserByEmail(db, 'nobody@example.test')).toBeUndefined();
      expect(await users.findUserById(db, '00000000-0000-4000-8000-000000000000')).toBeUndefined();
      expect(await users.findUserById(db, 'not-a-uuid')).toBeUndefined();
    });

    it('defaults name to null and roles to none', async () => {
      const db = await open();
      const user = await newUser(db);
      expect(user.name).toBeNull();
      expect(user.roles).toEqual([]);
    });

    it('refuses a second account for the same email in any case with UniqueViolationError', async () => {
      const db = await open();
      await newUser(db, 'taken@example.test');
      const error = await newUser(db, 'TAKEN@example.test').catch((e: unknown) => e);
      expect(error).toBeInstanceOf(UniqueViolationError);
      expect((error as UniqueViolationError).constraint).toMatch(/email_normalized/);
      expect(await users.listUsers(db)).toHaveLength(1);
    });

    it('refuses concurrent signups for one email: exactly one wins', async () => {
      const db = await open();
      const results = await Promise.allSettled(Array.from({ length: 5 }, () => newUser(db, 'race@example.test')));
      expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
      for (const r of results.filter((r) => r.status === 'rejected')) expect(r.reason).toBeInstanceOf(UniqueViolationError);
    });

    it('lists users oldest first with limit and offset', async () => {
      const db = await open();
      const created = [];
      for (let i = 0; i < 5; i++) created.push(await users.insertUser(db, { email: `list${i}@example.test`, passwordHash: 'h' }, at(i)));
      expect((await users.listUsers(db)).map((u) => u.email)).toEqual(created.map((u) => u.email));
      expect((await users.listUsers(db, { limit: 2, offset: 1 })).map((u) => u.email)).toEqual([
        'list1@example.test',
        'list2@example.test',
      ]);
      expect(await users.listUsers(db, { offset: 5 })).toEqual([]);
    });

    it('disables and re-enables an account', async () => {
      const db = await open();
      const user = await newUser(db);
      expect(await users.setUserDisabled(db, user.id, true, at(10))).toBe(true);
      expect(await users.findUserById(db, user.id)).toMatchObject({ disabled: true, updatedAt: at(10) });
      expect(await users.setUserDisabled(db, user.id, false, at(20))).toBe(true);
      expect(await users.findUserById(db, user.id)).toMatchObject({ disabled: false, updatedAt: at(20) });
      expect(await users.setUserDisabled(db, '00000000-0000-4000-8000-000000000000', true, at(30))).toBe(false);
    });

    it('replaces roles and the password hash', async () => {
      const db = await open();
      const user = await newUser(db);
      const other = await newUser(db);
      await users.setUserRoles(db, user.id, ['admin', 'editor'], at(5));
      await users.updatePasswordHash(db, user.id, '$argon2id$new', at(6));
      expect(await users.findUserById(db, user.id)).toMatchObject({
        roles: ['admin', 'editor'],
        passwordHash: '$argon2id$new',
        updatedAt: at(6),
        createdAt: T0,
      });
      await users.setUserRoles(db, user.id, [], at(7));
      expect((await users.findUserById(db, user.id))!.roles).toEqual([]);
      expect(await users.findUserById(db, other.id)).toEqual(other);
    });
  });

  describe('sessions and refresh tokens', () => {
    async function sessionWithToken(
      db: Database,
      userId: string,
      tokenHash: string,
      options: { expiresAt?: Date; tokenExpiresAt?: Date } = {},
    ) {
      return sessions.insertSessionWithRefreshToken(
        db,
        { id: randomUUID(), userId, userAgent: 'vitest', expiresAt: options.expiresAt ?? at(3600), amr: ['pwd'], authTime: T0 },
        { tokenHash, expiresAt: options.tokenExpiresAt ?? at(3600) },
        T0,
      );
    }

    it('inserts and finds a session', async () => {
      const db = await open();
      const user = await newUser(db);
      const id = randomUUID();
      const session = await sessions.insertSessionWithRefreshToken(
        db,
        { id, userId: user.id, userAgent: 'Firefox', expiresAt: at(60), amr: ['pwd', 'otp', 'mfa'], authTime: at(-5) },
        { tokenHash: 'h-find', expiresAt: at(60) },
        T0,
      );
      expect(session).toEqual({
        id,
        userId: user.id,
        createdAt: T0,
        lastUsedAt: T0,
        expiresAt: at(60),
        revokedAt: null,
        revokedReason: null,
        userAgent: 'Firefox',
        amr: ['pwd', 'otp', 'mfa'],
        authTime: at(-5),
        oauth: null,
      });
      expect(await sessions.findSession(db, session.id)).toEqual(session);
      expect(await sessions.findSession(db, 'nope')).toBeUndefined();
      expect(sessions.isSessionActive(session, at(59))).toBe(true);
      expect(sessions.isSessionActive(session, at(60))).toBe(false);
      await sessions.touchSession(db, session.id, at(30));
      expect((await sessions.findSession(db, session.id))!.lastUsedAt).toEqual(at(30));
    });

    it('inserts a session with its first refresh token in one statement, or neither', async () => {
      const db = await open();
      const user = await newUser(db);
      const id = randomUUID();
      const session = await sessions.insertSessionWithRefreshToken(
        db,
        { id, userId: user.id, userAgent: 'Safari', expiresAt: at(600), amr: ['pwd'], authTime: T0 },
        { tokenHash: 'h-first', expiresAt: at(60) },
        T0,
      );
      expect(session).toEqual({
        id,
        userId: user.id,
        createdAt: T0,
        lastUsedAt: T0,
        expiresAt: at(600),
        revokedAt: null,
        revokedReason: null,
        userAgent: 'Safari',
        amr: ['pwd'],
        authTime: T0,
        oauth: null,
      });
      expect(await sessions.findSession(db, id)).toEqual(session);
      expect(await sessions.findRefreshToken(db, 'h-first')).toEqual({
        tokenHash: 'h-first',
        sessionId: id,
        createdAt: T0,
        expiresAt: at(60),
        usedAt: null,
      });
      // A token hash that already exists fails the whole statement: no session without its token.
      const second = randomUUID();
      await expect(
        sessions.insertSessionWithRefreshToken(
          db,
          { id: second, userId: user.id, userAgent: null, expiresAt: at(600), amr: ['pwd'], authTime: T0 },
          { tokenHash: 'h-first', expiresAt: at(60) },
          T0,
        ),
      ).rejects.toThrow();
      expect(await sessions.findSession(db, second)).toBeUndefined();
    });

    it('lists only active sessions that hold a live unused refresh token, most recently used first', async () => {
      const db = await open();
      const user = await newUser(db);
      const other = await newUser(db);
      const older = await sessionWithToken(db, user.id, 'h-older');
      const newer = await sessionWithToken(db, user.id, 'h-newer');
      await sessions.touchSession(db, newer.id, at(5));
      const revoked = await sessionWithToken(db, user.id, 'h-revoked');
      await sessions.revokeSession(db, revoked.id, 'logout', at(1));
      await sessionWithToken(db, user.id, 'h-expired-session', { expiresAt: at(9) });
      await sessionWithToken(db, user.id, 'h-expired-token', { tokenExpiresAt: at(9) });
      const used = await sessionWithToken(db, user.id, 'h-used');
      await sessions.markRefreshTokenUsed(db, 'h-used', at(2));
      await sessionWithToken(db, other.id, 'h-other');

      const active = await sessions.listActiveSessions(db, user.id, at(10));
      expect(active.map((s) => s.id)).toEqual([newer.id, older.id]);

      // Rotation: the used token's successor makes that session listed again.
      await sessions.insertRefreshToken(db, { tokenHash: 'h-used-next', sessionId: used.id, expiresAt: at(3600) }, at(2));
      expect((await sessions.listActiveSessions(db, user.id, at(10))).map((s) => s.id)).toContain(used.id);
    });

    it('revokes one session once', async () => {
      const db = await open();
      const user = await newUser(db);
      const session = await sessionWithToken(db, user.id, 'h1');
      expect(await sessions.revokeSession(db, session.id, 'logout', at(1))).toBe(true);
      expect(await sessions.revokeSession(db, session.id, 'again', at(2))).toBe(false);
      expect(await sessions.findSession(db, session.id)).toMatchObject({ revokedAt: at(1), revokedReason: 'logout' });
      expect(await sessions.revokeSession(db, 'not-a-uuid', 'x', at(3))).toBe(false);
      expect(await sessions.revokeSession(db, '00000000-0000-4000-8000-000000000000', 'x', at(3))).toBe(false);
    });

    it("revokes all of a user's sessions but one, and only that user's", async () => {
      const db = await open();
      const user = await newUser(db);
      const other = await newUser(db);
      const keep = await sessionWithToken(db, user.id, 'h-keep');
      await sessionWithToken(db, user.id, 'h-a');
      await sessionWithToken(db, user.id, 'h-b');
      const alreadyRevoked = await sessionWithToken(db, user.id, 'h-c');
      await sessions.revokeSession(db, alreadyRevoked.id, 'logout', at(1));
      const others = await sessionWithToken(db, other.id, 'h-other');

      expect(await sessions.revokeUserSessions(db, user.id, 'password_changed', at(2), keep.id)).toBe(2);
      expect((await sessions.listActiveSessions(db, user.id, at(3))).map((s) => s.id)).toEqual([keep.id]);
      expect((await sessions.findSession(db, alreadyRevoked.id))!.revokedReason).toBe('logout');
      expect((await sessions.findSession(db, others.id))!.revokedAt).toBeNull();

      expect(await sessions.revokeUserSessions(db, user.id, 'disabled', at(4))).toBe(1);
      expect(await sessions.listActiveSessions(db, user.id, at(5))).toEqual([]);
    });

    it('inserts, finds, locks and marks refresh tokens used', async () => {
      const db = await open();
      const user = await newUser(db);
      const session = await sessionWithToken(db, user.id, 'hash-1');
      const expected = { tokenHash: 'hash-1', sessionId: session.id, createdAt: T0, expiresAt: at(3600), usedAt: null };
      expect(await sessions.findRefreshToken(db, 'hash-1')).toEqual(expected);
      expect(await db.transaction((tx) => sessions.lockRefreshToken(tx, 'hash-1'))).toEqual(expected);
      expect(await db.transaction((tx) => sessions.lockRefreshToken(tx, 'unknown'))).toBeUndefined();
      expect(await sessions.findRefreshToken(db, 'unknown')).toBeUndefined();
      await sessions.markRefreshTokenUsed(db, 'hash-1', at(7));
      expect(await sessions.findRefreshToken(db, 'hash-1')).toEqual({ ...expected, usedAt: at(7) });
      const duplicate = await sessions
        .insertRefreshToken(db, { tokenHash: 'hash-1', sessionId: session.id, expiresAt: at(1) }, T0)
        .catch((e: unknown) => e);
      expect(duplicate).toBeInstanceOf(UniqueViolationError);
    });

    it('serializes two transactions locking one refresh token: the second sees the first rotation', async () => {
      const db = await open();
      const user = await newUser(db);
      await sessionWithToken(db, user.id, 'contended');
      const order: string[] = [];
      let firstLocked!: () => void;
      const locked = new Promise<void>((resolve) => (firstLocked = resolve));

      const first = db.transaction(async (tx) => {
        const token = await sessions.lockRefreshToken(tx, 'contended');
        order.push('first locked');
        firstLocked();
        await sleep(150); // the second transaction tries to lock meanwhile
        await sessions.markRefreshTokenUsed(tx, 'contended', at(1));
        order.push('first marked used');
        return token;
      });
      await locked;
      const second = db.transaction(async (tx) => {
        const token = await sessions.lockRefreshToken(tx, 'contended');
        order.push('second locked');
        return token;
      });
      const [seenByFirst, seenBySecond] = await Promise.all([first, second]);
      expect(seenByFirst!.usedAt).toBeNull();
      expect(seenBySecond!.usedAt).toEqual(at(1));
      expect(order).toEqual(['first locked', 'first marked used', 'second locked']);
    });

    it('deletes sessions ended before the retention window and expired refresh tokens', async () => {
      const db = await open();
      const user = await newUser(db);
      const now = at(10_000);
      const retention = 100; // cutoff = at(9_900)
      const live = await sessionWithToken(db, user.id, 'h-live', { expiresAt: at(20_000), tokenExpiresAt: at(20_000) });
      await sessions.insertRefreshToken(db, { tokenHash: 'h-live-old', sessionId: live.id, expiresAt: at(9_000) }, T0);
      const longExpired = await sessionWithToken(db, user.id, 'h-long-expired', { expiresAt: at(9_000), tokenExpiresAt: at(9_000) });
      const justExpired = await sessionWithToken(db, user.id, 'h-just-expired', { expiresAt: at(9_950), tokenExpiresAt: at(9_950) });
      const longRevoked = await sessionWithToken(db, user.id, 'h-long-revoked', { expiresAt: at(20_000), tokenExpiresAt: at(20_000) });
      await sessions.revokeSession(db, longRevoked.id, 'logout', at(5_000));
      const justRevoked = await sessionWithToken(db, user.id, 'h-just-revoked', { expiresAt: at(20_000), tokenExpiresAt: at(20_000) });
      await sessions.revokeSession(db, justRevoked.id, 'logout', at(9_990));

      expect(await sessions.deleteExpiredSessions(db, now, retention)).toBe(2);
      expect(await sessions.findSession(db, longExpired.id)).toBeUndefined();
      expect(await sessions.findSession(db, longRevoked.id)).toBeUndefined();
      for (const kept of [live, justExpired, justRevoked]) expect(await sessions.findSession(db, kept.id)).toBeDefined();
      expect(await sessions.findRefreshToken(db, 'h-long-revoked')).toBeUndefined(); // cascaded
      expect(await sessions.findRefreshToken(db, 'h-live-old')).toBeUndefined(); // expired
      expect(await sessions.findRefreshToken(db, 'h-live')).toBeDefined();
      expect(await sessions.findRefreshToken(db, 'h-just-expired')).toBeDefined(); // reuse still detectable
      expect(await sessions.deleteExpiredSessions(db, now, retention)).toBe(0);
    });
  });

  describe('OAuth clients, codes and consents', () => {
    const client = (clientId: string): oauthClients.NewOAuthClient => ({
      clientId,
      name: 'App',
      secretHash: null,
      redirectUris: ['https://app.example/cb'],
      postLogoutRedirectUris: [],
      resources: ['https://api.example'],
      scopes: ['lessons:read'],
      firstParty: false,
    });
    const newSession = async (db: Queryable, userId: string) => {
      const id = randomUUID();
      await sessions.insertSessionWithRefreshToken(
        db,
        { id, userId, userAgent: null, expiresAt: at(600), amr: ['pwd'], authTime: T0 },
        { tokenHash: `rt-${id}`, expiresAt: at(600) },
        T0,
      );
      return id;
    };

    it('stores a client once; deleting it deletes its sessions', async () => {
      const db = await open();
      const user = await newUser(db);
      const id = `c-${randomUUID()}`;
      expect(await oauthClients.insertClient(db, client(id), T0)).toEqual({ ...client(id), createdAt: T0 });
      expect(await oauthClients.insertClient(db, client(id), T0)).toBeUndefined();
      const sessionId = await newSession(db, user.id);
      await sessions.grantSessionToClient(db, sessionId, { clientId: id, scope: 'openid', resource: 'https://api.example' });
      expect((await sessions.findSession(db, sessionId))!.oauth).toEqual({ clientId: id, scope: 'openid', resource: 'https://api.example' });
      // The login's first refresh token was never handed out: granting drops it.
      expect(await sessions.findRefreshToken(db, `rt-${sessionId}`)).toBeUndefined();
      expect(await oauthClients.deleteClient(db, id)).toBe(true);
      expect(await sessions.findSession(db, sessionId)).toBeUndefined();
      expect(await oauthClients.deleteClient(db, id)).toBe(false);
    });

    it('a consent token releases its code once; codes lock for a single exchange', async () => {
      const db = await open();
      const user = await newUser(db);
      const id = `c-${randomUUID()}`;
      await oauthClients.insertClient(db, client(id), T0);
      const sessionId = await newSession(db, user.id);
      const code = {
        clientId: id,
        sessionId,
        redirectUri: 'https://app.example/cb',
        codeChallenge: 'x'.repeat(43),
        scope: 'openid',
        nonce: null,
        resource: 'sigil',
      };
      await oauthCodes.insertCode(db, { ...code, codeHash: `placeholder-${id}`, consentHash: `consent-${id}`, expiresAt: at(600) }, T0);
      expect(await oauthCodes.findPendingConsent(db, `consent-${id}`, at(1))).toMatchObject({ consentHash: `consent-${id}` });
      const approved = await oauthCodes.approveConsent(db, `consent-${id}`, { codeHash: `code-${id}`, expiresAt: at(61) }, at(1));
      expect(approved).toMatchObject({ codeHash: `code-${id}`, consentHash: null, expiresAt: at(61) });
      expect(await oauthCodes.approveConsent(db, `consent-${id}`, { codeHash: `again-${id}`, expiresAt: at(61) }, at(2))).toBeUndefined();
      await db.transaction(async (tx) => {
        const locked = await oauthCodes.lockCode(tx, `code-${id}`);
        expect(locked?.usedAt).toBeNull();
        await oauthCodes.markCodeUsed(tx, `code-${id}`, at(3));
      });
      expect((await db.transaction((tx) => oauthCodes.lockCode(tx, `code-${id}`)))?.usedAt).toEqual(at(3));
      await oauthCodes.saveConsent(db, user.id, id, 'openid email', T0);
      expect(await oauthCodes.findConsent(db, user.id, id)).toBe('openid email');
      expect(await oauthCodes.deleteExpiredCodes(db, at(61 + 3600), 3600)).toBeGreaterThanOrEqual(0);
    });
  });

  describe('signing keys', () => {
    const jwk = { kty: 'OKP', crv: 'Ed25519', x: 'l8HhzFDhkR2Nn_IKYvHkaNGaZyCoJgkJ8Q4nnu1Ba3E', kid: 'k1', alg: 'EdDSA', use: 'sig' };
    const key = (kid: string, activates: number, publicJwk: typeof jwk | null = { ...jwk, kid }) => ({
      kid,
      alg: publicJwk ? 'EdDSA' : 'HS256',
      publicJwk,
      privateKey: `private-${kid}`,
      encrypted: kid.endsWith('e'),
      createdAt: at(activates - 10),
      activatesAt: at(activates),
    });

    it('inserts and lists keys in activation order, round-tripping the public JWK', async () => {
      const db = await open();
      await keys.insertSigningKey(db, key('k2', 200));
      await keys.insertSigningKey(db, key('k1e', 100));
      await keys.insertSigningKey(db, key('hs', 300, null));
      const listed = await keys.listSigningKeys(db);
      expect(listed.map((k) => k.kid)).toEqual(['k1e', 'k2', 'hs']);
      expect(listed[0]).toEqual({ ...key('k1e', 100), retiredAt: null, revokedAt: null });
      expect(listed[2]!.publicJwk).toBeNull();
      await expect(keys.insertSigningKey(db, key('k2', 400))).rejects.toBeInstanceOf(UniqueViolationError);
    });

    it('retires the listed keys once, revokes, and deletes keys ended before a cutoff', async () => {
      const db = await open();
      for (const [kid, activates] of [
        ['a', 100],
        ['b', 200],
        ['c', 300],
        ['d', 400],
      ] as const) {
        await keys.insertSigningKey(db, key(kid, activates));
      }
      await keys.retireSigningKeys(db, [], at(1));
      await keys.retireSigningKeys(db, ['a', 'b'], at(500));
      await keys.retireSigningKeys(db, ['a'], at(600)); // already retired: unchanged
      expect(await keys.revokeSigningKey(db, 'c', at(550))).toBe(true);
      expect(await keys.revokeSigningKey(db, 'c', at(560))).toBe(false);
      expect(await keys.revokeSigningKey(db, 'missing', at(560))).toBe(false);

      const published = await keys.listSigningKeys(db);
      expect(published.map((k) => [k.kid, k.retiredAt])).toEqual([
        ['a', at(500)],
        ['b', at(500)],
        ['d', null],
      ]);
      const all = await keys.listSigningKeys(db, { includeRevoked: true });
      expect(all.find((k) => k.kid === 'c')!.revokedAt).toEqual(at(550));

      expect(await keys.deleteRetiredSigningKeys(db, at(500))).toBe(0); // strictly before the cutoff
      expect(await keys.deleteRetiredSigningKeys(db, at(555))).toBe(3);
      expect((await keys.listSigningKeys(db, { includeRevoked: true })).map((k) => k.kid)).toEqual(['d']);
    });
  });

  describe('meta, locks and transactions', () => {
    it('getOrCreateMeta creates once and returns the same value to concurrent callers', async () => {
      const schema = uniqueSchema();
      const a = await open(schema);
      const b = await open(schema);
      let n = 0;
      const values = await Promise.all(
        Array.from({ length: 12 }, (_, i) => getOrCreateMeta(i % 2 ? a : b, 'instance-secret', () => `value-${n++}`)),
      );
      expect(new Set(values).size).toBe(1);
      expect(await getOrCreateMeta(a, 'instance-secret', () => 'late')).toBe(values[0]);
      expect(await getOrCreateMeta(a, 'other', () => 'other-value')).toBe('other-value');
    });

    it('withLock never lets two holders of one lock overlap, across instances', async () => {
      const schema = uniqueSchema();
      const a = await open(schema);
      const b = await open(schema);
      let inside = 0;
      let maxInside = 0;
      const events: string[] = [];
      const hold = (db: Database, who: string) =>
        db.withLock('rotate', async (tx) => {
          inside++;
          maxInside = Math.max(maxInside, inside);
          events.push(`${who} in`);
          await tx.query('SELECT 1');
          await sleep(40);
          events.push(`${who} out`);
          inside--;
          return who;
        });
      expect(await Promise.all([hold(a, 'a1'), hold(b, 'b1'), hold(a, 'a2'), hold(b, 'b2')])).toEqual(['a1', 'b1', 'a2', 'b2']);
      expect(maxInside).toBe(1);
      for (let i = 0; i < events.length; i += 2) expect(events[i + 1]).toBe(events[i]!.replace(' in', ' out'));
    });

    it('transaction commits on resolve and rolls back everything on throw', async () => {
      const db = await open();
      const committed = await db.transaction(async (tx) => (await newUser(tx, 'kept@example.test')).id);
      expect(await users.findUserById(db, committed)).toBeDefined();

      const boom = new Error('boom');
      await expect(
        db.transaction(async (tx) => {
          await newUser(tx, 'rolled-back@example.test');
          throw boom;
        }),
      ).rejects.toBe(boom);
      expect(await users.findUserByEmail(db, 'rolled-back@example.test')).toBeUndefined();

      // A failing statement aborts the whole transaction and surfaces as the storage error.
      await expect(
        db.transaction(async (tx) => {
          await newUser(tx, 'first@example.test');
          await newUser(tx, 'kept@example.test');
        }),
      ).rejects.toBeInstanceOf(UniqueViolationError);
      expect(await users.findUserByEmail(db, 'first@example.test')).toBeUndefined();
      // ...and leaves the database usable.
      expect(await newUser(db, 'after@example.test')).toBeDefined();
    });

    it('a statement outside a transaction is never swept into a concurrent one that rolls back', async () => {
      const db = await open();
      let inside!: () => void;
      const started = new Promise<void>((resolve) => (inside = resolve));
      const failing = db.transaction(async (tx) => {
        await newUser(tx, 'in-tx@example.test');
        inside();
        await sleep(100);
        throw new Error('rollback');
      });
      await started;
      const outside = newUser(db, 'outside@example.test');
      await expect(failing).rejects.toThrow('rollback');
      await outside;
      expect(await users.findUserByEmail(db, 'outside@example.test')).toBeDefined();
      expect(await users.findUserByEmail(db, 'in-tx@example.test')).toBeUndefined();
    });
  });

  describe('mail outbox', () => {
    const mail = (to: string) => ({ to, template: 'password_changed' as const, data: {} });

    it('claims due mail under a lease, skipping rows another transaction holds', async () => {
      const db = await open();
      const first = await enqueueMail(db, mail('a@example.test'), T0);
      const second = await enqueueMail(db, mail('b@example.test'), at(1));
      await enqueueMail(db, mail('later@example.test'), at(3600));

      let release!: () => void;
      const gate = new Promise<void>((resolve) => (release = resolve));
      let held: string[] = [];
      let claimedHeld!: () => void;
      const heldClaim = new Promise<void>((resolve) => (claimedHeld = resolve));
      const holder = db.transaction(async (tx) => {
        held = (await outbox.claimDueMail(tx, at(10), at(70), 1)).map((row) => row.id);
        claimedHeld();
        await gate;
      });
      await heldClaim;
      // PostgreSQL answers at once, skipping the locked row; PGlite (one connection) after the holder commits.
      const other = db.transaction((tx) => outbox.claimDueMail(tx, at(10), at(70), 5));
      if (driver.name === 'postgres') {
        const rows = await other;
        release();
        await holder;
        expect(rows.map((row) => row.id)).toEqual([second]);
      } else {
        release();
        await holder;
        expect((await other).map((row) => row.id)).toEqual([second]);
      }
      expect(held).toEqual([first]);
      const leased = (await outbox.findMail(db, first))!;
      expect(leased).toMatchObject({ status: 'pending', attempts: 1, leaseUntil: at(70) });
      // Leased rows are not due again until the lease runs out; the later row not before its time.
      expect(await db.transaction((tx) => outbox.claimDueMail(tx, at(69), at(200), 5))).toEqual([]);
      expect((await db.transaction((tx) => outbox.claimDueMail(tx, at(70), at(200), 5))).map((row) => row.attempts)).toEqual([2, 2]);
    });

    it('records sent (emptying data), failed attempts of the current attempt only, and requeues dead mail', async () => {
      const db = await open();
      const id = await enqueueMail(db, { to: 'c@example.test', template: 'verify_email', data: { link: 'https://x.test/?token=t' } }, T0);
      const [row] = await db.transaction((tx) => outbox.claimDueMail(tx, T0, at(60), 5));
      // A stale attempt number changes nothing.
      await outbox.markMailAttemptFailed(db, id, { attempt: 7, error: 'stale', nextAttemptAt: at(5), dead: true });
      expect(await outbox.findMail(db, id)).toMatchObject({ status: 'pending', lastError: null });
      await outbox.markMailAttemptFailed(db, id, { attempt: row!.attempts, error: '550 no', nextAttemptAt: at(5), dead: true });
      expect(await outbox.findMail(db, id)).toMatchObject({ status: 'failed', lastError: '550 no', leaseUntil: null });
      expect((await outbox.listMail(db, { statuses: ['failed'] })).map((r) => r.id)).toEqual([id]);
      expect(await outbox.requeueFailedMail(db, id, at(100))).toBe(true);
      expect(await outbox.requeueFailedMail(db, id, at(100))).toBe(false);
      expect(await outbox.findMail(db, id)).toMatchObject({ status: 'pending', attempts: 0, nextAttemptAt: at(100) });
      await outbox.markMailSent(db, id, '<id@x.test>', at(101), true);
      expect(await outbox.findMail(db, id)).toMatchObject({ status: 'sent', data: {}, messageId: '<id@x.test>', sentAt: at(101) });
    });

    it('deletes sent and skipped mail past the retention, never pending or dead mail', async () => {
      const db = await open();
      const sent = await enqueueMail(db, mail('sent@example.test'), T0);
      const skipped = await enqueueMail(db, mail('skipped@example.test'), T0);
      const dead = await enqueueMail(db, mail('dead@example.test'), T0);
      const pending = await enqueueMail(db, mail('pending@example.test'), T0);
      const recent = await enqueueMail(db, mail('recent@example.test'), T0);
      const claimed = await db.transaction((tx) => outbox.claimDueMail(tx, T0, at(60), 10));
      await outbox.markMailSent(db, sent, '<sent@x.test>', at(1), true);
      await outbox.markMailSkipped(db, skipped, at(1));
      const deadAttempt = claimed.find((row) => row.id === dead)!.attempts;
      await outbox.markMailAttemptFailed(db, dead, { attempt: deadAttempt, error: '550', nextAttemptAt: at(1), dead: true });
      await outbox.markMailSent(db, recent, '<recent@x.test>', at(500), true);

      expect(await outbox.deleteFinishedMail(db, at(1000), 900)).toBe(2);
      for (const id of [sent, skipped]) expect(await outbox.findMail(db, id)).toBeUndefined();
      for (const id of [dead, pending, recent]) expect(await outbox.findMail(db, id)).toBeDefined();
    });
  });
});

describe('storage errors', () => {
  it('an unreachable PostgreSQL server is StorageUnavailableError', async () => {
    const error = await openPostgres({ connectionString: 'postgres://postgres@127.0.0.1:1/test', schema: uniqueSchema() }).then(
      async (db) => {
        await db.close();
        return undefined;
      },
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(StorageUnavailableError);
    expect((error as StorageUnavailableError).code).toBe('unavailable');
  });

  it('translateDatabaseError maps SQLSTATEs and connection failures, and passes others through', () => {
    expect(translateDatabaseError({ code: '23505', constraint: 'users_email_normalized_key' })).toBeInstanceOf(UniqueViolationError);
    for (const code of ['57P01', '57P03', '08006', '08001', '53300', 'ECONNREFUSED', 'ECONNRESET', 'ENOTFOUND', 'EAI_AGAIN']) {
      expect(translateDatabaseError(Object.assign(new Error('x'), { code })), code).toBeInstanceOf(StorageUnavailableError);
    }
    expect(translateDatabaseError(new Error('Connection terminated unexpectedly'))).toBeInstanceOf(StorageUnavailableError);
    expect(translateDatabaseError(new Error('Query read timeout'))).toBeInstanceOf(StorageUnavailableError);
    const syntax = Object.assign(new Error('syntax error'), { code: '42601' });
    expect(translateDatabaseError(syntax)).toBe(syntax);
    expect(translateDatabaseError('text')).toBe('text');
  });
});

// Registered only when TEST_DATABASE_URL is set (nothing shows as skipped without it).
describe.each(testDrivers().filter((driver) => driver.name === 'postgres'))('PostgreSQL outage on $name', () => {
  it('a server that stops answering is StorageUnavailableError, and the pool recovers when it is back', async () => {
    const target = new URL(TEST_DATABASE_URL!);
    let proxy = await startTcpProxy(target);
    const schema = uniqueSchema();
    const url = new URL(TEST_DATABASE_URL!);
    url.host = `127.0.0.1:${proxy.port}`;
    const db = await openPostgres({ connectionString: url.href, schema, maxConnections: 2 });
    try {
      await migrate(db);
      await users.insertUser(db, { email: 'before-outage@example.test', passwordHash: 'h' }, T0);
      await proxy.stop();
      await expect(db.ping()).rejects.toBeInstanceOf(StorageUnavailableError);
      await expect(users.listUsers(db)).rejects.toBeInstanceOf(StorageUnavailableError);
      await expect(db.transaction((tx) => users.listUsers(tx))).rejects.toBeInstanceOf(StorageUnavailableError);

      proxy = await startTcpProxy(target, proxy.port);
      await db.ping();
      expect(await users.listUsers(db)).toHaveLength(1);
    } finally {
      await db.close();
      await proxy.stop();
      await dropSchema(schema);
    }
  });
});
