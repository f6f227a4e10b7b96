import { describe, expect, it } from 'vitest';
import { postForm } from './oauth-request.ts';

/** A token endpoint that answers `response` once, recording what it received. */
function endpoint(response: Response) {
  const received: RequestInit[] = [];
  const fetch = (async (_url: RequestInfo | URL, init?: RequestInit) => (received.push(init!), response)) as typeof globalThis.fetch;
  return {
    received,
    post: () => postForm(fetch, 'https://auth.example.com/oauth/token', { grant_type: 'refresh_token', scope: undefined }, () => 0),
  };
}
const json = (status: number, body: unknown, headers: Record<string, string> = {}) =>
  new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json', ...headers } });

describe('OAuth requests (RFC 6749 3.2 and 5.2)', () => {
  it('posts a form without cookies, leaving out parameters that are not given', async () => {
    const token = endpoint(json(200, { access_token: 'a' }));
    await expect(token.post()).resolves.toEqual({ access_token: 'a' });
    const [init] = token.received;
    expect(String(init!.body)).toBe('grant_type=refresh_token');
    expect(init!.credentials).toBe('omit');
    expect(new Headers(init!.headers).get('content-type')).toBe('application/x-www-form-urlencoded');
  });

  it("reads an OAuth error's code and description", async () => {
    await expect(
      endpoint(json(400, { error: 'invalid_grant', error_description: 'The refresh token was used' })).post(),
    ).rejects.toMatchObject({
      code: 'invalid_grant',
      status: 400,
      detail: 'The refresh token was used',
    });
    await expect(endpoint(json(401, { error: 'invalid_client' })).post()).rejects.toMatchObject({ code: 'invalid_client', status: 401 });
  });

  it('makes 429 and 503 reasons to retry (rate_limited, unavailable with retryAfter), never invalid_request', async () => {
    await expect(endpoint(json(429, { error: 'invalid_request' }, { 'retry-after': '7' })).post()).rejects.toMatchObject({
      code: 'rate_limited',
      retryAfter: 7,
    });
    await expect(endpoint(json(503, { error: 'temporarily_unavailable' }, { 'retry-after': '2' })).post()).rejects.toMatchObject({
      code: 'unavailable',
      retryAfter: 2,
    });
  });

  it("reads a proxy's page by its status", async () => {
    await expect(endpoint(new Response('<h1>Bad gateway</h1>', { status: 502 })).post()).rejects.toMatchObject({ code: 'internal_error' });
  });

  it('is network_error when the server cannot be reached', async () => {
    const unreachable = (async () => {
      throw new TypeError('Failed to fetch');
    }) as typeof globalThis.fetch;
    await expect(postForm(unreachable, 'https://auth.example.com/oauth/token', {}, () => 0)).rejects.toMatchObject({
      code: 'network_error',
    });
  });
});
