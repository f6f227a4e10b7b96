import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createSigilAccount } from './account.ts';
import { createSigilClient, SigilClientError, StepUpRequiredError, type AuthEvent, type SigilClient } from './index.ts';
import { stepUpRequired } from './internal.ts';
import { PASSWORD, startAuth, startStepUpApi, totpCode, type TestAuth } from './test-servers.ts';

let auth: TestAuth;
/** The auth server's and the API's clock, moved forward (never back) to age a sign-in. */
let offsetMs = 0;
const clock = () => Date.now() + offsetMs;
let api: Awaited<ReturnType<typeof startStepUpApi>>;
const clients: SigilClient[] = [];
let testId = 0;
let userId = 0;

beforeAll(async () => {
  auth = await startAuth({ ipRequestsPerMinute: 100_000, now: () => new Date(clock()) });
  api = await startStepUpApi(auth.auth.issuer, clock);
});
afterAll(async () => {
  await api?.close();
  await auth?.close();
});
afterEach(() => {
  for (const client of clients.splice(0)) client.destroy();
  auth.requests.length = 0;
  testId++;
});

/** A fresh account for each test, signed in on a new client. */
async function signedIn(): Promise<{ client: SigilClient; email: string }> {
  const client = createSigilClient({
    issuer: auth.url,
    apiOrigins: [api.url],
    lockName: `lock-${testId}`,
    channelName: `channel-${testId}`,
  });
  clients.push(client);
  const email = `stepper${++userId}@example.com`;
  await auth.auth.createUser({ email, password: PASSWORD, name: 'Stepper' });
  await client.login({ email, password: PASSWORD });
  return { client, email };
}

const refreshes = () => auth.count('POST', '/auth/refresh');
const failure = (pending: Promise<unknown>) =>
  pending.then(
    () => undefined,
    (error: unknown) => error,
  );
/** The claims of an access token (read, not verified: this test's server issued it). */
const claims = (token: string | null) =>
  JSON.parse(Buffer.from(token!.split('.')[1]!, 'base64url').toString('utf8')) as Record<string, unknown>;

describe('stepUpRequired', () => {
  it('reads the RFC 9470 challenge: max_age as a token or quoted, acr_values as a quoted list', () => {
    const error = stepUpRequired(
      'Bearer realm="sigil", error="insufficient_user_authentication", error_description="A more recent authentication is required", max_age=300, acr_values="urn:a urn:b"',
      undefined,
    );
    expect(error).toBeInstanceOf(StepUpRequiredError);
    expect(error).toBeInstanceOf(SigilClientError);
    expect(error).toMatchObject({
      name: 'StepUpRequiredError',
      code: 'insufficient_user_authentication',
      status: 401,
      maxAge: 300,
      acrValues: ['urn:a', 'urn:b'],
    });
    expect(stepUpRequired('Bearer error="insufficient_user_authentication", max_age="60"', null)?.maxAge).toBe(60);
    expect(stepUpRequired('Bearer ERROR = "insufficient_user_authentication"', null)).toMatchObject({
      maxAge: undefined,
      acrValues: undefined,
    });
  });

  it('recognises the problem body alone, and nothing else', () => {
    const fromBody = stepUpRequired(null, {
      code: 'insufficient_user_authentication',
      detail: 'A stronger authentication method is required',
    });
    expect(fromBody).toMatchObject({
      code: 'insufficient_user_authentication',
      detail: 'A stronger authentication method is required',
      maxAge: undefined,
    });
    expect(stepUpRequired('Bearer realm="sigil", error="invalid_token"', { code: 'invalid_token' })).toBeUndefined();
    expect(stepUpRequired('Bearer realm="sigil"', null)).toBeUndefined();
    expect(stepUpRequired(undefined, 'insufficient_user_authentication')).toBeUndefined();
    expect(stepUpRequired('Bearer error="insufficient_user_authentication", max_age=soon', null)?.maxAge).toBeUndefined();
    expect(stepUpRequired('Bearer error="insufficient_user_authentication", acr_values=urn:c', null)?.acrValues).toEqual(['urn:c']);
  });
});

describe("fetch and an API's step-up challenge", () => {
  it('rejects with StepUpRequiredError, with no refresh and the session kept', async () => {
    const { client } = await signedIn();
    const token = await client.getAccessToken();
    // A password sign-in: the server's token says so, which a second-factor route refuses.
    expect(claims(token)).toMatchObject({ amr: ['pwd'], auth_time: expect.any(Number) });
    const error = await failure(client.fetch(`${api.url}/lessons/1`, { method: 'DELETE' }));
    expect(error).toBeInstanceOf(StepUpRequiredError);
    expect(error).toMatchObject({
      code: 'insufficient_user_authentication',
      status: 401,
      maxAge: 300,
      detail: 'A stronger authentication method is required',
    });
    expect(refreshes()).toBe(0);
    expect(client.isLoggedIn).toBe(true);
    expect(await client.getAccessToken()).toBe(token);
    // The token itself is fine: routes without a level take it.
    expect((await client.fetch(`${api.url}/data`)).status).toBe(200);
  });

  it('gives the acr_values the route names', async () => {
    const { client } = await signedIn();
    await expect(client.fetch(`${api.url}/acr`)).rejects.toMatchObject({ acrValues: ['urn:sigil:high'], maxAge: undefined });
  });

  it('recognises the step-up from the problem body when the challenge header is hidden', async () => {
    const { client } = await signedIn();
    const error = await failure(client.fetch(`${api.url}/hidden`));
    expect(error).toBeInstanceOf(StepUpRequiredError);
    expect(error).toMatchObject({ detail: 'A stronger authentication method is required', maxAge: undefined });
    expect(refreshes()).toBe(0);
  });

  it('still renews a refused token first, then reports the step-up the retry meets', async () => {
    const { client } = await signedIn();
    api.revoke((await client.getAccessToken())!);
    await expect(client.fetch(`${api.url}/lessons/1`, { method: 'DELETE' })).rejects.toBeInstanceOf(StepUpRequiredError);
    expect(refreshes()).toBe(1);
    expect(client.isLoggedIn).toBe(true);
  });
});

describe('stepUp', () => {
  it('renews an old sign-in: a fresh auth_time in new tokens, the replaced session ended, the request then passes', async () => {
    const { client, email } = await signedIn();
    const account = createSigilAccount(client);
    expect((await client.fetch(`${api.url}/recent`, { method: 'POST', body: 'x' })).status).toBe(200);
    // Ten minutes later (the access token renewed on the way): the sign-in is too old for the route.
    offsetMs += 600_000;
    const error = await failure(client.fetch(`${api.url}/recent`, { method: 'POST', body: 'x' }));
    expect(error).toMatchObject({ name: 'StepUpRequiredError', maxAge: 300, detail: 'A more recent authentication is required' });
    const before = await client.getAccessToken();
    const events: AuthEvent[] = [];
    client.subscribe((event) => events.push(event));

    await expect(account.stepUp({ password: PASSWORD })).resolves.toMatchObject({ email });
    const after = await client.getAccessToken();
    expect(claims(after).sid).not.toBe(claims(before).sid);
    expect(claims(after).auth_time).toBeGreaterThanOrEqual(Math.floor(clock() / 1000) - 5);
    expect(claims(after).auth_time).toBeGreaterThan(claims(before).auth_time as number);
    expect(events.map((e) => [e.type, e.reason])).toEqual([['login', 'login']]);
    expect((await client.fetch(`${api.url}/recent`, { method: 'POST', body: 'x' })).status).toBe(200);
    // One session left, the new one: the replaced session does not linger in the account's list.
    const sessions = await account.sessions();
    expect(sessions.map((s) => [s.id, s.current])).toEqual([[claims(after).sid, true]]);
    const old = await fetch(`${auth.url}/auth/me`, { headers: { authorization: `Bearer ${before}` } });
    expect(old.status).toBe(401);
  });

  it('with the second factor, meets a route that needs one', async () => {
    const { client } = await signedIn();
    const account = createSigilAccount(client);
    const { secret } = await account.startTotpEnrolment();
    await account.confirmTotp(totpCode(secret, clock()));
    offsetMs += 30_000; // a code works once: the next one belongs to a later step
    await expect(client.fetch(`${api.url}/lessons/1`, { method: 'DELETE' })).rejects.toBeInstanceOf(StepUpRequiredError);
    const before = await client.getAccessToken();

    // Without a code the account's second factor is asked for; a wrong one is refused. Nothing changes.
    await expect(account.stepUp({ password: PASSWORD })).rejects.toMatchObject({ code: 'mfa_required' });
    await expect(account.stepUp({ password: PASSWORD, code: '000000' })).rejects.toMatchObject({ code: 'invalid_mfa' });
    expect(await client.getAccessToken()).toBe(before);

    await account.stepUp({ password: PASSWORD, code: totpCode(secret, clock()) });
    expect(claims(await client.getAccessToken())).toMatchObject({ amr: ['pwd', 'otp', 'mfa'] });
    expect((await client.fetch(`${api.url}/lessons/1`, { method: 'DELETE' })).status).toBe(200);
    expect((await account.sessions()).length).toBe(1);
  });

  it('keeps the session as it was on a wrong password', async () => {
    const { client } = await signedIn();
    const before = await client.getAccessToken();
    await expect(createSigilAccount(client).stepUp({ password: 'not my password' })).rejects.toMatchObject({ code: 'invalid_credentials' });
    expect(await client.getAccessToken()).toBe(before);
    expect((await createSigilAccount(client).sessions()).length).toBe(1);
  });

  it('needs a session', async () => {
    const client = createSigilClient({ issuer: auth.url, apiOrigins: [] });
    clients.push(client);
    await expect(createSigilAccount(client).stepUp({ password: PASSWORD })).rejects.toMatchObject({ code: 'not_logged_in' });
    expect(auth.requests).toEqual([]);
  });
});
