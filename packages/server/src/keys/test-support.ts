// Helpers shared by this folder's tests (not part of the module's API).
import { randomBytes } from 'node:crypto';
import { Writable } from 'node:stream';
import { createLocalJWKSet, jwtVerify, SignJWT } from 'jose';
import { afterAll, beforeAll, beforeEach } from 'vitest';
import { parseConfig, type ConfigInput } from '../config.ts';
import { createLogger, type Logger } from '../logger.ts';
import { openDatabase, type Database } from '../storage/index.ts';
import type { KeyManager, PublicJwk } from './types.ts';

export const T0 = Date.parse('2026-03-01T12:00:00Z');

/** A clock tests move by hand. */
export function manualClock(start = T0) {
  let current = start;
  return {
    now: () => new Date(current),
    set: (ms: number) => void (current = ms),
    advance: (ms: number) => void (current += ms),
    get ms() {
      return current;
    },
  };
}

export function testConfig(overrides: ConfigInput = {}) {
  return parseConfig({ accessTtl: 900, jwksMaxAge: 300, dataDir: 'memory://', ...overrides });
}

export function randomSchema(prefix = 'k'): string {
  return `${prefix}_${randomBytes(6).toString('hex')}`;
}

/** A logger whose lines the test can read. */
export function captureLogger(): { logger: Logger; lines: () => string[] } {
  const chunks: string[] = [];
  const destination = new Writable({
    write(chunk, _encoding, done) {
      chunks.push(String(chunk));
      done();
    },
  });
  return { logger: createLogger({ level: 'info', destination }), lines: () => chunks.join('').split('\n').filter(Boolean) };
}

/** Signs a token the way the token service does, with the manager's current key. */
export async function signWith(keys: KeyManager, at: Date, ttlSeconds = 900): Promise<string> {
  const { kid, alg, key } = await keys.signingKey();
  const iat = Math.floor(at.getTime() / 1000);
  return new SignJWT({ sub: 'user-1' })
    .setProtectedHeader({ alg, kid, typ: 'at+jwt' })
    .setIssuedAt(iat)
    .setExpirationTime(iat + ttlSeconds)
    .sign(key);
}

/** Verifies like a resource server holding the JWKS document `jwks` (e.g. a cached copy). */
export async function verifyWithJwks(token: string, jwks: { keys: PublicJwk[] }, at: Date) {
  return jwtVerify(token, createLocalJWKSet(jwks), { currentDate: at, typ: 'at+jwt' });
}

/**
 * One in-memory database for the calling test file (its own schema), handed to `use` once open,
 * closed after the file, and emptied of signing keys before each test.
 */
export function useKeysDatabase(use: (db: Database) => void): void {
  let db: Database | undefined;
  beforeAll(async () => {
    db = await openDatabase({ dataDir: 'memory://', databaseSchema: randomSchema() });
    use(db);
  });
  afterAll(async () => {
    await db?.close();
  });
  beforeEach(async () => {
    await db!.query('DELETE FROM signing_keys');
  });
}
