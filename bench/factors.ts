/**
 * Benchmark 8: second factors. TOTP code checks and passkey assertion checks per second, each
 * next to its library alone in the same run (otpauth's `TOTP.validate`; @simplewebauthn/server's
 * `verifyAuthenticationResponse`, the floor any passkey server pays), then sign-ins over HTTP:
 * a passkey sign-in (options, the authenticator's assertion, tokens) and a password sign-in with a
 * TOTP second step (login, 403 mfa_required, POST /auth/mfa/verify). The server runs in this
 * process on in-memory PGlite, with a software authenticator standing in for the device.
 */
import { createAuthServer } from '@sigil/server';
import { verifyAuthenticationResponse, verifyRegistrationResponse } from '@simplewebauthn/server';
import { Secret, TOTP } from 'otpauth';
import { generateTotpSecret, matchTotpStep, totpCode } from '../packages/server/src/mfa/totp.ts';
import { createSoftwareAuthenticator, type SoftwareAuthenticator } from '../packages/server/test/support/software-authenticator.ts';
import { measureOps, type MeasureOptions } from './lib/measure.ts';

export interface FactorsBenchOptions extends MeasureOptions {
  /** Accounts signed in once each with password + TOTP (a code is accepted once per account). */
  mfaLogins: number;
  /** Passkey sign-ins, one after another. */
  passkeyLogins: number;
  concurrency: number;
}

export interface FactorsResult {
  options: FactorsBenchOptions;
  totp: { sigil: number; library: number };
  passkeyVerify: { sigil: number; library: number };
  /** Sign-ins per second over HTTP. */
  passkeyLoginsPerSec: number;
  mfaLoginsPerSec: number;
}

type CreationOptions = Parameters<SoftwareAuthenticator['register']>[0] & { challenge: string };
type RequestOptions = Parameters<SoftwareAuthenticator['assert']>[0] & { challenge: string };

const ISSUER = 'http://localhost:4000';
const PASSWORD = 'bench-password-long-enough';
const JSON_HEADERS = { 'content-type': 'application/json' };

async function post<T = unknown>(url: string, body: unknown, headers: Record<string, string> = {}): Promise<{ status: number; body: T }> {
  const res = await fetch(url, { method: 'POST', headers: { ...JSON_HEADERS, ...headers }, body: JSON.stringify(body) });
  const text = await res.text();
  return { status: res.status, body: (text ? JSON.parse(text) : undefined) as T };
}

function totpLibraryCheck(secret: string, code: string, at: Date): boolean {
  const delta = TOTP.validate({
    token: code,
    secret: Secret.fromBase32(secret),
    algorithm: 'SHA1',
    digits: 6,
    period: 30,
    timestamp: at.getTime(),
    window: 1,
  });
  return delta !== null;
}

/** Runs `count` tasks, `concurrency` at a time; returns tasks per second. */
async function rate(count: number, concurrency: number, task: (i: number) => Promise<void>): Promise<number> {
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < count) await task(next++);
    }),
  );
  return (count * 1000) / (performance.now() - started);
}

export async function runFactors(options: FactorsBenchOptions, log: (line: string) => void): Promise<FactorsResult> {
  // TOTP: Sigil's check (six digits, ±1 step, the step for replay) against otpauth alone.
  const secret = generateTotpSecret();
  const at = new Date();
  const code = totpCode(secret, at);
  if (matchTotpStep(secret, code, at) === undefined || !totpLibraryCheck(secret, code, at))
    throw new Error('totp: the code does not verify');
  const totp = {
    sigil: (await measureOps(() => matchTotpStep(secret, code, at), options)).opsPerSec,
    library: (await measureOps(() => totpLibraryCheck(secret, code, at), options)).opsPerSec,
  };
  log(`factors TOTP check: Sigil ${totp.sigil.toFixed(0)}/s, otpauth alone ${totp.library.toFixed(0)}/s`);

  const auth = await createAuthServer({
    dataDir: 'memory://',
    logLevel: 'silent',
    issuer: ISSUER,
    cookieMode: 'off',
    // The load comes from one IP: lift the per-IP budgets (the per-account limits stay).
    ipRequestsPerMinute: 100_000_000,
    signupsPerHour: 100_000_000,
    passkeyRequestsPerMinute: 100_000_000,
  });
  const { url } = await auth.listen(0, '127.0.0.1');
  try {
    const signup = async (email: string) => {
      const res = await post<{ access_token: string }>(`${url}/auth/signup`, { email, password: PASSWORD });
      if (res.status !== 201) throw new Error(`signup: ${res.status}`);
      return res.body.access_token;
    };

    // Passkeys: one account and authenticator; every sign-in is options, assertion, tokens.
    const authenticator: SoftwareAuthenticator = createSoftwareAuthenticator({ origin: ISSUER });
    const token = await signup('passkey@bench.test');
    const bearer = { authorization: `Bearer ${token}` };
    const creation = await post<CreationOptions>(`${url}/auth/passkeys/registration/options`, {}, bearer);
    const registration = authenticator.register(creation.body);
    const registered = await post(`${url}/auth/passkeys/registration`, { response: registration }, bearer);
    if (registered.status !== 201) throw new Error(`passkey registration: ${registered.status}`);
    // The credential's public key, for the library floor below: read as the library reads it.
    const { registrationInfo } = await verifyRegistrationResponse({
      response: registration,
      expectedChallenge: creation.body.challenge,
      expectedOrigin: ISSUER,
      expectedRPID: 'localhost',
      requireUserVerification: true,
    });
    if (!registrationInfo) throw new Error('passkey: the library does not accept the registration');
    const passkeySignIn = async () => {
      const request = await post<RequestOptions>(`${url}/auth/passkeys/login/options`, {});
      const res = await post(`${url}/auth/passkeys/login`, { response: authenticator.assert(request.body) });
      if (res.status !== 200) throw new Error(`passkey login: ${res.status} ${JSON.stringify(res.body)}`);
    };
    await passkeySignIn();
    // One sign-in at a time: the authenticator's counter must rise with each assertion it signs.
    const passkeyLoginsPerSec = await rate(options.passkeyLogins, 1, passkeySignIn);

    // The library floor: the same kind of assertion checked again and again (no challenge store,
    // no counter, no tokens), against Sigil's whole check of one through its own path above.
    const floorOptions = await post<RequestOptions>(`${url}/auth/passkeys/login/options`, {});
    const assertion = authenticator.assert(floorOptions.body);
    const stored = registrationInfo.credential.publicKey;
    const libraryVerify = () =>
      verifyAuthenticationResponse({
        response: assertion,
        expectedChallenge: floorOptions.body.challenge,
        expectedOrigin: ISSUER,
        expectedRPID: 'localhost',
        credential: { id: assertion.id, publicKey: stored, counter: 0 },
        requireUserVerification: true,
      });
    if (!(await libraryVerify()).verified) throw new Error('passkey: the library does not verify the assertion');
    const passkeyVerify = { sigil: passkeyLoginsPerSec, library: (await measureOps(libraryVerify, options)).opsPerSec };
    log(
      `factors passkey: Sigil sign-ins over HTTP ${passkeyVerify.sigil.toFixed(0)}/s, verifyAuthenticationResponse alone ${passkeyVerify.library.toFixed(0)}/s`,
    );

    // Password + TOTP: accounts enrolled first, then each signs in once.
    const secrets: string[] = [];
    for (let i = 0; i < options.mfaLogins; i++) {
      const access = { authorization: `Bearer ${await signup(`mfa${i}@bench.test`)}` };
      const enrolment = await post<{ secret: string }>(`${url}/auth/mfa/totp`, {}, access);
      const confirmed = await post(`${url}/auth/mfa/totp/confirm`, { code: totpCode(enrolment.body.secret, new Date()) }, access);
      if (confirmed.status !== 200) throw new Error(`totp confirm: ${confirmed.status}`);
      secrets.push(enrolment.body.secret);
    }
    // The enrolment used the current step's code: the sign-ins present the next step's (±1 step).
    const mfaLoginsPerSec = await rate(options.mfaLogins, options.concurrency, async (i) => {
      const first = await post<{ mfa_token: string }>(`${url}/auth/login`, { email: `mfa${i}@bench.test`, password: PASSWORD });
      if (first.status !== 403) throw new Error(`login: ${first.status}`);
      const second = await post(`${url}/auth/mfa/verify`, {
        mfa_token: first.body.mfa_token,
        method: 'totp',
        code: totpCode(secrets[i]!, new Date(Date.now() + 30_000)),
      });
      if (second.status !== 200) throw new Error(`mfa verify: ${second.status} ${JSON.stringify(second.body)}`);
    });
    log(`factors sign-in with password + TOTP over HTTP: ${mfaLoginsPerSec.toFixed(1)}/s (${options.concurrency} at a time)`);
    return { options, totp, passkeyVerify, passkeyLoginsPerSec, mfaLoginsPerSec };
  } finally {
    await auth.close();
  }
}
