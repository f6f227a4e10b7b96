/** Direct calls to the auth server and the demo API, as a second client beside the browser. */
import { randomUUID } from 'node:crypto';
import { API, AUTH } from './stack.ts';

export interface TokenResponse {
  access_token: string;
  refresh_token: string;
  expires_in: number;
  user: { id: string; email: string; name: string | null; roles: string[] };
}

async function json<T>(response: Response, expected: number): Promise<T> {
  const body = await response.text();
  if (response.status !== expected) throw new Error(`${response.url}: expected ${expected}, got ${response.status} ${body}`);
  return (body === '' ? undefined : JSON.parse(body)) as T;
}

/** Signs in through `POST /auth/login` (refresh token in the body). */
export async function apiLogin(email: string, password: string): Promise<TokenResponse> {
  const response = await fetch(`${AUTH}/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email, password }),
  });
  return json(response, 200);
}

/** A new user of its own, with no session yet, for a test that must not share sessions. */
export async function signupFreshUser(): Promise<{ email: string; password: string; name: string }> {
  const user = { email: `e2e-${randomUUID()}@sigil.dev`, password: `pw-${randomUUID()}`, name: 'E2E Tester' };
  const signedUp = await json<TokenResponse>(
    await fetch(`${AUTH}/auth/signup`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(user) }),
    201,
  );
  await apiLogout(signedUp.refresh_token);
  return user;
}

/** Ends the session of `refreshToken` (`POST /auth/logout`, 204). */
export async function apiLogout(refreshToken: string): Promise<void> {
  await json(
    await fetch(`${AUTH}/auth/logout`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ refresh_token: refreshToken }),
    }),
    204,
  );
}

export interface SessionInfo {
  id: string;
  current: boolean;
}

export async function listSessions(accessToken: string): Promise<SessionInfo[]> {
  const response = await fetch(`${AUTH}/auth/sessions`, { headers: { authorization: `Bearer ${accessToken}` } });
  return (await json<{ sessions: SessionInfo[] }>(response, 200)).sessions;
}

export async function revokeSession(accessToken: string, id: string): Promise<void> {
  await json(
    await fetch(`${AUTH}/auth/sessions/${encodeURIComponent(id)}`, {
      method: 'DELETE',
      headers: { authorization: `Bearer ${accessToken}` },
    }),
    204,
  );
}

export async function lessonTitles(accessToken: string): Promise<string[]> {
  const response = await fetch(`${API}/api/lessons`, { headers: { authorization: `Bearer ${accessToken}` } });
  return (await json<{ lessons: { title: string }[] }>(response, 200)).lessons.map((l) => l.title);
}

/** `POST /api/lessons` as the holder of `accessToken`: the raw response. */
export function postLesson(accessToken: string, title: string): Promise<Response> {
  return fetch(`${API}/api/lessons`, {
    method: 'POST',
    headers: { authorization: `Bearer ${accessToken}`, 'content-type': 'application/json' },
    body: JSON.stringify({ title }),
  });
}

/** The payload of a JWT (no verification: the servers do that; tests only read claims). */
export function claims(jwt: string): Record<string, unknown> {
  return JSON.parse(Buffer.from(jwt.split('.')[1] ?? '', 'base64url').toString()) as Record<string, unknown>;
}
