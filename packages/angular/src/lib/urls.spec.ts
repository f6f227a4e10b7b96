import { resolveSigilAuthConfig } from './config';
import { isApiUrl, safeReturnUrl } from './urls';

describe('isApiUrl', () => {
  const config = resolveSigilAuthConfig({
    issuer: 'https://auth.example.com',
    apiOrigins: ['https://api.example.com', 'https://auth.example.com'],
  });
  const base = 'https://app.example.com/';

  it.each([
    ['https://api.example.com/api/lessons', true],
    ['https://api.example.com:443/x', true],
    ['https://auth.example.com/auth/me', true],
    ['https://auth.example.com/auth/login', false],
    ['https://auth.example.com/auth/refresh', false],
    ['https://auth.example.com/.well-known/jwks.json', false],
    ['https://api.example.com.evil.test/api', false],
    ['http://api.example.com/api', false],
    ['https://api.example.com:8443/api', false],
    ['/api/lessons', false],
    ['//api.example.com/api/lessons', true],
  ] as const)('%s gets the token: %s', (url, api) => {
    expect(isApiUrl(url, base, config)).toBe(api);
  });

  it('resolves relative URLs against the document base, so a same-origin API can be listed', () => {
    const sameOrigin = resolveSigilAuthConfig({ issuer: 'https://app.example.com/sigil', apiOrigins: ['https://app.example.com'] });
    expect(isApiUrl('/api/lessons', base, sameOrigin)).toBe(true);
    expect(isApiUrl('/sigil/auth/login', base, sameOrigin)).toBe(false);
    expect(isApiUrl('/auth/login', base, sameOrigin)).toBe(true);
  });
});

describe('safeReturnUrl', () => {
  it.each([
    ['/lessons?page=2', '/lessons?page=2'],
    ['/', '/'],
    ['//evil.example/phish', '/home'],
    ['/\\evil.example', '/home'],
    ['https://evil.example', '/home'],
    ['javascript:alert(1)', '/home'],
    ['/a\nb', '/home'],
    ['', '/home'],
    [null, '/home'],
    [undefined, '/home'],
  ])('%j -> %j', (value, expected) => {
    expect(safeReturnUrl(value, '/home')).toBe(expected);
  });
});
