import { afterEach, describe, expect, it } from 'vitest';
import { createSigilClient, memoryStorage, type StorageAdapter } from './index.ts';
import { serializeSession } from './session.ts';

const issuer = 'http://127.0.0.1:4000';
const key = `sigil:session:${issuer}`;
const user = { id: 'u1', email: 'a@example.com', name: 'Ann', roles: ['admin'], emailVerified: true };
const valid = (nowMs: number) =>
  serializeSession({ accessToken: 'at', refreshToken: 'rt', receivedAt: nowMs, expiresAt: nowMs + 900_000, user }, issuer);

function adapterWith(raw: string): StorageAdapter {
  const storage = memoryStorage();
  storage.setItem(key, raw);
  return storage;
}

describe('stored sessions', () => {
  it('restores a valid session synchronously', () => {
    const client = createSigilClient({ issuer, apiOrigins: [], storage: adapterWith(valid(Date.now())) });
    expect(client.isLoggedIn).toBe(true);
    expect(client.user).toEqual(user);
    client.destroy();
  });

  it.each([
    ['garbage', '}{'],
    [
      'another issuer',
      serializeSession({ accessToken: 'a', refreshToken: 'r', receivedAt: 1, expiresAt: 2, user }, 'https://other.example'),
    ],
    [
      'a stale token without refresh token',
      serializeSession({ accessToken: 'a', refreshToken: undefined, receivedAt: 1, expiresAt: 2, user }, issuer),
    ],
    ['a tutorial-style bare token', 'eyJhbGciOiJIUzI1NiJ9.e30.x'],
  ])('treats %s as logged out and clears it', async (_name, raw) => {
    const storage = adapterWith(raw);
    const client = createSigilClient({ issuer, apiOrigins: [], storage });
    expect(client.isLoggedIn).toBe(false);
    expect(await client.getAccessToken()).toBeNull();
    expect(storage.getItem(key)).toBeNull();
    client.destroy();
  });

  it('survives a storage that throws on every call', async () => {
    const broken: StorageAdapter = {
      getItem() {
        throw new DOMException('denied', 'SecurityError');
      },
      setItem() {
        throw new DOMException('full', 'QuotaExceededError');
      },
      removeItem() {
        throw new DOMException('denied', 'SecurityError');
      },
    };
    const client = createSigilClient({ issuer, apiOrigins: [], storage: broken });
    expect(client.isLoggedIn).toBe(false);
    await expect(client.logout()).resolves.toBeUndefined();
    client.destroy();
  });
});

describe("storage: 'local'", () => {
  afterEach(() => {
    delete (globalThis as { localStorage?: unknown }).localStorage;
  });

  it('persists in localStorage so a new client (a reload) is still signed in', () => {
    const local = memoryStorage();
    (globalThis as { localStorage?: unknown }).localStorage = local;
    local.setItem(key, valid(Date.now()));
    const client = createSigilClient({ issuer, apiOrigins: [], storage: 'local' });
    expect(client.user?.email).toBe('a@example.com');
    client.destroy();
  });
});
