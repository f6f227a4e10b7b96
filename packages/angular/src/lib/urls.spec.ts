import { resolveSigilAuthConfig } from './config';
import { classifyUrl, safeReturnUrl } from './urls';

describe('classifyUrl', () => {
  const config = resolveSigilAuthConfig({ issuer: 'https://auth.example.com', apiOrigins: ['https://api.example.com', 'https://auth.example.com'] });
  const base = 'https://app.example.com/';

  it.each([
    ['https://api.example.com/api/lessons', 'api'],
    ['https://api.example.com:443/x', 'api'],
    ['https://auth.example.com/auth/me', 'api'],
    ['https://auth.example.com/auth/login', 'auth-endpoint'],
    ['https://auth.example.com/auth/refresh', 'auth-endpoint'],
    ['https://auth.example.com/.well-known/jwks.json', 'auth-endpoint'],
    ['https://api.example.com.evil.test/api', 'other'],
    ['http://api.example.com/api', 'other'],
    ['https://api.example.com:8443/api', 'other'],
    ['/api/lessons', 'other'],
    ['//api.example.com/api/lessons', 'api'],
  ] as const)('%s is %s', (url, kind) => {
    expect(classifyUrl(url, base, config)).toBe(kind);
  });

  it('resolves relative URLs against the document base, so a same-origin API can be listed', () => {
    const sameOrigin = resolveSigilAuthConfig({ issuer: 'https://app.example.com/sigil', apiOrigins: ['https://app.example.com'] });
    expect(classifyUrl('/api/lessons', base, sameOrigin)).toBe('api');
    expect(classifyUrl('/sigil/auth/login', base, sameOrigin)).toBe('auth-endpoint');
    expect(classifyUrl('/auth/login', base, sameOrigin)).toBe('api');
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
