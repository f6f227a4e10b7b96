import { describe, expect, it } from 'vitest';
import { errorFromResponse, parseRetryAfter, SigilClientError } from './errors.ts';

const problem = (status: number, body: unknown, headers: Record<string, string> = {}) =>
  new Response(typeof body === 'string' ? body : JSON.stringify(body), {
    status,
    headers: { 'content-type': 'application/problem+json', ...headers },
  });

describe('errorFromResponse', () => {
  it('keeps the server code, status and detail', async () => {
    const error = await errorFromResponse(
      problem(401, {
        type: 'about:blank',
        title: 'Unauthorized',
        status: 401,
        detail: 'Invalid email or password',
        code: 'invalid_credentials',
      }),
      0,
    );
    expect(error).toBeInstanceOf(SigilClientError);
    expect(error.name).toBe('SigilClientError');
    expect(error.code).toBe('invalid_credentials');
    expect(error.status).toBe(401);
    expect(error.detail).toBe('Invalid email or password');
  });

  it('keeps email_not_verified, the login of an unverified account where verification is required', async () => {
    const error = await errorFromResponse(problem(403, { code: 'email_not_verified', title: 'Email address not verified' }), 0);
    expect(error).toMatchObject({ code: 'email_not_verified', status: 403 });
  });

  it('reads Retry-After seconds for rate_limited', async () => {
    const error = await errorFromResponse(problem(429, { code: 'rate_limited', title: 'Too Many Requests' }, { 'retry-after': '17' }), 0);
    expect(error.code).toBe('rate_limited');
    expect(error.retryAfter).toBe(17);
  });

  it('maps a non-JSON error page to a code by status', async () => {
    expect((await errorFromResponse(problem(502, '<html>Bad gateway</html>'), 0)).code).toBe('internal_error');
    expect((await errorFromResponse(problem(429, 'slow down'), 0)).code).toBe('rate_limited');
  });

  it('keeps cause out of sight unless there is one', () => {
    const cause = new Error('offline');
    const error = new SigilClientError('network_error', 'Cannot reach', { cause });
    expect(error.cause).toBe(cause);
    expect(Object.keys(error)).not.toContain('cause');
    expect('cause' in new SigilClientError('not_logged_in', 'No session')).toBe(false);
  });

  it("keeps the server's 503 unavailable (a code of @sigil/core's table): retry later, not logged out", async () => {
    const error = await errorFromResponse(
      problem(503, { code: 'unavailable', title: 'Service temporarily unavailable' }, { 'retry-after': '1' }),
      0,
    );
    expect(error.code).toBe('unavailable');
    expect(error.code).not.toBe('invalid_grant');
    expect(error.retryAfter).toBe(1);
  });

  it('does not trust unknown codes', async () => {
    expect((await errorFromResponse(problem(400, { code: 'made_up' }), 0)).code).toBe('invalid_request');
  });
});

describe('parseRetryAfter', () => {
  it('parses seconds and HTTP dates', () => {
    expect(parseRetryAfter('5', 0)).toBe(5);
    expect(parseRetryAfter(new Date(30_000).toUTCString(), 0)).toBe(30);
    expect(parseRetryAfter(new Date(0).toUTCString(), 60_000)).toBe(0);
    expect(parseRetryAfter(null, 0)).toBeUndefined();
    expect(parseRetryAfter('soon', 0)).toBeUndefined();
  });
});
