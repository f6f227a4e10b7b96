import { calculateJwkThumbprint, decodeProtectedHeader, jwtVerify, SignJWT } from 'jose';
import { describe, expect, it } from 'vitest';
import { ConfigError, type SigningAlgorithm } from '../config.ts';
import { SigilError } from '../errors.ts';
import { createLogger } from '../logger.ts';
import { openDatabase, type Database } from '../storage/index.ts';
import { createKeyManager, sharedSecretKid, type KeyManager } from './index.ts';
import { captureLogger, manualClock, randomSchema, signWith, testConfig, useKeysDatabase, verifyWithJwks } from './test-support.ts';

const logger = createLogger({ level: 'silent' });
const KEY_SECRET = 'k'.repeat(8) + 'correct horse battery staple 0123456789';
let db: Database;

useKeysDatabase((opened) => (db = opened));

interface Row {
  kid: string;
  alg: string;
  private_key: string;
  encrypted: boolean;
  public_jwk: unknown;
}
const rows = () => db.query<Row>('SELECT kid, alg, private_key, encrypted, public_jwk FROM signing_keys ORDER BY created_at');

describe.each(['RS256', 'ES256', 'EdDSA'] as const)('%s keys', (alg) => {
  it('creates one active key that signs tokens verified by the published JWKS', async () => {
    const clock = manualClock();
    const keys = await createKeyManager({ db, config: testConfig({ alg, keySecret: KEY_SECRET }), logger, now: clock.now });
    expect(keys.mode).toBe('keys');

    const signing = await keys.signingKey();
    expect(signing.alg).toBe(alg);
    const token = await signWith(keys, clock.now());
    expect(decodeProtectedHeader(token)).toEqual({ alg, kid: signing.kid, typ: 'at+jwt' });

    const jwks = await keys.jwks();
    expect(jwks.keys).toHaveLength(1);
    const [jwk] = jwks.keys;
    expect(jwk).toMatchObject({ kid: signing.kid, alg, use: 'sig' });
    expect(await calculateJwkThumbprint(jwk!, 'sha256')).toBe(signing.kid);
    const privateMembers = ['d', 'p', 'q', 'dp', 'dq', 'qi', 'k', 'oth'];
    for (const member of privateMembers) expect(jwk).not.toHaveProperty(member);
    if (alg === 'RS256') expect(Buffer.from(jwk!.n!, 'base64url').length * 8).toBe(2048);
    if (alg === 'ES256') expect(jwk!.crv).toBe('P-256');
    if (alg === 'EdDSA') expect(jwk!.crv).toBe('Ed25519');

    const { payload } = await verifyWithJwks(token, jwks, clock.now());
    expect(payload.sub).toBe('user-1');
    const verificationKey = await keys.verificationKey(signing.kid);
    expect(verificationKey).toBeDefined();
    await expect(jwtVerify(token, verificationKey!, { currentDate: clock.now() })).resolves.toBeDefined();
    expect(await keys.verificationKey(signing.kid, alg === 'RS256' ? 'ES256' : 'RS256')).toBeUndefined();
    expect(await keys.verificationKey('no-such-kid')).toBeUndefined();

    const stored = await rows();
    expect(stored.map((row) => [row.kid, row.alg])).toEqual([[signing.kid, alg]]);
    const [info] = await keys.list();
    expect(info).toEqual({
      kid: signing.kid,
      alg,
      state: 'active',
      createdAt: clock.now(),
      activatesAt: clock.now(),
      retiredAt: null,
      revokedAt: null,
      publishedUntil: null,
    });
  });
});

describe('private keys at rest', () => {
  it('stores a compact JWE without the private key in clear when SIGIL_KEY_SECRET is set', async () => {
    const keys = await createKeyManager({ db, config: testConfig({ keySecret: KEY_SECRET }), logger });
    const [row] = await rows();
    expect(row!.encrypted).toBe(true);
    expect(row!.private_key.split('.')).toHaveLength(5);
    expect(decodeProtectedHeader(row!.private_key)).toMatchObject({ alg: 'dir', enc: 'A256GCM', kid: row!.kid });
    expect(row!.private_key).not.toMatch(/"d"|"p"|"q"/);
    expect(Buffer.from(row!.private_key.split('.')[3]!, 'base64url').toString('latin1')).not.toContain('"d"');
    expect(JSON.stringify(row!.public_jwk)).not.toMatch(/"d"/);
    // A second instance with the same secret reads the key and signs with it.
    const again = await createKeyManager({ db, config: testConfig({ keySecret: KEY_SECRET }), logger });
    expect((await again.signingKey()).kid).toBe((await keys.signingKey()).kid);
    expect(await rows()).toHaveLength(1);
  });

  it('stops startup with one clear line when the secret is wrong or missing, without key material', async () => {
    await createKeyManager({ db, config: testConfig({ keySecret: KEY_SECRET }), logger });
    const [row] = await rows();

    const wrong = createKeyManager({ db, config: testConfig({ keySecret: 'another secret that is long enough 0123456789' }), logger });
    const error = await wrong.then(
      () => undefined,
      (caught: unknown) => caught,
    );
    expect(error).toBeInstanceOf(ConfigError);
    const message = (error as Error).message;
    expect(message).toBe(`SIGIL_KEY_SECRET cannot decrypt signing key ${row!.kid}: it differs from the secret the key was stored with`);
    expect(message).not.toContain('\n');
    expect(message).not.toContain(row!.private_key.split('.')[3]!.slice(0, 12));

    await expect(createKeyManager({ db, config: testConfig({}), logger })).rejects.toThrow(
      new ConfigError(`SIGIL_KEY_SECRET is not set, but signing key ${row!.kid} is stored encrypted: set the secret it was stored with`),
    );
    // Nothing was written by the failed starts.
    expect(await rows()).toHaveLength(1);
  });

  it('stores plain JWK JSON without a secret and warns once at startup', async () => {
    const { logger: capturing, lines } = captureLogger();
    const keys = await createKeyManager({ db, config: testConfig({}), logger: capturing });
    await keys.signingKey();
    await keys.jwks();
    const [row] = await rows();
    expect(row!.encrypted).toBe(false);
    expect(JSON.parse(row!.private_key)).toHaveProperty('d');
    const warnings = lines().filter((line) => line.includes('SIGIL_KEY_SECRET is not set'));
    expect(warnings).toHaveLength(1);
    expect(JSON.parse(warnings[0]!).level).toBe(40);
    // The log never carries the private key.
    expect(lines().join('\n')).not.toContain(JSON.parse(row!.private_key).d);
  });

  it('keeps using a key stored before the secret was set, and says how to replace it', async () => {
    const first = await createKeyManager({ db, config: testConfig({}), logger });
    const kid = (await first.signingKey()).kid;
    const { logger: capturing, lines } = captureLogger();
    const keys = await createKeyManager({ db, config: testConfig({ keySecret: KEY_SECRET }), logger: capturing });
    expect((await keys.signingKey()).kid).toBe(kid);
    await keys.reload();
    const warnings = lines().filter((line) => line.includes('not encrypted'));
    expect(warnings).toHaveLength(1);
    expect(JSON.parse(warnings[0]!)).toMatchObject({ kid, level: 40 });
    // New keys are encrypted.
    const next = await keys.rotate();
    const [row] = await db.query<Row>('SELECT encrypted FROM signing_keys WHERE kid = $1', [next.kid]);
    expect(row!.encrypted).toBe(true);
  });
});

describe('configuration warnings', () => {
  it('warns when the publish lead does not cover the JWKS max-age plus the reload period', async () => {
    const { logger: capturing, lines } = captureLogger();
    await createKeyManager({ db, config: testConfig({ keySecret: KEY_SECRET, jwksMaxAge: 300, keyPublishLead: 310 }), logger: capturing });
    expect(lines().filter((line) => line.includes('SIGIL_KEY_PUBLISH_LEAD is shorter'))).toHaveLength(1);
    const quiet = captureLogger();
    await createKeyManager({ db, config: testConfig({ keySecret: KEY_SECRET, jwksMaxAge: 300 }), logger: quiet.logger });
    expect(quiet.lines().filter((line) => line.includes('SIGIL_KEY_PUBLISH_LEAD'))).toHaveLength(0);
  });
});

describe('several instances on one database', () => {
  it('create exactly one initial key when started concurrently, and converge after reload', async () => {
    const clock = manualClock();
    const config = testConfig({ alg: 'ES256', keySecret: KEY_SECRET });
    const managers = await Promise.all([1, 2, 3].map(() => createKeyManager({ db, config, logger, now: clock.now })));
    expect(await rows()).toHaveLength(1);
    const [a, b] = managers as [KeyManager, KeyManager, KeyManager];
    const first = (await a.signingKey()).kid;
    expect((await b.signingKey()).kid).toBe(first);

    // a rotates immediately; b keeps its in-memory view until it reloads.
    const rotated = await a.rotate({ immediate: true });
    expect((await a.signingKey()).kid).toBe(rotated.kid);
    expect((await b.signingKey()).kid).toBe(first);
    expect((await b.jwks()).keys.map((key) => key.kid)).toEqual([first]);
    await b.reload();
    expect((await b.signingKey()).kid).toBe(rotated.kid);
    expect((await b.jwks()).keys.map((key) => key.kid).sort()).toEqual([first, rotated.kid].sort());

    // A revocation on b reaches a at its next reload.
    expect(await b.revoke(first)).toBe(true);
    expect(await a.verificationKey(first)).toBeDefined();
    await a.reload();
    expect(await a.verificationKey(first)).toBeUndefined();
    expect((await a.jwks()).keys.map((key) => key.kid)).toEqual([rotated.kid]);
  });

  it('verifies a token from a key another instance just created, by reloading on the unknown kid', async () => {
    const clock = manualClock();
    const config = testConfig({ alg: 'EdDSA' });
    const a = await createKeyManager({ db, config, logger, now: clock.now });
    const b = await createKeyManager({ db, config, logger, now: clock.now });
    await a.rotate({ immediate: true });
    const token = await signWith(a, clock.now());
    const { kid } = decodeProtectedHeader(token);
    const key = await b.verificationKey(kid!);
    expect(key).toBeDefined();
    await expect(jwtVerify(token, key!, { currentDate: clock.now() })).resolves.toBeDefined();
  });
});

describe('HS256 shared-secret mode', () => {
  const secret = 'Zx8-q2Lm9Rt4Wv7Yb1Nc6Hd3Jf0Kp5Gs_AeUiOo';

  it('signs with the secret, publishes nothing and stores nothing', async () => {
    const keys = await createKeyManager({ db, config: testConfig({ alg: 'HS256', hs256Secret: secret }), logger });
    expect(keys.mode).toBe('shared-secret');
    const signing = await keys.signingKey();
    expect(signing.alg).toBe('HS256');
    expect(signing.kid).toBe(sharedSecretKid(secret));
    expect(signing.kid).toMatch(/^[A-Za-z0-9_-]{16}$/);
    expect(sharedSecretKid(`${secret}x`)).not.toBe(signing.kid);

    const token = await new SignJWT({ sub: 'u' })
      .setProtectedHeader({ alg: 'HS256', kid: signing.kid, typ: 'at+jwt' })
      .setExpirationTime('5m')
      .sign(signing.key);
    // A resource server holding the same secret verifies it, with no Sigil code.
    await expect(jwtVerify(token, new TextEncoder().encode(secret), { algorithms: ['HS256'] })).resolves.toBeDefined();
    const key = await keys.verificationKey(signing.kid);
    await expect(jwtVerify(token, key!, { algorithms: ['HS256'] })).resolves.toBeDefined();
    expect(await keys.verificationKey(signing.kid, 'RS256')).toBeUndefined();
    expect(await keys.verificationKey('other')).toBeUndefined();

    expect(await keys.jwks()).toEqual({ keys: [] });
    expect(await rows()).toHaveLength(0);
    expect(await keys.list()).toMatchObject([{ kid: signing.kid, alg: 'HS256', state: 'active' }]);
  });

  it('refuses rotate and revoke with invalid_request', async () => {
    const keys = await createKeyManager({ db, config: testConfig({ alg: 'HS256', hs256Secret: secret }), logger });
    for (const attempt of [() => keys.rotate(), () => keys.rotate({ immediate: true }), () => keys.revoke(sharedSecretKid(secret))]) {
      const error = await attempt().then(
        () => undefined,
        (caught: unknown) => caught,
      );
      expect(error).toBeInstanceOf(SigilError);
      expect((error as SigilError).code).toBe('invalid_request');
      expect((error as SigilError).message).toMatch(/not available in shared-secret \(HS256\) mode/);
    }
  });
});

describe('options', () => {
  it('rejects bad options with a TypeError at setup', async () => {
    const config = testConfig({});
    await expect(createKeyManager({ db, config, logger, scheduleIntervalMs: 0 })).rejects.toThrow(TypeError);
    await expect(createKeyManager({ db: undefined as unknown as Database, config, logger })).rejects.toThrow(TypeError);
  });
});

const algs: SigningAlgorithm[] = ['RS256', 'ES256', 'EdDSA'];
// Registered only when a PostgreSQL server is configured (DEVELOPERS.md, "Services for tests").
if (process.env.TEST_DATABASE_URL)
  describe('PostgreSQL', () => {
    it.each(algs)('two instances with separate connections create one key and agree (%s)', async (alg) => {
      const schema = randomSchema('kpg');
      const open = () => openDatabase({ databaseUrl: process.env.TEST_DATABASE_URL, databaseSchema: schema, dataDir: 'memory://' });
      const [one, two] = await Promise.all([open(), open()]);
      try {
        const config = testConfig({ alg, keySecret: KEY_SECRET });
        const [a, b] = await Promise.all([createKeyManager({ db: one!, config, logger }), createKeyManager({ db: two!, config, logger })]);
        expect(await one!.query('SELECT kid FROM signing_keys')).toHaveLength(1);
        const token = await signWith(a, new Date());
        await expect(verifyWithJwks(token, await b.jwks(), new Date())).resolves.toBeDefined();
      } finally {
        await one!.query(`DROP SCHEMA "${schema}" CASCADE`);
        await Promise.all([one!.close(), two!.close()]);
      }
    });
  });
