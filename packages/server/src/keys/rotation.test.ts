import { describe, expect, it, vi } from 'vitest';
import { createLogger } from '../logger.ts';
import type { Database } from '../storage/index.ts';
import { createKeyManager, type KeyManager, type PublicJwk } from './index.ts';
import { manualClock, signWith, testConfig, useKeysDatabase, verifyWithJwks } from './test-support.ts';

const logger = createLogger({ level: 'silent' });
const SECOND = 1000;
const MINUTE = 60 * SECOND;
// testConfig: accessTtl 900 s, jwksMaxAge 300 s, so keyPublishLead = 360 s.
const LEAD = 360 * SECOND;
const ACCESS_TTL = 900 * SECOND;
const SKEW = 60 * SECOND;

let db: Database;
useKeysDatabase((opened) => (db = opened));

const kids = async (keys: KeyManager) => (await keys.jwks()).keys.map((key) => key.kid);
const stateOf = async (keys: KeyManager, kid: string) => (await keys.list()).find((info) => info.kid === kid);

describe('staged rotation', () => {
  it('publishes the new key before it signs and keeps the old one until its tokens expire', async () => {
    const clock = manualClock();
    const keys = await createKeyManager({ db, config: testConfig({ alg: 'ES256' }), logger, now: clock.now });
    const old = (await keys.signingKey()).kid;

    clock.advance(MINUTE);
    const rotatedAt = clock.ms;
    const next = await keys.rotate();
    expect(next).toMatchObject({ state: 'pending', retiredAt: null, publishedUntil: null });
    expect(next.activatesAt.getTime()).toBe(rotatedAt + LEAD);
    expect(await kids(keys)).toEqual([old, next.kid]);
    expect(await keys.verificationKey(next.kid)).toBeDefined();

    clock.set(rotatedAt + LEAD - 1);
    expect((await keys.signingKey()).kid).toBe(old);

    clock.set(rotatedAt + LEAD);
    expect((await keys.signingKey()).kid).toBe(next.kid);
    const retired = await stateOf(keys, old);
    expect(retired).toMatchObject({ state: 'retired', retiredAt: new Date(rotatedAt + LEAD) });
    const until = rotatedAt + LEAD + ACCESS_TTL + SKEW;
    expect(retired!.publishedUntil).toEqual(new Date(until));
    expect(await stateOf(keys, next.kid)).toMatchObject({ state: 'active' });

    clock.set(until - 1);
    expect(await kids(keys)).toEqual([old, next.kid]);
    expect(await keys.verificationKey(old)).toBeDefined();

    clock.set(until);
    expect(await kids(keys)).toEqual([next.kid]);
    expect(await keys.verificationKey(old)).toBeUndefined();
    expect(await stateOf(keys, old)).toMatchObject({ state: 'retired' });
  });

  it('never fails a client that caches the JWKS for jwksMaxAge (simulated across two rotations)', async () => {
    const clock = manualClock();
    const config = testConfig({ alg: 'EdDSA' });
    const keys = await createKeyManager({ db, config, logger, now: clock.now });
    // An odd step, so samples fall at every offset from rotations and activations.
    const step = 7 * SECOND;
    const end = clock.ms + 2 * (LEAD + ACCESS_TTL + SKEW) + 10 * MINUTE;
    const rotations = [clock.ms + 5 * MINUTE, clock.ms + 5 * MINUTE + LEAD + 4 * MINUTE];
    const snapshots: { at: number; jwks: { keys: PublicJwk[] } }[] = [];
    const tokens: { at: number; token: string; kid: string }[] = [];
    for (; clock.ms <= end; clock.advance(step)) {
      if (rotations[0] !== undefined && clock.ms >= rotations[0]) {
        rotations.shift();
        await keys.rotate();
      }
      snapshots.push({ at: clock.ms, jwks: await keys.jwks() });
      tokens.push({ at: clock.ms, token: await signWith(keys, clock.now(), config.accessTtl), kid: (await keys.signingKey()).kid });
    }
    const signers = new Set(tokens.map((issued) => issued.kid));
    let checks = 0;
    // A resource server verifying at time T holds a JWKS fetched at some s in [T - jwksMaxAge, T].
    // For a token issued at t and accepted until t + accessTtl (+ 60 s when its clock runs
    // behind), that is any s in [t - jwksMaxAge, t + accessTtl + 60 s): its key must be in every
    // one of those snapshots.
    for (const issued of tokens) {
      const window = snapshots.filter(
        (snapshot) => snapshot.at >= issued.at - config.jwksMaxAge * SECOND && snapshot.at < issued.at + ACCESS_TTL + SKEW,
      );
      for (const snapshot of window) {
        expect(
          snapshot.jwks.keys.map((key) => key.kid),
          `token of ${issued.at} vs JWKS of ${snapshot.at}`,
        ).toContain(issued.kid);
        checks++;
      }
      // And the signature really verifies with the oldest and the newest of those copies.
      for (const snapshot of [window[0]!, window.at(-1)!]) {
        await expect(verifyWithJwks(issued.token, snapshot.jwks, new Date(issued.at))).resolves.toBeDefined();
      }
    }
    expect(signers.size).toBe(3);
    expect(checks).toBeGreaterThan(1000);
    // Only the last key is left once the old ones' tokens have expired.
    expect((await keys.jwks()).keys).toHaveLength(1);
  });

  it('immediate rotation signs with the new key at once and keeps the old one published', async () => {
    const clock = manualClock();
    const keys = await createKeyManager({ db, config: testConfig({ alg: 'RS256' }), logger, now: clock.now });
    const old = (await keys.signingKey()).kid;
    const oldToken = await signWith(keys, clock.now());
    clock.advance(MINUTE);
    const next = await keys.rotate({ immediate: true });
    expect(next).toMatchObject({ state: 'active', activatesAt: clock.now() });
    expect((await keys.signingKey()).kid).toBe(next.kid);
    expect(await stateOf(keys, old)).toMatchObject({
      state: 'retired',
      retiredAt: clock.now(),
      publishedUntil: new Date(clock.ms + ACCESS_TTL + SKEW),
    });
    await expect(verifyWithJwks(oldToken, await keys.jwks(), clock.now())).resolves.toBeDefined();
    // The retirement is stored, so other instances and the cleanup see it too.
    const [row] = await db.query<{ retired_at: Date }>('SELECT retired_at FROM signing_keys WHERE kid = $1', [old]);
    expect(new Date(row!.retired_at)).toEqual(clock.now());
  });
});

describe('revoke', () => {
  it('removes the signing key from the JWKS and verification at once and creates a new one when no other is published', async () => {
    const clock = manualClock();
    const keys = await createKeyManager({ db, config: testConfig({ alg: 'ES256' }), logger, now: clock.now });
    const old = (await keys.signingKey()).kid;
    clock.advance(SECOND);
    expect(await keys.revoke(old)).toBe(true);
    expect(await kids(keys)).not.toContain(old);
    expect(await keys.verificationKey(old)).toBeUndefined();
    const replacement = await keys.signingKey();
    expect(replacement.kid).not.toBe(old);
    expect(await kids(keys)).toEqual([replacement.kid]);
    expect(await stateOf(keys, old)).toMatchObject({ state: 'revoked', revokedAt: clock.now(), publishedUntil: clock.now() });
    expect(await keys.revoke(old)).toBe(false);
    expect(await keys.revoke('unknown-kid')).toBe(false);
  });

  it('falls back to a staged key, activating it now', async () => {
    const clock = manualClock();
    const keys = await createKeyManager({ db, config: testConfig({ alg: 'EdDSA' }), logger, now: clock.now });
    const old = (await keys.signingKey()).kid;
    const staged = await keys.rotate();
    clock.advance(MINUTE);
    await keys.revoke(old);
    expect((await keys.signingKey()).kid).toBe(staged.kid);
    expect(await stateOf(keys, staged.kid)).toMatchObject({ state: 'active', activatesAt: clock.now() });
    expect(await kids(keys)).toEqual([staged.kid]);
    expect(await db.query('SELECT kid FROM signing_keys')).toHaveLength(2);
  });

  it('falls back to the previous key while it is still published, which then stays published', async () => {
    const clock = manualClock();
    const keys = await createKeyManager({ db, config: testConfig({ alg: 'ES256' }), logger, now: clock.now });
    const previous = (await keys.signingKey()).kid;
    clock.advance(MINUTE);
    const current = await keys.rotate({ immediate: true });
    clock.advance(MINUTE);
    await keys.revoke(current.kid);
    expect((await keys.signingKey()).kid).toBe(previous);
    expect(await stateOf(keys, previous)).toMatchObject({ state: 'active', retiredAt: null, publishedUntil: null });
    clock.advance(ACCESS_TTL + 2 * SKEW);
    expect(await kids(keys)).toEqual([previous]);
  });

  it('revokes a retired or staged key without changing the signing key', async () => {
    const clock = manualClock();
    const keys = await createKeyManager({ db, config: testConfig({ alg: 'ES256' }), logger, now: clock.now });
    const first = (await keys.signingKey()).kid;
    const second = await keys.rotate({ immediate: true });
    const staged = await keys.rotate();
    expect(await kids(keys)).toEqual([first, second.kid, staged.kid]);
    expect(await keys.revoke(first)).toBe(true);
    expect(await keys.revoke(staged.kid)).toBe(true);
    expect(await kids(keys)).toEqual([second.kid]);
    clock.advance(LEAD);
    expect((await keys.signingKey()).kid).toBe(second.kid);
  });
});

describe('schedule', () => {
  it('stages a rotation once the signing key is older than the interval, and only one', async () => {
    const clock = manualClock();
    const config = testConfig({ alg: 'ES256', keyRotationInterval: '1h' });
    const keys = await createKeyManager({ db, config, logger, now: clock.now, scheduleIntervalMs: 10, reloadIntervalMs: 10 });
    const first = (await keys.signingKey()).kid;
    const refTimers = () => process.getActiveResourcesInfo().filter((resource) => resource === 'Timeout').length;
    const before = refTimers();
    keys.startSchedule();
    keys.startSchedule();
    // The timers never keep the process alive (they are unref'd), and a second start adds none.
    expect(refTimers()).toBe(before);
    try {
      clock.advance(59 * MINUTE);
      await new Promise((resolve) => setTimeout(resolve, 100));
      expect(await db.query('SELECT kid FROM signing_keys')).toHaveLength(1);

      clock.advance(MINUTE);
      await vi.waitFor(async () => expect(await db.query('SELECT kid FROM signing_keys')).toHaveLength(2), { timeout: 5_000 });
      await new Promise((resolve) => setTimeout(resolve, 100));
      expect(await db.query('SELECT kid FROM signing_keys')).toHaveLength(2);
      const staged = (await keys.list()).find((info) => info.kid !== first)!;
      expect(staged).toMatchObject({ state: 'pending', activatesAt: new Date(clock.ms + LEAD), alg: 'ES256' });

      clock.advance(LEAD);
      expect((await keys.signingKey()).kid).toBe(staged.kid);
      // The schedule stores the retirement, then deletes the old key a day after its publication ended.
      await vi.waitFor(async () => {
        const [row] = await db.query<{ retired_at: Date | null }>('SELECT retired_at FROM signing_keys WHERE kid = $1', [first]);
        expect(row?.retired_at).toBeTruthy();
      });
      clock.advance(ACCESS_TTL + SKEW + 24 * 60 * MINUTE - MINUTE);
      await new Promise((resolve) => setTimeout(resolve, 100));
      expect((await keys.list()).map((info) => info.kid)).toContain(first);
      clock.advance(2 * MINUTE);
      await vi.waitFor(async () => expect((await keys.list()).map((info) => info.kid)).not.toContain(first), { timeout: 5_000 });
    } finally {
      keys.stop();
      keys.stop();
    }
    // stop() really stops: no more rotations however much time passes.
    const count = (await db.query('SELECT kid FROM signing_keys')).length;
    clock.advance(10 * 3600 * SECOND);
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(await db.query('SELECT kid FROM signing_keys')).toHaveLength(count);
  });

  it('picks up a rotation made by another instance through the periodic reload', async () => {
    const clock = manualClock();
    const config = testConfig({ alg: 'ES256' });
    const a = await createKeyManager({ db, config, logger, now: clock.now });
    const b = await createKeyManager({ db, config, logger, now: clock.now, reloadIntervalMs: 10 });
    b.startSchedule();
    try {
      const staged = await a.rotate();
      await vi.waitFor(async () => expect(await kids(b)).toContain(staged.kid), { timeout: 5_000 });
      clock.advance(LEAD);
      expect((await b.signingKey()).kid).toBe(staged.kid);
    } finally {
      b.stop();
    }
  });

  it('stages a key of the newly configured algorithm at startup instead of failing', async () => {
    const clock = manualClock();
    const rsa = await createKeyManager({ db, config: testConfig({ alg: 'RS256' }), logger, now: clock.now });
    const old = await rsa.signingKey();
    clock.advance(MINUTE);
    const ec = await createKeyManager({ db, config: testConfig({ alg: 'ES256' }), logger, now: clock.now });
    expect(await ec.signingKey()).toMatchObject({ kid: old.kid, alg: 'RS256' });
    const staged = (await ec.list()).find((info) => info.state === 'pending');
    expect(staged).toMatchObject({ alg: 'ES256', activatesAt: new Date(clock.ms + LEAD) });
    // A second restart with the same setting does not stage another one.
    await createKeyManager({ db, config: testConfig({ alg: 'ES256' }), logger, now: clock.now });
    expect(await db.query('SELECT kid FROM signing_keys')).toHaveLength(2);
    clock.advance(LEAD);
    expect(await ec.signingKey()).toMatchObject({ kid: staged!.kid, alg: 'ES256' });
    expect((await ec.jwks()).keys.map((key) => key.alg)).toEqual(['RS256', 'ES256']);
  });
});
