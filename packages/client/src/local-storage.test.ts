import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createSigilClient, localSession, memoryStorage, type AuthEvent, type SigilClient } from './index.ts';
import { serializeSession } from './session.ts';

// Node 24 has neither `localStorage` (without a flag) nor a window that receives `storage` events,
// so this file plays the browser's part: one origin-wide storage, and the `storage` event the
// browser dispatches in the *other* tabs after a change. The client code under test is unchanged.
const issuer = 'http://127.0.0.1:9'; // nothing listens: logout's server call fails quietly
const key = `sigil:session:${issuer}`;
const user = { id: 'u1', email: 'a@example.com', name: 'Ann', roles: [], emailVerified: true };
const target = new EventTarget();
const globals = globalThis as unknown as Record<string, unknown>;
const clients: SigilClient[] = [];

beforeEach(() => {
  globals['localStorage'] = memoryStorage();
  globals['addEventListener'] = target.addEventListener.bind(target);
  globals['removeEventListener'] = target.removeEventListener.bind(target);
});
afterEach(() => {
  for (const c of clients.splice(0)) c.destroy();
  for (const name of ['localStorage', 'addEventListener', 'removeEventListener']) delete globals[name];
});

function tab(): SigilClient {
  // Distinct channels: only `storage` events can carry the change between these two.
  const c = createSigilClient({ issuer, apiOrigins: [], storage: localSession(), channelName: `ch-${clients.length}` });
  clients.push(c);
  return c;
}
function storageEvent(changedKey: string | null): Event {
  return Object.assign(new Event('storage'), { key: changedKey });
}
const session = (accessToken: string) =>
  serializeSession({ accessToken, refreshToken: 'rt', receivedAt: Date.now(), expiresAt: Date.now() + 900_000, user }, issuer);

describe('storage: localSession() across tabs', () => {
  it('follows logins and logouts written by another tab', () => {
    const other = tab();
    const events: AuthEvent[] = [];
    other.subscribe((e) => events.push(e));
    expect(other.isLoggedIn).toBe(false);

    (globals['localStorage'] as Storage).setItem(key, session('at-1'));
    target.dispatchEvent(storageEvent('unrelated-key'));
    expect(other.isLoggedIn).toBe(false);
    target.dispatchEvent(storageEvent(key));
    expect(other.user?.email).toBe('a@example.com');

    (globals['localStorage'] as Storage).removeItem(key);
    target.dispatchEvent(storageEvent(null)); // localStorage.clear()
    expect(other.isLoggedIn).toBe(false);
    expect(events.map((e) => [e.type, e.reason])).toEqual([
      ['login', 'sync'],
      ['logout', 'sync'],
    ]);
  });

  it('a tab logging out clears the shared storage, and a reload starts logged out', async () => {
    (globals['localStorage'] as Storage).setItem(key, session('at-2'));
    const a = tab();
    expect(a.isLoggedIn).toBe(true);
    await a.logout();
    expect((globals['localStorage'] as Storage).getItem(key)).toBeNull();
    expect(tab().isLoggedIn).toBe(false);
  });

  it('stops listening after destroy()', () => {
    const other = tab();
    other.destroy();
    (globals['localStorage'] as Storage).setItem(key, session('at-3'));
    target.dispatchEvent(storageEvent(key));
    expect(other.isLoggedIn).toBe(false);
  });
});
