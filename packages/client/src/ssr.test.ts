import { afterEach, describe, expect, it, vi } from 'vitest';

// Browser globals a careless module would touch at import time.
const TRAPPED = ['window', 'document', 'localStorage', 'sessionStorage', 'navigator', 'location', 'BroadcastChannel', 'addEventListener'];
const saved = new Map<string, PropertyDescriptor | undefined>();

afterEach(() => {
  for (const [name, descriptor] of saved) {
    if (descriptor) Object.defineProperty(globalThis, name, descriptor);
    else delete (globalThis as Record<string, unknown>)[name];
  }
  saved.clear();
});

function trapGlobals(): string[] {
  const touched: string[] = [];
  for (const name of TRAPPED) {
    saved.set(name, Object.getOwnPropertyDescriptor(globalThis, name));
    Object.defineProperty(globalThis, name, {
      configurable: true,
      get() {
        touched.push(name);
        return undefined;
      },
    });
  }
  return touched;
}

describe('server-side rendering', () => {
  it('imports without touching any browser global', async () => {
    vi.resetModules();
    const touched = trapGlobals();
    const mod = await import('./index.ts');
    expect(typeof mod.createSigilClient).toBe('function');
    expect(touched).toEqual([]);
  });

  it('creates a logged-out client where no browser API exists, whatever the storage', async () => {
    vi.resetModules();
    const { createSigilClient } = await import('./index.ts');
    trapGlobals();
    for (const storage of ['memory', 'local', 'cookie'] as const) {
      const client = createSigilClient({ issuer: 'http://127.0.0.1:1', apiOrigins: [], storage, restore: false });
      await client.ready;
      expect(client.isLoggedIn).toBe(false);
      expect(await client.getAccessToken()).toBeNull();
      client.destroy();
    }
  });
});
