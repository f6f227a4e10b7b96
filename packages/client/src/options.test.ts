import { describe, expect, it } from 'vitest';
import { cookieSession, createSigilClient, localSession, memoryStorage } from './index.ts';
import { createSigilSession, resolveCommonOptions } from './internal.ts';

const issuer = 'http://127.0.0.1:4000';

describe('createSigilClient options', () => {
  it('accepts the minimal options and starts logged out', () => {
    const client = createSigilClient({ issuer, apiOrigins: ['http://127.0.0.1:3000'] });
    expect(client.isLoggedIn).toBe(false);
    expect(client.user).toBeNull();
    expect(client.expiresAt).toBeNull();
    client.destroy();
  });

  it.each([
    ['no options', undefined],
    ['null options', null],
    ['missing issuer', { apiOrigins: [] }],
    ['relative issuer', { issuer: '/auth', apiOrigins: [] }],
    ['non-http issuer', { issuer: 'ftp://x.example', apiOrigins: [] }],
    ['issuer with query', { issuer: 'https://x.example/?a=1', apiOrigins: [] }],
    ['missing apiOrigins', { issuer }],
    ['apiOrigins as a string', { issuer, apiOrigins: 'https://api.example.com' }],
    ['apiOrigins with a path', { issuer, apiOrigins: ['https://api.example.com/api'] }],
    ['apiOrigins not a URL', { issuer, apiOrigins: ['api.example.com'] }],
    ['apiOrigins with credentials', { issuer, apiOrigins: ['https://u:p@api.example.com'] }],
    ['unknown storage name', { issuer, apiOrigins: [], storage: 'session' }],
    ['storage object without methods', { issuer, apiOrigins: [], storage: { getItem() {} } }],
    ['negative refreshLeeway', { issuer, apiOrigins: [], refreshLeeway: -1 }],
    ['NaN refreshLeeway', { issuer, apiOrigins: [], refreshLeeway: Number.NaN }],
    ['fetch not a function', { issuer, apiOrigins: [], fetch: 'fetch' }],
    ['now not a function', { issuer, apiOrigins: [], now: 5 }],
    ['empty lockName', { issuer, apiOrigins: [], lockName: '' }],
    ['restore not boolean', { issuer, apiOrigins: [], restore: 'yes' }],
  ])('throws TypeError at setup for %s', (_name, options) => {
    expect(() => createSigilClient(options as never)).toThrow(TypeError);
  });

  it('names the issuer when there are no options at all', () => {
    expect(() => createSigilClient(undefined as never)).toThrow('Sigil: issuer must be');
  });

  it('accepts every storage strategy and a custom adapter', () => {
    for (const storage of ['memory', 'local', 'cookie', localSession(), cookieSession(), memoryStorage()] as const) {
      const client = createSigilClient({ issuer, apiOrigins: [], storage, restore: false });
      expect(client.isLoggedIn).toBe(false);
      client.destroy();
    }
  });

  it('normalises origins (trailing slash, default port)', () => {
    expect(() =>
      createSigilClient({ issuer: 'https://auth.example.com/', apiOrigins: ['https://api.example.com:443/'] }).destroy(),
    ).not.toThrow();
  });

  it('resolveCommonOptions and createSigilSession (for @sigil/angular) take the factories, not the names that bring every mode along', () => {
    for (const storage of ['local', 'cookie']) {
      expect(() => resolveCommonOptions({ issuer, apiOrigins: [], storage } as never)).toThrow(TypeError);
    }
    for (const storage of ['memory', localSession(), cookieSession(), memoryStorage()] as const) {
      createSigilSession(resolveCommonOptions({ issuer, apiOrigins: [], storage })).destroy();
    }
  });
});
