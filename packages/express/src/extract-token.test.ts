import { describe, expect, it } from 'vitest';
import { bearerToken, cookieToken } from './extract-token.ts';

describe('bearerToken', () => {
  it.each<[string, string | null | undefined]>([
    ['Bearer abc', 'abc'],
    ['bEARER   abc  ', 'abc'],
    ['Bearer', null],
    ['Bearer   ', null],
    ['Basic abc', undefined],
    ['Bearerabc', undefined],
  ])('%j -> %s', (header, expected) => {
    expect(bearerToken(header)).toBe(expected);
  });
});

describe('cookieToken', () => {
  it.each<[string | undefined, string | undefined]>([
    [undefined, undefined],
    ['a=1; at="tok"; b=2', 'tok'],
    ['at=tok', 'tok'],
    ['xat=tok', undefined],
    ['at=', undefined],
  ])('%j -> %s', (cookie, expected) => {
    expect(cookieToken(cookie, 'at')).toBe(expected);
  });
});
