import { describe, expect, it } from 'vitest';
import { expiringWindow, isExpiring, proactiveDelay } from './refresh-timer.ts';
import type { Session } from './session.ts';

const at = (receivedAt: number, ttlSeconds: number): Session => ({
  accessToken: 'a',
  refreshToken: 'r',
  receivedAt,
  expiresAt: receivedAt + ttlSeconds * 1000,
  user: { id: 'u', email: 'e', name: null, roles: [], emailVerified: false },
});

describe('refresh timing', () => {
  it('uses the leeway for long-lived tokens and half the lifetime for short ones', () => {
    expect(expiringWindow(at(0, 900), 60_000)).toBe(60_000);
    expect(expiringWindow(at(0, 2), 60_000)).toBe(1_000);
  });

  it('counts a token as expiring only inside the window', () => {
    const s = at(1_000_000, 900);
    expect(isExpiring(s, 60_000, 1_000_000 + 839_999)).toBe(false);
    expect(isExpiring(s, 60_000, 1_000_000 + 840_000)).toBe(true);
  });

  it('schedules the proactive refresh at the window start plus at most a quarter window of jitter', () => {
    const s = at(0, 900);
    expect(proactiveDelay(s, 60_000, 0, () => 0)).toBe(840_000);
    expect(proactiveDelay(s, 60_000, 0, () => 0.999)).toBe(840_000 + 14_985);
    // Already inside the window: now (plus jitter), never a negative delay.
    expect(proactiveDelay(s, 60_000, 850_000, () => 0)).toBe(0);
  });

  it('spreads tabs that share one session', () => {
    const delays = new Set(Array.from({ length: 20 }, () => proactiveDelay(at(0, 900), 60_000, 0)));
    expect(delays.size).toBeGreaterThan(1);
  });
});
