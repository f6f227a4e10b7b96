import { decodeJwt } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAX_PASSKEYS_PER_USER } from '../src/passkeys/index.ts';
import { upsertPendingTotpFactor } from '../src/storage/totp-factors.ts';
import { PASSWORD, expectProblem, request, signup, startTestServer, type TestServer } from './helpers/auth-server.ts';
import { sharedMemoryPGlite, testDrivers, uniqueSchema } from './support/database.ts';
import { FLAGS, createSoftwareAuthenticator, type SoftwareAuthenticator } from './support/software-authenticator.ts';

// Passkeys over real HTTP, with a software authenticator standing in for the browser and the
// device: it signs what a real one signs, so every refusal below is the server's own check.

const ISSUER = 'http://localhost:4000';
const APP = 'http://localhost:4200';
const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

beforeAll(async () => {
  await sharedMemoryPGlite();
}, 120_000);

describe.each(testDrivers())('passkeys on $name', (driver) => {
  // A clock the tests move forward to expire challenges.
  let offset = 0;
  let t: TestServer;
  const url = () => t.url;
  beforeAll(async () => {
    t = await startTestServer({
      ...driver.configFor(uniqueSchema('passkeys')),
      issuer: ISSUER,
      allowedOrigins: [APP],
      now: () => new Date(Date.now() + offset),
    });
  });
  afterAll(() => t?.close());

  const registrationOptions = (token: string) =>
    request(`${url()}/auth/passkeys/registration/options`, { method: 'POST', headers: bearer(token) });
  const loginOptions = (body: object = {}) => request(`${url()}/auth/passkeys/login/options`, { body });
  const login = (response: unknown, headers: Record<string, string> = {}) =>
    request(`${url()}/auth/passkeys/login`, { body: { response }, headers });

  /** Registers a new passkey of `authenticator` for the user with `token`; returns the 201's passkey. */
  async function register(token: string, authenticator: SoftwareAuthenticator, name?: string) {
    const options = await registrationOptions(token);
    expect(options.status).toBe(200);
    const res = await request(`${url()}/auth/passkeys/registration`, {
      body: { response: authenticator.register(options.body), ...(name === undefined ? {} : { name }) },
      headers: bearer(token),
    });
    expect(res.status, res.text).toBe(201);
    return res.body.passkey as { id: string; name: string; created_at: string; last_used_at: string | null };
  }

  /** A new account with one passkey on a fresh authenticator. */
  async function accountWithPasskey(authenticatorOptions: { origin?: string; synced?: boolean; counts?: boolean } = {}) {
    const user = await signup(url());
    const authenticator = createSoftwareAuthenticator({ origin: ISSUER, ...authenticatorOptions });
    const passkey = await register(user.access_token, authenticator);
    return { user, authenticator, passkey };
  }

  /** Options, then the authenticator's assertion for them (with `overrides`), then the login. */
  async function signInWith(authenticator: SoftwareAuthenticator, overrides: Parameters<SoftwareAuthenticator['assert']>[1] = {}) {
    const options = await loginOptions();
    expect(options.status).toBe(200);
    return login(authenticator.assert(options.body, overrides));
  }

  describe('registration', () => {
    it('offers a discoverable credential with user verification for the RP ID, excluding the passkeys the user has', async () => {
      const user = await signup(url());
      const first = await registrationOptions(user.access_token);
      expect(first.status).toBe(200);
      expect(first.headers.get('cache-control')).toBe('no-store');
      expect(first.body).toMatchObject({
        rp: { id: 'localhost', name: 'Sigil' },
        user: { name: user.email, displayName: 'Test User' },
        attestation: 'none',
        excludeCredentials: [],
        authenticatorSelection: { residentKey: 'required', requireResidentKey: true, userVerification: 'required' },
        timeout: 300_000,
      });
      // EdDSA, ES256, RS256: no experimental (post-quantum) algorithm.
      expect(first.body.pubKeyCredParams).toEqual([-8, -7, -257].map((alg) => ({ alg, type: 'public-key' })));
      expect(first.body.challenge).toMatch(/^[A-Za-z0-9_-]{43}$/);
      // The user handle is the account id's bytes, never the address.
      expect(Buffer.from(first.body.user.id, 'base64url').toString('hex')).toBe(user.user.id.replaceAll('-', ''));

      const authenticator = createSoftwareAuthenticator({ origin: ISSUER });
      await register(user.access_token, authenticator);
      const second = await registrationOptions(user.access_token);
      expect(second.body.excludeCredentials).toEqual([
        { id: authenticator.credentials[0]!.id, type: 'public-key', transports: ['internal', 'hybrid'] },
      ]);
      expectProblem(await request(`${url()}/auth/passkeys/registration/options`, { method: 'POST' }), 401, 'invalid_token');
    });

    it('registers several passkeys, from the hosted page and the app origin, each listed with its name', async () => {
      const user = await signup(url());
      const laptop = createSoftwareAuthenticator({ origin: ISSUER });
      const phone = createSoftwareAuthenticator({ origin: APP, synced: true });
      const key = createSoftwareAuthenticator({ origin: APP });
      const a = await register(user.access_token, laptop, '  MacBook  ');
      const b = await register(user.access_token, phone, 'Phone');
      const c = await register(user.access_token, key);
      expect(a).toEqual({ id: expect.any(String), name: 'MacBook', created_at: expect.any(String), last_used_at: null });
      expect(b.name).toBe('Phone');
      expect(c.name).toBe('Passkey 3');

      const list = await request(`${url()}/auth/passkeys`, { headers: bearer(user.access_token) });
      expect(list.status).toBe(200);
      expect(list.headers.get('cache-control')).toBe('no-store');
      expect(list.body).toEqual({ passkeys: [a, b, c] });
      expect(JSON.stringify(list.body)).not.toContain(laptop.credentials[0]!.id);
    });

    it('refuses a response for a used, expired, foreign or login challenge (400 invalid_request)', async () => {
      const user = await signup(url());
      const other = await signup(url());
      const authenticator = createSoftwareAuthenticator({ origin: ISSUER });
      const send = (response: unknown, token = user.access_token) =>
        request(`${url()}/auth/passkeys/registration`, { body: { response }, headers: bearer(token) });

      const options = (await registrationOptions(user.access_token)).body;
      const response = authenticator.register(options);
      expect((await send(response)).status).toBe(201);
      expectProblem(await send(response), 400, 'invalid_request');

      // Another user's challenge is burned by the attempt and registers nothing for either.
      const another = () => createSoftwareAuthenticator({ origin: ISSUER });
      const foreign = another().register((await registrationOptions(other.access_token)).body);
      expectProblem(await send(foreign), 400, 'invalid_request');
      expectProblem(await send(foreign, other.access_token), 400, 'invalid_request');

      const login = (await loginOptions()).body;
      expectProblem(await send(another().register({ ...options, challenge: login.challenge })), 400, 'invalid_request');

      const late = (await registrationOptions(user.access_token)).body;
      offset += 301_000;
      try {
        expectProblem(await send(another().register(late)), 400, 'invalid_request');
      } finally {
        offset -= 301_000;
      }
      const list = await request(`${url()}/auth/passkeys`, { headers: bearer(user.access_token) });
      expect(list.body.passkeys).toHaveLength(1);
    });

    it('refuses a wrong origin, a wrong RP ID, and a missing user verification', async () => {
      const user = await signup(url());
      const authenticator = createSoftwareAuthenticator({ origin: ISSUER });
      const attempt = async (overrides: Parameters<SoftwareAuthenticator['register']>[1]) => {
        const options = (await registrationOptions(user.access_token)).body;
        return request(`${url()}/auth/passkeys/registration`, {
          body: { response: authenticator.register(options, overrides) },
          headers: bearer(user.access_token),
        });
      };
      expectProblem(await attempt({ origin: 'https://evil.example' }), 400, 'invalid_request');
      expectProblem(await attempt({ origin: 'http://localhost:4001' }), 400, 'invalid_request');
      expectProblem(await attempt({ rpId: 'evil.example' }), 400, 'invalid_request');
      expectProblem(await attempt({ flags: FLAGS.UP | FLAGS.AT }), 400, 'invalid_request');
      expectProblem(await attempt({ type: 'webauthn.get' }), 400, 'invalid_request');
      expect((await request(`${url()}/auth/passkeys`, { headers: bearer(user.access_token) })).body.passkeys).toEqual([]);
      const refusals = t.logs.filter((line) => line.event === 'passkey_registration_refused' && line.userId === user.user.id);
      expect(refusals.map((line) => line.reason)).toEqual([
        expect.stringMatching(/origin/i),
        expect.stringMatching(/origin/i),
        expect.stringMatching(/RP ID/i),
        expect.stringMatching(/verif/i),
        expect.stringMatching(/type/i),
      ]);
    });

    it(`stops at ${MAX_PASSKEYS_PER_USER} passkeys per account`, async () => {
      const user = await signup(url());
      for (let i = 0; i < MAX_PASSKEYS_PER_USER; i++) await register(user.access_token, createSoftwareAuthenticator({ origin: ISSUER }));
      expectProblem(await registrationOptions(user.access_token), 400, 'invalid_request');
    });
  });

  describe('managing passkeys', () => {
    it('renames and deletes its own passkeys; another user\'s are "not found"', async () => {
      const { user, passkey, authenticator } = await accountWithPasskey();
      const mallory = await signup(url());
      const patch = (id: string, body: unknown, token = user.access_token) =>
        request(`${url()}/auth/passkeys/${id}`, { method: 'PATCH', body, headers: bearer(token) });
      const remove = (id: string, token = user.access_token) =>
        request(`${url()}/auth/passkeys/${id}`, { method: 'DELETE', headers: bearer(token) });

      const renamed = await patch(passkey.id, { name: 'Work laptop' });
      expect(renamed.status).toBe(200);
      expect(renamed.body).toEqual({ passkey: { ...passkey, name: 'Work laptop' } });
      expectProblem(await patch(passkey.id, { name: '' }), 400, 'invalid_request');
      expectProblem(await patch(passkey.id, { name: 'x'.repeat(65) }), 400, 'invalid_request');
      expectProblem(await patch(passkey.id, { name: 'a\nb' }), 400, 'invalid_request');

      expectProblem(await patch(passkey.id, { name: 'mine now' }, mallory.access_token), 404, 'not_found');
      expectProblem(await remove(passkey.id, mallory.access_token), 404, 'not_found');
      expectProblem(await patch('not-a-uuid', { name: 'x' }), 404, 'not_found');
      expectProblem(await remove('00000000-0000-4000-8000-000000000000'), 404, 'not_found');

      expect((await signInWith(authenticator)).status).toBe(200);
      expect((await remove(passkey.id)).status).toBe(204);
      expectProblem(await remove(passkey.id), 404, 'not_found');
      expect((await request(`${url()}/auth/passkeys`, { headers: bearer(user.access_token) })).body).toEqual({ passkeys: [] });
      // A deleted passkey signs nobody in.
      expectProblem(await signInWith(authenticator), 401, 'invalid_credentials');
    });

    it('deleting the account deletes its passkeys', async () => {
      const { user, authenticator } = await accountWithPasskey();
      const res = await request(`${url()}/auth/account`, {
        method: 'DELETE',
        body: { password: PASSWORD },
        headers: bearer(user.access_token),
      });
      expect(res.status).toBe(204);
      expect(await t.db.query('SELECT id FROM passkeys WHERE user_id = $1', [user.user.id])).toEqual([]);
      expectProblem(await signInWith(authenticator), 401, 'invalid_credentials');
    });
  });

  describe('passwordless sign-in', () => {
    it('options list no credentials (discoverable passkeys, conditional UI) and require user verification', async () => {
      for (const body of [{}, { email: 'ada@example.com' }]) {
        const options = await loginOptions(body);
        expect(options.status).toBe(200);
        expect(options.headers.get('cache-control')).toBe('no-store');
        expect(options.body).toEqual({
          challenge: expect.stringMatching(/^[A-Za-z0-9_-]{43}$/),
          rpId: 'localhost',
          allowCredentials: [],
          userVerification: 'required',
          timeout: 300_000,
        });
      }
      expectProblem(await loginOptions({ email: 'not an address' }), 400, 'invalid_request');
    });

    it('signs in with the passkey alone: a TokenResponse whose token works, last_used_at set', async () => {
      const { user, authenticator, passkey } = await accountWithPasskey();
      const res = await signInWith(authenticator);
      expect(res.status, res.text).toBe(200);
      expect(res.headers.get('cache-control')).toBe('no-store');
      expect(res.body).toMatchObject({ token_type: 'Bearer', user: user.user, refresh_token: expect.any(String) });
      expect(decodeJwt(res.body.access_token).sub).toBe(user.user.id);
      const me = await request(`${url()}/auth/me`, { headers: bearer(res.body.access_token) });
      expect(me.body.user.id).toBe(user.user.id);
      const refreshed = await request(`${url()}/auth/refresh`, { body: { refresh_token: res.body.refresh_token } });
      expect(refreshed.status).toBe(200);

      const list = await request(`${url()}/auth/passkeys`, { headers: bearer(user.access_token) });
      expect(list.body.passkeys[0].id).toBe(passkey.id);
      expect(Date.parse(list.body.passkeys[0].last_used_at)).toBeGreaterThan(Date.parse(passkey.created_at) - 1);
      // A passkey is multi-factor on its own (possession and user verification): no second step.
      const claims = decodeJwt(res.body.access_token);
      expect(claims.amr).toEqual(['hwk', 'user', 'mfa']);
      expect(claims.auth_time).toBeTypeOf('number');
      expect(t.logs.some((line) => line.event === 'login' && line.userId === user.user.id && String(line.amr) === 'hwk,user,mfa')).toBe(
        true,
      );
    });

    it('signs in from an app origin, with cookie delivery, and with a synced passkey or one without a counter', async () => {
      const fromApp = await accountWithPasskey({ origin: APP });
      const cookie = await signInWith(fromApp.authenticator).then(async () => {
        const options = await loginOptions();
        return login(fromApp.authenticator.assert(options.body), { 'x-sigil-token-delivery': 'cookie' });
      });
      expect(cookie.status).toBe(200);
      expect(cookie.body.refresh_token).toBeUndefined();
      expect(cookie.headers.get('set-cookie')).toMatch(/^sigil_refresh=.+HttpOnly/i);

      // A synced passkey's key leaves the hardware: a software key (swk).
      const synced = await accountWithPasskey({ synced: true });
      const syncedLogin = await signInWith(synced.authenticator);
      expect(syncedLogin.status).toBe(200);
      expect(decodeJwt(syncedLogin.body.access_token).amr).toEqual(['swk', 'user', 'mfa']);

      const counterless = await accountWithPasskey({ counts: false });
      for (let i = 0; i < 3; i++) expect((await signInWith(counterless.authenticator)).status).toBe(200);
    });

    it('a challenge is used once: the same assertion, or another one for its challenge, is refused', async () => {
      const { authenticator } = await accountWithPasskey();
      const options = (await loginOptions()).body;
      const assertion = authenticator.assert(options);
      expect((await login(assertion)).status).toBe(200);
      expectProblem(await login(assertion), 401, 'invalid_credentials');
      expectProblem(await login(authenticator.assert(options)), 401, 'invalid_credentials');
      // Concurrent presentations of one challenge: exactly one wins.
      const racing = (await loginOptions()).body;
      const answers = await Promise.all([login(authenticator.assert(racing)), login(authenticator.assert(racing))]);
      expect(answers.map((a) => a.status).sort()).toEqual([200, 401]);
    });

    it('an expired challenge is refused', async () => {
      const { authenticator } = await accountWithPasskey();
      const options = (await loginOptions()).body;
      offset += 300_000;
      try {
        expectProblem(await login(authenticator.assert(options)), 401, 'invalid_credentials');
      } finally {
        offset -= 300_000;
      }
    });

    it('a challenge issued for a registration does not sign in', async () => {
      const { user, authenticator } = await accountWithPasskey();
      const creation = (await registrationOptions(user.access_token)).body;
      const requestOptions = { ...(await loginOptions()).body, challenge: creation.challenge };
      expectProblem(await login(authenticator.assert(requestOptions)), 401, 'invalid_credentials');
    });

    it('a signature counter that does not move forward is refused and logged at warn', async () => {
      const { user, authenticator, passkey } = await accountWithPasskey();
      expect((await signInWith(authenticator, { counter: 5 })).status).toBe(200);
      for (const counter of [5, 3, 0]) expectProblem(await signInWith(authenticator, { counter }), 401, 'invalid_credentials');
      const warnings = t.logs.filter((line) => line.event === 'passkey_counter_regression' && line.passkeyId === passkey.id);
      expect(warnings.map((line) => [line.level, line.storedCounter, line.presentedCounter])).toEqual([
        [40, 5, 5],
        [40, 5, 3],
        [40, 5, 0],
      ]);
      expect(warnings[0]!.userId).toBe(user.user.id);
      // The genuine authenticator carries on above the stored counter.
      expect((await signInWith(authenticator, { counter: 6 })).status).toBe(200);
    });

    it('refuses a wrong origin, a wrong RP ID, missing user verification or presence, a bad signature', async () => {
      const { authenticator, passkey } = await accountWithPasskey();
      const stranger = createSoftwareAuthenticator({ origin: ISSUER });
      stranger.register({
        challenge: 'x',
        rp: { id: 'localhost', name: 'Sigil' },
        user: { id: 'AAAA', name: 'x', displayName: 'x' },
      });
      const cases: Array<[string, Parameters<SoftwareAuthenticator['assert']>[1]]> = [
        ['origin', { origin: 'https://evil.example' }],
        ['origin', { origin: 'http://localhost:4001' }],
        ['RP ID', { rpId: 'evil.example' }],
        ['verif', { flags: FLAGS.UP }],
        ['present', { flags: FLAGS.UV }],
        ['type', { type: 'webauthn.create' }],
        ['bad signature', { signWith: stranger.credentials[0]!.privateKey }],
        ['user handle', { userHandle: Buffer.alloc(16, 7).toString('base64url') }],
      ];
      for (const [, overrides] of cases) expectProblem(await signInWith(authenticator, overrides), 401, 'invalid_credentials');
      const reasons = t.logs.filter((line) => line.event === 'passkey_login_refused' && line.passkeyId === passkey.id).map((l) => l.reason);
      expect(reasons).toEqual(cases.map(([reason]) => expect.stringMatching(new RegExp(reason, 'i'))));
      // None of them consumed the real authenticator's standing: it still signs in.
      expect((await signInWith(authenticator)).status).toBe(200);
      // And a credential the server never registered is unknown.
      expectProblem(await signInWith(stranger), 401, 'invalid_credentials');
    });

    it('a disabled account does not sign in with its passkey', async () => {
      const { user, authenticator } = await accountWithPasskey();
      await t.server.service.setUserDisabled(user.user.id, true);
      expectProblem(await signInWith(authenticator), 401, 'invalid_credentials');
    });

    it('malformed bodies are 400 invalid_request; a forged clientDataJSON is 401', async () => {
      const { authenticator } = await accountWithPasskey();
      const good = authenticator.assert((await loginOptions()).body);
      expectProblem(await request(`${url()}/auth/passkeys/login`, { body: {} }), 400, 'invalid_request');
      expectProblem(await login({ ...good, type: 'password' }), 400, 'invalid_request');
      expectProblem(await login({ ...good, response: { ...good.response, signature: 'not base64url!' } }), 400, 'invalid_request');
      expectProblem(await login({ ...good, response: { ...good.response, clientDataJSON: 'e30' } }), 401, 'invalid_credentials');
    });
  });

  describe('as the second step of a password sign-in', () => {
    /** Turns on two-step verification for the user: a confirmed TOTP factor, stored directly. */
    async function withTotp(userId: string) {
      await upsertPendingTotpFactor(t.db, { userId, secret: 'JBSWY3DPEHPK3PXP', encrypted: false }, new Date());
      await t.db.query('UPDATE totp_factors SET confirmed_at = now() WHERE user_id = $1', [userId]);
    }
    const passwordLogin = (email: string) => request(`${url()}/auth/login`, { body: { email, password: PASSWORD } });

    it('a passkey alone does not make a password sign-in ask for a second factor', async () => {
      const { user } = await accountWithPasskey();
      const res = await passwordLogin(user.email);
      expect(res.status).toBe(200);
      expect(decodeJwt(res.body.access_token).amr).toEqual(['pwd']);
    });

    it("mfa_required lists passkey; options for the mfa_token list that account's passkeys; the assertion completes the sign-in", async () => {
      const { user, authenticator } = await accountWithPasskey();
      const second = createSoftwareAuthenticator({ origin: ISSUER, synced: true });
      await register(user.access_token, second);
      await withTotp(user.user.id);

      const first = await passwordLogin(user.email);
      expectProblem(first, 403, 'mfa_required');
      expect(first.body.methods).toEqual(['totp', 'passkey']);
      const mfaToken = first.body.mfa_token as string;

      const options = await loginOptions({ mfa_token: mfaToken });
      expect(options.status).toBe(200);
      expect(options.body.userVerification).toBe('required');
      expect(options.body.allowCredentials.map((c: { id: string }) => c.id)).toEqual([
        authenticator.credentials[0]!.id,
        second.credentials[0]!.id,
      ]);
      const res = await request(`${url()}/auth/passkeys/login`, { body: { response: second.assert(options.body), mfa_token: mfaToken } });
      expect(res.status, res.text).toBe(200);
      expect(decodeJwt(res.body.access_token).amr).toEqual(['pwd', 'swk', 'user', 'mfa']);
      // The mfa token is used up.
      const reuse = await request(`${url()}/auth/passkeys/login`, {
        body: { response: second.assert((await loginOptions()).body), mfa_token: mfaToken },
      });
      expectProblem(reuse, 400, 'invalid_grant');
      expectProblem(await loginOptions({ mfa_token: mfaToken }), 400, 'invalid_grant');
    });

    it('POST /auth/mfa/verify takes the passkey too (method "passkey", the assertion as response)', async () => {
      const { user, authenticator } = await accountWithPasskey();
      await withTotp(user.user.id);
      const mfaToken = (await passwordLogin(user.email)).body.mfa_token as string;
      const options = await loginOptions({ mfa_token: mfaToken });
      const res = await request(`${url()}/auth/mfa/verify`, {
        body: { mfa_token: mfaToken, method: 'passkey', response: authenticator.assert(options.body) },
      });
      expect(res.status, res.text).toBe(200);
      expect(decodeJwt(res.body.access_token).amr).toEqual(['pwd', 'hwk', 'user', 'mfa']);
    });

    it("refuses another account's passkey (401 invalid_mfa), a bad assertion, and another client's mfa_token", async () => {
      const { user, authenticator } = await accountWithPasskey();
      const mallory = await accountWithPasskey();
      await withTotp(user.user.id);
      const mfaToken = (await passwordLogin(user.email)).body.mfa_token as string;
      const complete = (response: unknown, headers: Record<string, string> = {}) =>
        request(`${url()}/auth/passkeys/login`, { body: { response, mfa_token: mfaToken }, headers });

      // Mallory's passkey, for options without the mfa token (her browser's account chooser).
      expectProblem(await complete(mallory.authenticator.assert((await loginOptions()).body)), 401, 'invalid_mfa');
      const options = await loginOptions({ mfa_token: mfaToken });
      expectProblem(await complete(authenticator.assert(options.body, { flags: FLAGS.UP })), 401, 'invalid_mfa');
      // Another client (User-Agent) cannot use the token, not even for options.
      const elsewhere = { 'user-agent': 'another browser' };
      expectProblem(
        await request(`${url()}/auth/passkeys/login/options`, { body: { mfa_token: mfaToken }, headers: elsewhere }),
        400,
        'invalid_grant',
      );
      expectProblem(
        await complete(authenticator.assert((await loginOptions({ mfa_token: mfaToken })).body), elsewhere),
        400,
        'invalid_grant',
      );
      expectProblem(await loginOptions({ mfa_token: 'x'.repeat(43) }), 400, 'invalid_grant');
      // The right passkey still completes it.
      expect((await complete(authenticator.assert((await loginOptions({ mfa_token: mfaToken })).body))).status).toBe(200);
      expect(t.logs.some((line) => line.event === 'mfa_failed' && line.userId === user.user.id && line.method === 'passkey')).toBe(true);
    });

    it("options issued for one account's second step do not serve another account's", async () => {
      const ada = await accountWithPasskey();
      const bob = await accountWithPasskey();
      await withTotp(ada.user.user.id);
      await withTotp(bob.user.user.id);
      const adaToken = (await passwordLogin(ada.user.email)).body.mfa_token as string;
      const bobToken = (await passwordLogin(bob.user.email)).body.mfa_token as string;
      const adaOptions = await loginOptions({ mfa_token: adaToken });
      // Bob's own passkey, for the challenge of Ada's step, presented with Bob's token.
      const crossed = bob.authenticator.assert({ ...adaOptions.body, allowCredentials: [] });
      const res = await request(`${url()}/auth/passkeys/login`, { body: { response: crossed, mfa_token: bobToken } });
      expectProblem(res, 401, 'invalid_mfa');
      expect(
        t.logs.some(
          (line) =>
            line.event === 'passkey_login_refused' && line.reason === 'passkey of another account' && line.userId === bob.user.user.id,
        ),
      ).toBe(true);
    });

    it('options issued for a second step do not sign in passwordless; a passkey sign-in skips the second step', async () => {
      const { user, authenticator } = await accountWithPasskey();
      await withTotp(user.user.id);
      const mfaToken = (await passwordLogin(user.email)).body.mfa_token as string;
      const secondStep = await loginOptions({ mfa_token: mfaToken });
      expectProblem(await login(authenticator.assert(secondStep.body)), 401, 'invalid_credentials');
      const passwordless = await signInWith(authenticator);
      expect(passwordless.status).toBe(200);
      expect(decodeJwt(passwordless.body.access_token).amr).toEqual(['hwk', 'user', 'mfa']);
    });
  });

  it('a ceremony begun on one instance finishes on another', async () => {
    const schema = uniqueSchema('pk_multi');
    const shared = driver.name === 'pglite' ? { database: await driver.open(schema) } : driver.configFor(schema);
    const options = { ...shared, issuer: ISSUER, allowedOrigins: [APP] };
    const [a, b] = await Promise.all([startTestServer(options), startTestServer(options)]);
    try {
      const user = await signup(a.url);
      const authenticator = createSoftwareAuthenticator({ origin: ISSUER });
      const creation = await request(`${a.url}/auth/passkeys/registration/options`, { method: 'POST', headers: bearer(user.access_token) });
      const registered = await request(`${b.url}/auth/passkeys/registration`, {
        body: { response: authenticator.register(creation.body) },
        headers: bearer(user.access_token),
      });
      expect(registered.status).toBe(201);
      const requestOptions = await request(`${b.url}/auth/passkeys/login/options`, { body: {} });
      const assertion = authenticator.assert(requestOptions.body);
      expect((await request(`${a.url}/auth/passkeys/login`, { body: { response: assertion } })).status).toBe(200);
      expect((await request(`${b.url}/auth/passkeys/login`, { body: { response: assertion } })).status).toBe(401);
    } finally {
      await Promise.all([a.close(), b.close()]);
      if ('database' in shared) await shared.database.close();
    }
  });
});

describe('passkey limits and configuration', () => {
  it('limits passkey sign-in requests per IP (options and assertions): 429 with Retry-After', async () => {
    const t = await startTestServer({ issuer: ISSUER, passkeyRequestsPerMinute: 3 });
    try {
      const statuses = [];
      for (let i = 0; i < 3; i++) statuses.push((await request(`${t.url}/auth/passkeys/login/options`, { body: {} })).status);
      expect(statuses).toEqual([200, 200, 200]);
      const limited = await request(`${t.url}/auth/passkeys/login`, { body: {} });
      expectProblem(limited, 429, 'rate_limited');
      expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
      expectProblem(await request(`${t.url}/auth/passkeys/login/options`, { body: {} }), 429, 'rate_limited');
    } finally {
      await t.close();
    }
  });

  it('SIGIL_RP_ID scopes passkeys to a parent domain; origins outside it are warned about at startup', async () => {
    const t = await startTestServer({
      issuer: 'https://auth.example.com',
      rpId: 'Example.com',
      allowedOrigins: ['https://app.example.com', 'https://other.example'],
    });
    try {
      const user = await signup(t.url);
      const options = await request(`${t.url}/auth/passkeys/registration/options`, { method: 'POST', headers: bearer(user.access_token) });
      expect(options.body.rp.id).toBe('example.com');
      const app = createSoftwareAuthenticator({ origin: 'https://app.example.com' });
      const registered = await request(`${t.url}/auth/passkeys/registration`, {
        body: { response: app.register(options.body) },
        headers: bearer(user.access_token),
      });
      expect(registered.status).toBe(201);
      const requestOptions = (await request(`${t.url}/auth/passkeys/login/options`, { body: {} })).body;
      expect(requestOptions.rpId).toBe('example.com');
      // The issuer's own hostname is not the RP ID: an assertion scoped to it is refused.
      const wrong = app.assert(requestOptions, { rpId: 'auth.example.com' });
      expectProblem(await request(`${t.url}/auth/passkeys/login`, { body: { response: wrong } }), 401, 'invalid_credentials');
      const warning = t.logs.find((line) => line.event === 'passkey_origins_outside_rp_id');
      expect(warning).toMatchObject({ level: 40, rpId: 'example.com', origins: ['https://other.example'] });
    } finally {
      await t.close();
    }
  });
});
