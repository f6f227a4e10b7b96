import { hash as argon2Hash } from '@node-rs/argon2';
import { hashSync as bcryptHash } from 'bcryptjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SigilError } from '../src/errors.ts';
import type { UserImportReport, UserImportSource } from '../src/sessions/import.ts';
import { startTestServer, request, type TestServer } from './helpers/auth-server.ts';
import { sharedMemoryPGlite, testDrivers, uniqueSchema, type TestDriver } from './support/database.ts';

// Published vectors (see src/passwords/imported-hashes.test.ts for their sources): Django's
// pbkdf2_sha256 test, passlib's $pbkdf2-sha256$, RFC 7914's scrypt, and the firebase/scrypt
// README's exported account with its project parameters.
const DJANGO = 'pbkdf2_sha256$10000$seasalt$CWWFdHOWwPnki7HvkcqN9iA2T3KLW1cf2uZ5kvArtVY=';
const PASSLIB_PBKDF2 = '$pbkdf2-sha256$1212$4vjV83LKPjQzk31VI4E0Vw$hsYF68OiOUPdDZ1Fg.fJPeq1h/gXXY7acBp9/6c.tmQ';
const RFC7914_SCRYPT =
  '$scrypt$ln=10,r=8,p=16$TmFDbA$/bq+HJ00cgB4VucZDQHp/nxq18vII3gw53N2Y0s3MWIurzDZLiKjiG/xCSedmDDaxyevuUqD7m2DYMvfoswGQA';
const FIREBASE_CONFIG_LINE = {
  firebase_hash_config: {
    algorithm: 'SCRYPT',
    base64_signer_key: 'jxspr8Ki0RYycVU8zykbdLGjFQ3McFUH0uiiTvC8pVMXAn210wjLNmdZJzxUECKbm0QsEmYUSDzZvpjeJ9WmXA==',
    base64_salt_separator: 'Bw==',
    rounds: 8,
    mem_cost: 14,
  },
};
const FIREBASE_FLAGS = {
  signerKey: FIREBASE_CONFIG_LINE.firebase_hash_config.base64_signer_key,
  saltSeparator: 'Bw==',
  rounds: 8,
  memCost: 14,
};
const FIREBASE_HASH = {
  algorithm: 'firebase-scrypt',
  hash: 'lSrfV15cpx95/sZS2W9c9Kp6i/LVgQNDNC/qzrCnh1SAyZvqmZqAjTdn3aoItz+VHjoZilo78198JAdRuid5lQ==',
  salt: '42xEC+ixf3L2lw==',
};

/** Lines as a file would give them, readable any number of times. */
function source(lines: Array<string | object>): UserImportSource {
  const text = lines.map((line) => (typeof line === 'string' ? line : JSON.stringify(line)));
  return {
    async *lines() {
      yield* text;
    },
  };
}

beforeAll(async () => {
  await sharedMemoryPGlite();
}, 120_000);

describe.each(testDrivers())('sigil users import on $name', (driver: TestDriver) => {
  let t: TestServer;
  let bcrypt: string;
  let argon2i: string;
  let argon2idCurrent: string;

  beforeAll(async () => {
    t = await startTestServer(driver.name === 'postgres' ? driver.configFor(uniqueSchema('imp')) : {});
    bcrypt = bcryptHash('bcrypt password', 4);
    argon2i = await argon2Hash('argon2i password', { algorithm: 1 });
    argon2idCurrent = await argon2Hash('argon2id password', { algorithm: 2, memoryCost: 19_456, timeCost: 2, parallelism: 1 });
  });
  afterAll(async () => {
    await t?.close();
  });

  async function storedHash(email: string): Promise<string | undefined> {
    const rows = await t.db.query<{ password_hash: string }>('SELECT password_hash FROM users WHERE email_normalized = $1', [
      email.toLowerCase(),
    ]);
    return rows[0]?.password_hash;
  }

  async function userCount(): Promise<number> {
    const rows = await t.db.query<{ n: number }>('SELECT count(*)::int AS n FROM users');
    return Number(rows[0]!.n);
  }

  async function login(email: string, password: string): Promise<number> {
    return (await request(`${t.url}/auth/login`, { body: { email, password } })).status;
  }

  function expectNoHash(report: UserImportReport, hashes: string[]): void {
    const text = JSON.stringify(report);
    for (const hash of hashes) expect(text).not.toContain(hash.slice(10, 30));
  }

  it('imports every format in one go; each account signs in with its old password over HTTP', async () => {
    const domain = `${driver.name}.formats.example`;
    const report = await t.server.service.importUsers(
      source([
        FIREBASE_CONFIG_LINE,
        { email: `bcrypt@${domain}`, name: 'Ada', roles: ['admin'], password_hash: bcrypt, created_at: '2019-05-01T10:00:00Z' },
        { email: `django@${domain}`, password_hash: DJANGO, email_verified: true },
        { email: `passlib@${domain}`, password_hash: PASSLIB_PBKDF2 },
        '',
        { email: `scrypt@${domain}`, password_hash: RFC7914_SCRYPT, email_verified: false },
        { email: `Firebase@${domain}`, password_hash: FIREBASE_HASH, email_verified: true },
        { email: `argon2i@${domain}`, password_hash: argon2i },
        { email: `argon2id@${domain}`, password_hash: argon2idCurrent },
        { email: `social@${domain}`, name: 'Only Google', password_hash: null },
      ]),
    );
    expect(report).toEqual({
      dryRun: false,
      users: 8,
      imported: 8,
      formats: { bcrypt: 1, 'pbkdf2-sha256': 2, scrypt: 1, 'firebase-scrypt': 1, argon2i: 1, argon2id: 1, none: 1 },
      emailVerified: 2,
      problems: [],
      problemCount: 0,
    });
    expectNoHash(report, [bcrypt, DJANGO, RFC7914_SCRYPT, FIREBASE_HASH.hash]);

    const ada = await t.server.service.findUserByEmail(`bcrypt@${domain}`);
    expect(ada).toMatchObject({ name: 'Ada', roles: ['admin'], disabled: false });
    expect(ada!.createdAt.toISOString()).toBe('2019-05-01T10:00:00.000Z');
    expect(await storedHash(`firebase@${domain}`)).toMatch(/^\$firebase-scrypt\$rounds=8,mem-cost=14,signer-key=/);

    expect(await login(`bcrypt@${domain}`, 'bcrypt password')).toBe(200);
    expect(await login(`django@${domain}`, 'lètmein')).toBe(200);
    expect(await login(`passlib@${domain}`, 'password')).toBe(200);
    expect(await login(`scrypt@${domain}`, 'password')).toBe(200);
    expect(await login(`firebase@${domain}`, 'user1password')).toBe(200);
    expect(await login(`argon2i@${domain}`, 'argon2i password')).toBe(200);
    expect(await login(`argon2id@${domain}`, 'argon2id password')).toBe(200);
    // Already argon2id with the current parameters: kept as it was.
    expect(await storedHash(`argon2id@${domain}`)).toBe(argon2idCurrent);
    // No password: nothing verifies, not even the stored marker itself.
    const marker = (await storedHash(`social@${domain}`))!;
    expect(await login(`social@${domain}`, marker)).toBe(401);
    expect(await login(`social@${domain}`, 'any password at all')).toBe(401);
  });

  it("an imported bcrypt user's first login rehashes with argon2id; the new hash signs them in", async () => {
    const email = `upgrade@${driver.name}.example`;
    await t.server.service.importUsers(source([{ email, password_hash: bcrypt }]));
    expect(await storedHash(email)).toBe(bcrypt);
    expect(await login(email, 'not the bcrypt password')).toBe(401);
    expect(await storedHash(email)).toBe(bcrypt);

    expect(await login(email, 'bcrypt password')).toBe(200);
    const upgraded = (await storedHash(email))!;
    expect(upgraded).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
    expect(t.logs.some((line) => line.event === 'password_rehash')).toBe(true);
    expect(await login(email, 'bcrypt password')).toBe(200);
    expect(await storedHash(email)).toBe(upgraded);
  });

  it('reports every bad line by number and why, and imports nothing, not even the good lines', async () => {
    const domain = `${driver.name}.bad.example`;
    await t.server.createUser({ email: `existing@${domain}`, password: 'an existing password' });
    const before = await userCount();
    const lines = [
      { email: `good@${domain}`, password_hash: bcrypt },
      '{"email": "broken@example.com", "password_hash": "$2b$10$',
      { email: 'not an email', password_hash: bcrypt },
      { email: `GOOD@${domain}` },
      { email: `Existing@${domain}` },
      { email: `md5@${domain}`, password_hash: '5f4dcc3b5aa765d61d8327deb882cf99' },
      { email: `cost@${domain}`, password_hash: `$2b$31$${bcrypt.slice(7)}` },
      { email: `firebase@${domain}`, password_hash: FIREBASE_HASH },
      { email: `typo@${domain}`, passwordHash: bcrypt },
      { email: `roles@${domain}`, roles: ['Admin'] },
      { email: `verified@${domain}`, email_verified: 'yes' },
      { email: `date@${domain}`, created_at: 'last tuesday' },
      '[1, 2]',
      FIREBASE_CONFIG_LINE,
      { email: `good2@${domain}`, password_hash: DJANGO },
    ];
    for (const dryRun of [false, true]) {
      const report = await t.server.service.importUsers(source(lines), { dryRun });
      expect(report.imported).toBe(0);
      expect(report.problems.map((problem) => problem.line)).toEqual([2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14]);
      expect(report.problemCount).toBe(13);
      const why = Object.fromEntries(report.problems.map((problem) => [problem.line, problem.message]));
      expect(why[2]).toBe('not valid JSON');
      expect(why[3]).toMatch(/^email: email must be a valid email address/);
      expect(why[4]).toBe(`email GOOD@${domain} is also on line 1`);
      expect(why[5]).toBe(`email Existing@${domain} already has an account`);
      expect(why[6]).toMatch(/^password_hash: unknown format/);
      expect(why[7]).toMatch(/^password_hash: bcrypt cost must be an integer from 4 to 15/);
      expect(why[8]).toMatch(/^password_hash: firebase-scrypt needs the project's hash parameters/);
      expect(why[9]).toMatch(/passwordHash/);
      expect(why[10]).toMatch(/^roles\.0: roles are lower-case words/);
      expect(why[11]).toMatch(/^email_verified: must be true or false/);
      expect(why[12]).toMatch(/^created_at: must be an ISO 8601 date-time/);
      expect(why[13]).toBe('not a JSON object');
      expect(why[14]).toBe('firebase_hash_config must be the first line');
      // The two good lines are counted, but not written.
      expect(report.users).toBe(2);
      expectNoHash(report, [bcrypt, DJANGO]);
      expect(await userCount()).toBe(before);
    }
  });

  it('--dry-run counts what it would import per format and writes nothing', async () => {
    const domain = `${driver.name}.dry.example`;
    const before = await userCount();
    const report = await t.server.service.importUsers(
      source([
        { email: `a@${domain}`, password_hash: bcrypt, email_verified: true },
        { email: `b@${domain}`, password_hash: bcrypt },
        { email: `c@${domain}`, password_hash: FIREBASE_HASH },
        { email: `d@${domain}` },
      ]),
      { dryRun: true, firebase: FIREBASE_FLAGS },
    );
    expect(report).toEqual({
      dryRun: true,
      users: 4,
      imported: 0,
      formats: { bcrypt: 2, 'firebase-scrypt': 1, none: 1 },
      emailVerified: 1,
      problems: [],
      problemCount: 0,
    });
    expect(await userCount()).toBe(before);
  });

  it('Firebase parameters from the options verify; given both in the file and as options, line 1 is refused', async () => {
    const email = `flags@${driver.name}.firebase.example`;
    const imported = await t.server.service.importUsers(source([{ email, password_hash: FIREBASE_HASH }]), { firebase: FIREBASE_FLAGS });
    expect(imported.imported).toBe(1);
    expect(await login(email, 'user1password')).toBe(200);

    const both = await t.server.service.importUsers(source([FIREBASE_CONFIG_LINE, { email: `both@${driver.name}.example` }]), {
      firebase: FIREBASE_FLAGS,
    });
    expect(both.problems).toEqual([{ line: 1, message: expect.stringMatching(/both here and on the command line/) }]);

    const wrong = await t.server.service
      .importUsers(source([]), { firebase: { ...FIREBASE_FLAGS, rounds: 0 } })
      .catch((error: unknown) => error);
    expect(wrong).toBeInstanceOf(SigilError);
    expect((wrong as SigilError).code).toBe('invalid_request');
    expect((wrong as SigilError).message).toMatch(/rounds/);
  });

  it('inserts a file larger than a batch in one transaction', async () => {
    const domain = `${driver.name}.many.example`;
    const before = await userCount();
    const lines = Array.from({ length: 1234 }, (_, i) => ({ email: `user${i}@${domain}`, password_hash: bcrypt }));
    const report = await t.server.service.importUsers(source(lines));
    expect(report.imported).toBe(1234);
    expect(await userCount()).toBe(before + 1234);
    expect(await login(`user1233@${domain}`, 'bcrypt password')).toBe(200);
  });

  // Registered for PostgreSQL only: PGlite runs one transaction at a time, so no signup can land
  // inside an import there.
  if (driver.name === 'postgres') {
    it('an email taken between the check and the insert rolls the whole import back', async () => {
      const domain = `${driver.name}.race.example`;
      const before = await userCount();
      const lines = Array.from({ length: 1100 }, (_, i) => ({ email: `user${i}@${domain}` }));
      let reads = 0;
      const racing: UserImportSource = {
        async *lines() {
          reads += 1;
          // Someone signs up with the 1 050th email after the check, before the third batch is inserted.
          if (reads === 2) await t.server.createUser({ email: `user1049@${domain}`, password: 'signed up meanwhile' });
          for (const line of lines) yield JSON.stringify(line);
        },
      };
      const error = await t.server.service.importUsers(racing).catch((thrown: unknown) => thrown);
      expect(error).toBeInstanceOf(SigilError);
      expect((error as SigilError).code).toBe('email_taken');
      // The first two batches were inserted, then rolled back: only the racing signup is there.
      expect(await userCount()).toBe(before + 1);
    });
  }

  it('a file that changes between the check and the insert is not imported', async () => {
    const domain = `${driver.name}.changed.example`;
    const before = await userCount();
    let reads = 0;
    const changing: UserImportSource = {
      async *lines() {
        reads += 1;
        yield JSON.stringify({ email: `first@${domain}` });
        yield JSON.stringify({ email: reads === 1 ? `second@${domain}` : `other@${domain}` });
      },
    };
    const error = await t.server.service.importUsers(changing).catch((thrown: unknown) => thrown);
    expect((error as SigilError).code).toBe('invalid_request');
    expect((error as SigilError).message).toMatch(/file changed/);
    expect(await userCount()).toBe(before);
  });

  it('lists the first 1000 bad lines and counts the rest', async () => {
    const lines = Array.from({ length: 1500 }, () => 'not json');
    const report = await t.server.service.importUsers(source(lines), { dryRun: true });
    expect(report.problemCount).toBe(1500);
    expect(report.problems).toHaveLength(1000);
    expect(report.problems.at(-1)!.line).toBe(1000);
  });
});
