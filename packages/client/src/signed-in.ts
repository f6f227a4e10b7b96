import { tokenAfterRejection } from './auth-fetch.ts';
import type { SigilClient, SigilSession } from './client.ts';
import { requestsOf } from './client-requests.ts';
import { hasCode, SigilClientError } from './errors.ts';

export type Method = 'GET' | 'POST' | 'PATCH' | 'DELETE';

/**
 * The JSON requests of the entry points built on a client (`@sigil/client/account`, `/passkeys`):
 * `send` as anyone, `signedIn` as the client's user.
 *
 * @example
 * const { send, signedIn, json } = jsonRequests(client);
 * const sessions = await signedIn('GET', '/auth/sessions');
 */
export function jsonRequests(client: SigilClient | SigilSession) {
  const { request, json } = requestsOf(client);

  function send(method: Method, path: string, body?: object, token?: string): Promise<Response> {
    const headers: Record<string, string> = { Accept: 'application/json' };
    if (body) headers['Content-Type'] = 'application/json';
    if (token) headers['Authorization'] = `Bearer ${token}`;
    return request(path, { method, headers, body: body && JSON.stringify(body) });
  }

  /**
   * A request as the signed-in user: `not_logged_in` without a session. A 401 `invalid_token`
   * (the token expired or was revoked on the way) gets one renewed token and one retry; any other
   * refusal (a wrong password's 400 `invalid_request`, a 401 `invalid_credentials`...) is the answer.
   */
  async function signedIn(method: Method, path: string, body?: object) {
    const token = await client.getAccessToken();
    if (token === null) throw new SigilClientError('not_logged_in', 'Not signed in');
    try {
      return await json(send(method, path, body, token));
    } catch (error) {
      if (!hasCode(error, 'invalid_token')) throw error;
      const renewed = await tokenAfterRejection(client, token).catch(() => null);
      if (renewed === null || renewed === token) throw error;
      return json(send(method, path, body, renewed));
    }
  }

  return { send, signedIn, json };
}
