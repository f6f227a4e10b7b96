import type { IncomingMessage } from 'node:http';
import { describe, expect, it } from 'vitest';
import { extractToken } from './extract-token.ts';

const req = (headers: Record<string, string>) => ({ headers }) as unknown as IncomingMessage;

describe('extractToken', () => {
  it.each<[Record<string, string>, string | undefined, string | null | undefined]>([
    [{}, undefined, undefined],
    [{ authorization: 'Bearer abc' }, undefined, 'abc'],
    [{ authorization: 'bEARER   abc  ' }, undefined, 'abc'],
    [{ authorization: 'Bearer' }, undefined, null],
    [{ authorization: 'Bearer   ' }, undefined, null],
    [{ authorization: 'Basic abc' }, undefined, undefined],
    [{ authorization: 'Bearerabc' }, undefined, undefined],
    [{ authorization: 'Basic abc', cookie: 'at=tok' }, 'at', 'tok'],
    [{ cookie: 'a=1; at="tok"; b=2' }, 'at', 'tok'],
    [{ cookie: 'xat=tok' }, 'at', undefined],
    [{ cookie: 'at=' }, 'at', undefined],
  ])('%j (cookie %s) -> %s', (headers, cookie, expected) => {
    expect(extractToken(req(headers), cookie)).toBe(expected);
  });
});
