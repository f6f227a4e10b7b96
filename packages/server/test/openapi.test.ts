import { randomUUID } from 'node:crypto';
import Ajv2020Module from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';
import { Secret, TOTP } from 'otpauth';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ERROR_CODES } from '../src/errors.ts';
import { buildOpenApiDocument } from '../src/http/openapi.ts';
import { createAccountToken, type AccountTokenPurpose } from '../src/storage/account-tokens.ts';
import { createSoftwareAuthenticator } from './support/software-authenticator.ts';
import { PASSWORD, request, signup, startTestServer, uniqueEmail, type JsonResponse, type TestServer } from './helpers/auth-server.ts';

// Every real response of the auth server is checked against /openapi.json: its status must be
// documented for the path and method, its content type listed, its body valid against the
// (closed) schema, and its required headers present. A drift on either side fails here.

// ajv and ajv-formats are CommonJS with `exports.default`: under NodeNext the default import is the
// module object, so take `.default` (at runtime Vitest may hand us either shape).
const Ajv2020 = ((Ajv2020Module as unknown as { default?: unknown }).default ?? Ajv2020Module) as unknown as typeof Ajv2020Module.default;
const addFormats = ((addFormatsModule as unknown as { default?: unknown }).default ??
  addFormatsModule) as unknown as typeof addFormatsModule.default;

type Json = Record<string, any>;
const BASE = 'https://sigil.dev/openapi';

let test: TestServer;
let url: string;
let doc: Json;
let ajv: InstanceType<typeof Ajv2020>;
const exercised = new Set<string>();

/** `#/components/schemas/X` -> a ref into the schema bundle registered with Ajv. */
function rewriteRefs(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(rewriteRefs);
  if (value === null || typeof value !== 'object') return value;
  const out: Json = {};
  for (const [key, child] of Object.entries(value)) {
    out[key] =
      key === '$ref' && typeof child === 'string' && child.startsWith('#/components/schemas/')
        ? `${BASE}#/$defs/${child.slice('#/components/schemas/'.length)}`
        : rewriteRefs(child);
  }
  return out;
}

function resolve(node: Json): Json {
  let current = node;
  while (typeof current.$ref === 'string') {
    current = current.$ref
      .slice(2)
      .split('/')
      .reduce((at: Json | undefined, part: string) => at?.[part], doc) as Json;
    if (!current) throw new Error(`unresolved $ref ${node.$ref}`);
  }
  return current;
}

const validators = new Map<string, ReturnType<typeof ajv.compile>>();
function validatorFor(schema: Json) {
  const key = JSON.stringify(schema);
  let validate = validators.get(key);
  if (!validate) validators.set(key, (validate = ajv.compile(rewriteRefs(schema) as Json)));
  return validate;
}

/** Checks one real response against the document; returns the parsed body. */
function expectDocumented(path: string, method: string, res: JsonResponse): void {
  const where = `${method.toUpperCase()} ${path} -> ${res.status}`;
  const operation = doc.paths[path]?.[method];
  if (!operation) throw new Error(`${method.toUpperCase()} ${path} is not documented`);
  const documented = operation.responses[String(res.status)];
  if (!documented) throw new Error(`${where} is not a documented status (${Object.keys(operation.responses).join(', ')}): ${res.text}`);
  const response = resolve(documented);
  exercised.add(`${method} ${path}`);

  for (const [name, header] of Object.entries<Json>(response.headers ?? {})) {
    const spec = resolve(header);
    const value = res.headers.get(name);
    if (value === null) {
      if (spec.required) throw new Error(`${where}: required header ${name} is missing`);
      continue;
    }
    if (spec.schema) {
      const candidate = spec.schema.type === 'integer' && /^\d+$/.test(value) ? Number(value) : value;
      const validate = validatorFor(spec.schema);
      if (!validate(candidate)) throw new Error(`${where}: header ${name}: ${value} ${ajv.errorsText(validate.errors)}`);
    }
  }

  if (!response.content) {
    if (res.text !== '') throw new Error(`${where}: documented without a body, got ${res.text}`);
    return;
  }
  const mediaType = (res.headers.get('content-type') ?? '').split(';')[0]!.trim();
  const media = response.content[mediaType];
  if (!media)
    throw new Error(`${where}: content type ${mediaType || '(none)'} is not documented (${Object.keys(response.content).join(', ')})`);
  const validate = validatorFor(media.schema);
  const value = /[/+]json$/.test(mediaType) ? res.body : res.text;
  if (!validate(value)) throw new Error(`${where}: body does not match the document: ${ajv.errorsText(validate.errors)}\n${res.text}`);
}

type CallInit = Parameters<typeof request>[1] & { pathParams?: Record<string, string>; query?: Record<string, string> };

/** One real request, redirects not followed (a 303 is a response to check, not to chase). */
async function send(target: string, init: CallInit & { method: string }): Promise<JsonResponse> {
  const headers: Record<string, string> = { ...init.headers };
  let body: string | Buffer | undefined = init.rawBody;
  if (init.body !== undefined) {
    body = JSON.stringify(init.body);
    headers['content-type'] ??= 'application/json';
  }
  const response = await fetch(target, { method: init.method, headers, body, redirect: 'manual' });
  const text = await response.text();
  let parsed: unknown;
  try {
    parsed = text ? JSON.parse(text) : undefined;
  } catch {
    parsed = undefined;
  }
  return { status: response.status, headers: response.headers, body: parsed, text };
}

async function call(path: string, method: string, init: CallInit = {}) {
  let concrete = path;
  for (const [name, value] of Object.entries(init.pathParams ?? {})) concrete = concrete.replace(`{${name}}`, encodeURIComponent(value));
  const query = init.query ? `?${new URLSearchParams(init.query)}` : '';
  const res = await send(`${url}${concrete}${query}`, { ...init, method: method.toUpperCase() });
  expectDocumented(path, method, res);
  return res;
}

const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

beforeAll(async () => {
  test = await startTestServer({ loginMaxFailures: 3 });
  url = test.url;
  const res = await request(`${url}/openapi.json`);
  expect(res.status).toBe(200);
  doc = res.body;
  ajv = new Ajv2020({ strict: true, strictTypes: false, allowUnionTypes: true, allErrors: true });
  addFormats(ajv);
  ajv.addSchema({ $id: BASE, $defs: rewriteRefs(doc.components.schemas) as Json });
  expectDocumented('/openapi.json', 'get', res);
});

afterAll(async () => {
  await test?.close();
});

describe('the document', () => {
  it('is OpenAPI 3.1 for this server, with every schema compiling in strict mode', () => {
    expect(doc.openapi).toBe('3.1.0');
    expect(doc.servers).toEqual([{ url: test.server.issuer }]);
    expect(doc).toEqual(buildOpenApiDocument(test.server.issuer));
    for (const name of Object.keys(doc.components.schemas)) {
      expect(() => ajv.getSchema(`${BASE}#/$defs/${name}`), name).not.toThrow();
      expect(ajv.getSchema(`${BASE}#/$defs/${name}`), name).toBeTypeOf('function');
    }
    const operationIds = new Set<string>();
    for (const [path, item] of Object.entries<Json>(doc.paths)) {
      for (const [method, operation] of Object.entries<Json>(item)) {
        expect(operationIds.has(operation.operationId), `${method} ${path} operationId`).toBe(false);
        operationIds.add(operation.operationId);
        expect(Object.keys(operation.responses).length, `${method} ${path}`).toBeGreaterThan(0);
        for (const response of Object.values<Json>(operation.responses)) {
          const resolved = resolve(response);
          expect(resolved.description, `${method} ${path}`).toBeTypeOf('string');
          for (const media of Object.values<Json>(resolved.content ?? {})) expect(() => validatorFor(media.schema)).not.toThrow();
        }
      }
    }
  });

  it('lists exactly the error codes of errors.ts, with a bearer scheme and the delivery header', () => {
    expect(doc.components.schemas.Problem.properties.code.enum).toEqual(Object.keys(ERROR_CODES));
    expect(doc.components.securitySchemes.bearer).toMatchObject({ type: 'http', scheme: 'bearer' });
    expect(doc.paths['/auth/me'].get.security).toEqual([{ bearer: [] }]);
    expect(resolve(doc.paths['/auth/login'].post.parameters[0]).name).toBe('X-Sigil-Token-Delivery');
    const rateLimited = resolve(doc.paths['/auth/login'].post.responses['429']);
    expect(resolve(rateLimited.headers['Retry-After']).required).toBe(true);
    for (const path of ['/auth/signup', '/auth/login', '/auth/refresh', '/auth/logout', '/auth/password']) {
      const responses = doc.paths[path].post.responses;
      expect(Object.keys(responses), path).toEqual(expect.arrayContaining(['413', '415', '429']));
    }
  });

  it('is served with CORS open and cacheable', async () => {
    const res = await request(`${url}/openapi.json`);
    expect(res.headers.get('access-control-allow-origin')).toBe('*');
    expect(res.headers.get('cache-control')).toMatch(/max-age=\d+/);
  });

  it('rejects responses that drift from it (the checker can fail)', () => {
    const headers = new Headers({ 'content-type': 'application/json' });
    const tokenBody = {
      access_token: 'a.b.c',
      token_type: 'Bearer',
      expires_in: 900,
      expires_at: 1,
      refresh_token: 'r'.repeat(43),
      user: { id: randomUUID(), email: 'a@example.com', name: null, roles: [], email_verified: false },
    };
    const fake = (status: number, body: unknown, type = 'application/json'): JsonResponse => ({
      status,
      headers: new Headers({ 'content-type': type }),
      body,
      text: JSON.stringify(body),
    });
    expect(() => expectDocumented('/auth/login', 'post', fake(200, tokenBody))).not.toThrow();
    expect(() => expectDocumented('/auth/login', 'post', fake(200, { ...tokenBody, extra: true }))).toThrow(/does not match/);
    expect(() =>
      expectDocumented('/auth/login', 'post', fake(200, { ...tokenBody, user: { ...tokenBody.user, password_hash: 'x' } })),
    ).toThrow(/does not match/);
    expect(() => expectDocumented('/auth/login', 'post', fake(201, tokenBody))).toThrow(/not a documented status/);
    expect(() => expectDocumented('/auth/login', 'post', fake(200, tokenBody, 'text/html'))).toThrow(/content type/);
    const problem = { type: 'https://sigil.dev/errors/email_taken', title: 't', status: 401, detail: 'd', code: 'email_taken' };
    expect(() => expectDocumented('/auth/login', 'post', fake(401, problem, 'application/problem+json'))).toThrow(/does not match/);
    expect(() =>
      expectDocumented('/auth/login', 'post', fake(429, { ...problem, code: 'rate_limited', status: 429 }, 'application/problem+json')),
    ).toThrow(/Retry-After/);
    expect(() => expectDocumented('/auth/logout', 'post', { status: 204, headers, body: undefined, text: '{}' })).toThrow(/without a body/);
  });
});

describe('real responses match the document', () => {
  it('POST /auth/signup: 201 (body and cookie delivery), 400, 409, 413, 415', async () => {
    const email = uniqueEmail();
    const created = await call('/auth/signup', 'post', { body: { email, password: PASSWORD, name: 'Ada' } });
    expect(created.status).toBe(201);
    expect(created.body.refresh_token).toBeTypeOf('string');

    const cookie = await call('/auth/signup', 'post', {
      body: { email: uniqueEmail(), password: PASSWORD },
      headers: { 'x-sigil-token-delivery': 'cookie' },
    });
    expect(cookie.status).toBe(201);
    expect(cookie.body.refresh_token).toBeUndefined();
    expect(cookie.headers.get('set-cookie')).toMatch(/^sigil_refresh=.+HttpOnly/i);

    const invalid = await call('/auth/signup', 'post', { body: { email: 'not-an-email', password: 'short' } });
    expect(invalid.status).toBe(400);
    expect(invalid.body.errors.length).toBeGreaterThan(0);
    expect((await call('/auth/signup', 'post', { body: { email, password: PASSWORD } })).status).toBe(409);
    expect(
      (await call('/auth/signup', 'post', { body: { email: uniqueEmail(), password: PASSWORD, name: 'x'.repeat(20_000) } })).status,
    ).toBe(413);
    expect((await call('/auth/signup', 'post', { rawBody: 'email=a', headers: { 'content-type': 'text/plain' } })).status).toBe(415);
  });

  it('POST /auth/login: 200, 400, 401, then 429 with Retry-After', async () => {
    const user = await signup(url);
    expect((await call('/auth/login', 'post', { body: { email: user.email, password: PASSWORD } })).status).toBe(200);
    expect((await call('/auth/login', 'post', { rawBody: '{"email":', headers: { 'content-type': 'application/json' } })).status).toBe(400);
    for (let attempt = 0; attempt < 3; attempt++) {
      expect((await call('/auth/login', 'post', { body: { email: user.email, password: 'wrong password!' } })).status).toBe(401);
    }
    const limited = await call('/auth/login', 'post', { body: { email: user.email, password: PASSWORD } });
    expect(limited.status).toBe(429);
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
  });

  it('POST /auth/refresh: 200, 401 invalid_grant, 403 without the CSRF token', async () => {
    const user = await signup(url);
    const refreshed = await call('/auth/refresh', 'post', { body: { refresh_token: user.refresh_token } });
    expect(refreshed.status).toBe(200);
    expect(refreshed.body.refresh_token).not.toBe(user.refresh_token);
    const unknown = await call('/auth/refresh', 'post', { body: { refresh_token: 'x'.repeat(43) } });
    expect(unknown.status).toBe(401);
    expect(unknown.body.code).toBe('invalid_grant');
    expect((await call('/auth/refresh', 'post')).status).toBe(401);
    const csrf = await call('/auth/refresh', 'post', { headers: { cookie: `sigil_refresh=${refreshed.body.refresh_token}` } });
    expect(csrf.status).toBe(403);
  });

  it('POST /auth/logout: 204 for a live and for an unknown token; GET /auth/csrf: 200', async () => {
    const user = await signup(url);
    expect((await call('/auth/logout', 'post', { body: { refresh_token: user.refresh_token } })).status).toBe(204);
    expect((await call('/auth/logout', 'post', { body: { refresh_token: 'unknown' } })).status).toBe(204);
    expect((await call('/auth/logout', 'post', { rawBody: 'x', headers: { 'content-type': 'text/plain' } })).status).toBe(415);
    expect((await call('/auth/csrf', 'get')).status).toBe(200);
  });

  it('GET /auth/me: 200, 401 without and with a bad token', async () => {
    const user = await signup(url);
    const me = await call('/auth/me', 'get', { headers: bearer(user.access_token) });
    expect(me.status).toBe(200);
    expect(me.body.user.email).toBe(user.email);
    expect((await call('/auth/me', 'get')).status).toBe(401);
    const tampered = `${user.access_token.slice(0, -4)}AAAA`;
    expect((await call('/auth/me', 'get', { headers: bearer(tampered) })).status).toBe(401);
  });

  it('GET and DELETE /auth/sessions: 200, 204, 404, 401', async () => {
    const user = await signup(url);
    await request(`${url}/auth/login`, { body: { email: user.email, password: PASSWORD } });
    const list = await call('/auth/sessions', 'get', { headers: bearer(user.access_token) });
    expect(list.status).toBe(200);
    expect(list.body.sessions).toHaveLength(2);
    const other = list.body.sessions.find((s: Json) => !s.current);
    expect((await call('/auth/sessions/{id}', 'delete', { headers: bearer(user.access_token), pathParams: { id: other.id } })).status).toBe(
      204,
    );
    expect(
      (await call('/auth/sessions/{id}', 'delete', { headers: bearer(user.access_token), pathParams: { id: randomUUID() } })).status,
    ).toBe(404);
    expect((await call('/auth/sessions/{id}', 'delete', { pathParams: { id: other.id } })).status).toBe(401);
    expect((await call('/auth/sessions', 'get')).status).toBe(401);
  });

  it('POST /auth/password: 204, 400 (wrong current password, weak new one), 401', async () => {
    const user = await signup(url);
    const wrong = await call('/auth/password', 'post', {
      headers: bearer(user.access_token),
      body: { current_password: 'not the password', new_password: 'another good password' },
    });
    expect(wrong.status).toBe(400);
    const weak = await call('/auth/password', 'post', {
      headers: bearer(user.access_token),
      body: { current_password: PASSWORD, new_password: 'short' },
    });
    expect(weak.status).toBe(400);
    const changed = await call('/auth/password', 'post', {
      headers: bearer(user.access_token),
      body: { current_password: PASSWORD, new_password: 'another good password' },
    });
    expect(changed.status).toBe(204);
    expect((await call('/auth/password', 'post', { body: { current_password: PASSWORD, new_password: 'x'.repeat(12) } })).status).toBe(401);
  });

  it('GET /.well-known/jwks.json, /.well-known/openid-configuration, /healthz, /readyz: 200', async () => {
    const jwks = await call('/.well-known/jwks.json', 'get');
    expect(jwks.body.keys.length).toBeGreaterThan(0);
    const discovery = await call('/.well-known/openid-configuration', 'get');
    expect(discovery.body.issuer).toBe(test.server.issuer);
    // Every endpoint the discovery document advertises is described here too.
    for (const field of [
      'jwks_uri',
      'service_documentation',
      'sigil_signup_endpoint',
      'sigil_login_endpoint',
      'sigil_refresh_endpoint',
      'sigil_logout_endpoint',
      'sigil_userinfo_endpoint',
    ]) {
      const advertised = new URL(discovery.body[field]).pathname;
      expect(Object.keys(doc.paths), field).toContain(advertised);
    }
    expect((await call('/healthz', 'get')).status).toBe(200);
    expect((await call('/readyz', 'get')).status).toBe(200);
  });

  it('GET and POST /login (hosted page): 200, 400, 303 with the refresh cookie, 401', async () => {
    const user = await signup(url);
    const returnTo = `${test.server.config.allowedOrigins[0]}/callback`;
    const page = await call(`/login`, 'get', { pathParams: {}, query: { return_to: returnTo } });
    expect(page.status).toBe(200);
    const csrf = /sigil_csrf=([^;]+)/.exec(page.headers.get('set-cookie') ?? '')?.[1];
    expect(csrf).toBeDefined();
    expect((await call('/login', 'get', { query: { return_to: 'https://evil.example/' } })).status).toBe(400);

    const form = (password: string, token = csrf!) =>
      call('/login', 'post', {
        rawBody: new URLSearchParams({ email: user.email, password, csrf_token: token, return_to: returnTo }).toString(),
        headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: `sigil_csrf=${csrf}` },
      });
    const wrong = await form('not the password');
    expect(wrong.status).toBe(401);
    expect((await form(PASSWORD, 'forged')).status).toBe(400);
    const ok = await form(PASSWORD);
    expect(ok.status).toBe(303);
    expect(ok.headers.get('location')).toBe(returnTo);
  });

  /** A link token as the mail would carry it, created directly in the server's storage. */
  const linkToken = (userId: string, email: string, purpose: AccountTokenPurpose) =>
    createAccountToken(test.db, { userId, purpose, email, ttlSeconds: 600 }, new Date());

  it('the account lifecycle: verification, verify, forgot, reset, email change, deletion', async () => {
    const user = await signup(url);
    expect((await call('/auth/email/verification', 'post', { headers: bearer(user.access_token) })).status).toBe(202);
    expect((await call('/auth/email/verification', 'post')).status).toBe(401);
    expect(
      (
        await call('/auth/email/verification', 'post', {
          headers: { ...bearer(user.access_token), 'content-type': 'text/plain' },
          rawBody: 'x',
        })
      ).status,
    ).toBe(415);

    const verified = await call('/auth/email/verify', 'post', {
      body: { token: await linkToken(user.user.id, user.email, 'verify_email') },
    });
    expect(verified.status).toBe(200);
    expect(verified.body.user.email_verified).toBe(true);
    expect((await call('/auth/email/verify', 'post', { body: { token: 'x'.repeat(43) } })).status).toBe(400);
    expect((await call('/auth/email/verify', 'post', { body: {} })).status).toBe(400);
    const other = await signup(url);
    const squatted = await linkToken(user.user.id, other.email, 'email_change');
    expect((await call('/auth/email/verify', 'post', { body: { token: squatted } })).status).toBe(409);

    expect((await call('/auth/password/forgot', 'post', { body: { email: user.email } })).status).toBe(202);
    expect((await call('/auth/password/forgot', 'post', { body: { email: 'nope' } })).status).toBe(400);
    const reset = await linkToken(user.user.id, user.email, 'password_reset');
    expect((await call('/auth/password/reset', 'post', { body: { token: reset, new_password: 'short' } })).status).toBe(400);
    expect((await call('/auth/password/reset', 'post', { body: { token: reset, new_password: 'a brand new passphrase' } })).status).toBe(
      204,
    );
    expect((await call('/auth/password/reset', 'post', { body: { token: reset, new_password: 'a brand new passphrase' } })).status).toBe(
      400,
    );

    const fresh = await signup(url);
    const change = (body: unknown, headers: Record<string, string> = bearer(fresh.access_token)) =>
      call('/auth/email/change', 'post', { body, headers });
    expect((await change({ new_email: uniqueEmail(), password: PASSWORD })).status).toBe(202);
    expect((await change({ new_email: other.email, password: PASSWORD })).status).toBe(409);
    expect((await change({ new_email: uniqueEmail(), password: 'wrong password' })).status).toBe(400);
    expect((await change({ new_email: uniqueEmail(), password: PASSWORD }, {})).status).toBe(401);

    const del = (body: unknown, headers: Record<string, string> = bearer(fresh.access_token)) =>
      call('/auth/account', 'delete', { body, headers });
    expect((await del({ password: 'wrong password' })).status).toBe(400);
    expect((await del({ password: PASSWORD })).status).toBe(204);
    expect((await del({ password: PASSWORD })).status).toBe(401);
  });

  it('signup and login under SIGIL_EMAIL_VERIFICATION=required: 201 without tokens, 403 email_not_verified', async () => {
    const required = await startTestServer({ emailVerification: 'required' });
    try {
      const email = uniqueEmail();
      const created = await send(`${required.url}/auth/signup`, { method: 'POST', body: { email, password: PASSWORD } });
      expectDocumented('/auth/signup', 'post', created);
      expect(created.body.email_verification_required).toBe(true);
      const login = await send(`${required.url}/auth/login`, { method: 'POST', body: { email, password: PASSWORD } });
      expectDocumented('/auth/login', 'post', login);
      expect(login.status).toBe(403);
    } finally {
      await required.close();
    }
  });

  /** The current code of `secret`, `steps` 30-second steps ahead (within the server's ±1 window). */
  const totpCode = (secret: string, steps = 0) =>
    TOTP.generate({ secret: Secret.fromBase32(secret), algorithm: 'SHA1', digits: 6, period: 30, timestamp: Date.now() + steps * 30_000 });

  /** A new account with TOTP on, through the documented operations. */
  async function accountWithTotp() {
    const user = await signup(url);
    const enrolled = await call('/auth/mfa/totp', 'post', { headers: bearer(user.access_token) });
    expect(enrolled.status).toBe(200);
    const confirmed = await call('/auth/mfa/totp/confirm', 'post', {
      headers: bearer(user.access_token),
      body: { code: totpCode(enrolled.body.secret) },
    });
    expect(confirmed.status).toBe(200);
    return { ...user, secret: enrolled.body.secret as string, recoveryCodes: confirmed.body.recovery_codes as string[] };
  }

  it('second factors: enrolment, confirmation, status, recovery codes, disabling; 400s and 401s', async () => {
    const user = await signup(url);
    const auth = bearer(user.access_token);
    expect((await call('/auth/mfa', 'get', { headers: auth })).body.totp).toBe('off');
    expect((await call('/auth/mfa', 'get')).status).toBe(401);
    expect((await call('/auth/mfa/totp', 'post')).status).toBe(401);
    expect((await call('/auth/mfa/totp/confirm', 'post', { headers: auth, body: { code: '123456' } })).status).toBe(400);
    const enrolled = await call('/auth/mfa/totp', 'post', { headers: auth });
    expect(enrolled.status).toBe(200);
    expect((await call('/auth/mfa/totp/confirm', 'post', { headers: auth, body: { code: 'nope' } })).body.code).toBe('invalid_mfa');
    expect((await call('/auth/mfa/totp/confirm', 'post', { body: { code: '123456' } })).status).toBe(401);
    expect((await call('/auth/mfa/totp/confirm', 'post', { headers: auth, body: { code: totpCode(enrolled.body.secret) } })).status).toBe(
      200,
    );
    expect((await call('/auth/mfa/totp', 'post', { headers: auth })).status).toBe(400);
    expect((await call('/auth/mfa', 'get', { headers: auth })).body.totp).toBe('on');

    expect((await call('/auth/mfa/recovery-codes', 'post', { headers: auth, body: { password: PASSWORD } })).status).toBe(200);
    expect((await call('/auth/mfa/recovery-codes', 'post', { headers: auth, body: { password: 'wrong password' } })).status).toBe(400);
    expect((await call('/auth/mfa/recovery-codes', 'post', { body: { password: PASSWORD } })).status).toBe(401);
    expect((await call('/auth/mfa/totp', 'delete', { headers: auth, body: { password: 'wrong password' } })).status).toBe(400);
    expect((await call('/auth/mfa/totp', 'delete', { body: { password: PASSWORD } })).status).toBe(401);
    expect((await call('/auth/mfa/totp', 'delete', { headers: auth, body: { password: PASSWORD } })).status).toBe(204);
  });

  it('login with a second factor: 403 mfa_required, then POST /auth/mfa/verify: 200, 401 invalid_mfa, 400 invalid_grant', async () => {
    const user = await accountWithTotp();
    const first = await call('/auth/login', 'post', { body: { email: user.email, password: PASSWORD } });
    expect(first.status).toBe(403);
    expect(first.body.code).toBe('mfa_required');
    const verify = (body: unknown) => call('/auth/mfa/verify', 'post', { body });
    expect((await verify({ mfa_token: first.body.mfa_token, method: 'totp', code: '000000' })).status).toBe(401);
    expect((await verify({ mfa_token: first.body.mfa_token, method: 'totp', code: totpCode(user.secret, 1) })).status).toBe(200);
    expect((await verify({ mfa_token: first.body.mfa_token, method: 'totp', code: totpCode(user.secret, 1) })).status).toBe(400);
    expect((await verify({ mfa_token: 42 })).status).toBe(400);
    expect((await call('/auth/mfa/verify', 'post', { rawBody: 'x', headers: { 'content-type': 'text/plain' } })).status).toBe(415);
  });

  it('the hosted second step: POST /login shows it (200), POST /login/mfa: 200, 401, 400, 303', async () => {
    const user = await accountWithTotp();
    const returnTo = `${test.server.config.allowedOrigins[0]}/callback`;
    const page = await call('/login', 'get', { query: { return_to: returnTo } });
    const csrf = /sigil_csrf=([^;]+)/.exec(page.headers.get('set-cookie') ?? '')![1]!;
    const step = await call('/login', 'post', {
      rawBody: new URLSearchParams({ email: user.email, password: PASSWORD, csrf_token: csrf, return_to: returnTo }).toString(),
      headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: `sigil_csrf=${csrf}` },
    });
    expect(step.status).toBe(200);
    const mfaCookie = /sigil_mfa=([^;]+)/.exec(step.headers.get('set-cookie') ?? '')![1]!;
    const mfaToken = /name="mfa_token" value="([^"]+)"/.exec(step.text)![1]!;
    const post = (fields: Record<string, string>, cookie = `sigil_csrf=${csrf}; sigil_mfa=${mfaCookie}`) =>
      call('/login/mfa', 'post', {
        rawBody: new URLSearchParams({ csrf_token: csrf, return_to: returnTo, mfa_token: mfaToken, ...fields }).toString(),
        headers: { 'content-type': 'application/x-www-form-urlencoded', cookie },
      });
    expect((await post({ method: 'recovery_code', show: '1' })).status).toBe(200);
    expect((await post({ method: 'totp', code: '000000' })).status).toBe(401);
    expect((await post({ method: 'totp', code: totpCode(user.secret, 1) }, `sigil_csrf=${csrf}`)).status).toBe(400);
    expect((await post({ method: 'recovery_code', code: user.recoveryCodes[0]! })).status).toBe(303);
  });

  /** A software authenticator for this server (RP ID and origin from its issuer), and a user with a passkey on it. */
  async function accountWithPasskey(server = test) {
    const user = await signup(server.url);
    const authenticator = createSoftwareAuthenticator({ origin: new URL(server.server.issuer).origin });
    const options = await send(`${server.url}/auth/passkeys/registration/options`, { method: 'POST', headers: bearer(user.access_token) });
    const registered = await send(`${server.url}/auth/passkeys/registration`, {
      method: 'POST',
      body: { response: authenticator.register(options.body) },
      headers: bearer(user.access_token),
    });
    expect(registered.status).toBe(201);
    return { user, authenticator, passkey: registered.body.passkey as { id: string } };
  }

  it('passkeys: registration options and registration (201, 400, 401), list, rename (200, 400, 404), delete (204, 404)', async () => {
    const user = await signup(url);
    const auth = bearer(user.access_token);
    const authenticator = createSoftwareAuthenticator({ origin: new URL(test.server.issuer).origin });
    const options = await call('/auth/passkeys/registration/options', 'post', { headers: auth });
    expect(options.status).toBe(200);
    expect((await call('/auth/passkeys/registration/options', 'post')).status).toBe(401);
    const response = authenticator.register(options.body);
    const created = await call('/auth/passkeys/registration', 'post', { headers: auth, body: { response, name: 'Laptop' } });
    expect(created.status).toBe(201);
    expect((await call('/auth/passkeys/registration', 'post', { headers: auth, body: { response } })).status).toBe(400);
    expect((await call('/auth/passkeys/registration', 'post', { headers: auth, body: {} })).status).toBe(400);
    expect((await call('/auth/passkeys/registration', 'post', { body: { response } })).status).toBe(401);

    expect((await call('/auth/passkeys', 'get', { headers: auth })).body.passkeys).toHaveLength(1);
    expect((await call('/auth/passkeys', 'get')).status).toBe(401);
    const id = created.body.passkey.id as string;
    const rename = (pathId: string, body: unknown, headers: Record<string, string> = auth) =>
      call('/auth/passkeys/{id}', 'patch', { pathParams: { id: pathId }, body, headers });
    expect((await rename(id, { name: 'Work laptop' })).status).toBe(200);
    expect((await rename(id, { name: '' })).status).toBe(400);
    expect((await rename(randomUUID(), { name: 'x' })).status).toBe(404);
    expect((await rename(id, { name: 'x' }, {})).status).toBe(401);
    const remove = (pathId: string, headers: Record<string, string> = auth) =>
      call('/auth/passkeys/{id}', 'delete', { pathParams: { id: pathId }, headers });
    expect((await remove(id, {})).status).toBe(401);
    expect((await remove(id)).status).toBe(204);
    expect((await remove(id)).status).toBe(404);
  });

  it('passkey sign-in: options (200, 400), login (200 in both deliveries, 400, 401), the second step (200, 400, 401)', async () => {
    const { user, authenticator } = await accountWithPasskey();
    const options = await call('/auth/passkeys/login/options', 'post', { body: {} });
    expect(options.status).toBe(200);
    expect((await call('/auth/passkeys/login/options', 'post')).status).toBe(200);
    expect((await call('/auth/passkeys/login/options', 'post', { body: { email: 'nope' } })).status).toBe(400);
    const assertion = authenticator.assert(options.body);
    expect((await call('/auth/passkeys/login', 'post', { body: { response: assertion } })).status).toBe(200);
    expect((await call('/auth/passkeys/login', 'post', { body: { response: assertion } })).status).toBe(401);
    expect((await call('/auth/passkeys/login', 'post', { body: { response: 'x' } })).status).toBe(400);
    const cookie = await call('/auth/passkeys/login', 'post', {
      body: { response: authenticator.assert((await call('/auth/passkeys/login/options', 'post', { body: {} })).body) },
      headers: { 'x-sigil-token-delivery': 'cookie' },
    });
    expect(cookie.status).toBe(200);

    // The second step of a password sign-in: TOTP on, the passkey instead of a code.
    const enrolled = await call('/auth/mfa/totp', 'post', { headers: bearer(user.access_token) });
    const confirmed = await call('/auth/mfa/totp/confirm', 'post', {
      headers: bearer(user.access_token),
      body: { code: totpCode(enrolled.body.secret) },
    });
    expect(confirmed.status).toBe(200);
    const first = await call('/auth/login', 'post', { body: { email: user.email, password: PASSWORD } });
    expect(first.body.methods).toContain('passkey');
    const mfaToken = first.body.mfa_token as string;
    expect((await call('/auth/passkeys/login/options', 'post', { body: { mfa_token: 'x'.repeat(43) } })).status).toBe(400);
    const secondStep = await call('/auth/passkeys/login/options', 'post', { body: { mfa_token: mfaToken } });
    expect(secondStep.body.allowCredentials).toHaveLength(1);
    const wrong = authenticator.assert(secondStep.body, { flags: 0x01 });
    expect((await call('/auth/passkeys/login', 'post', { body: { response: wrong, mfa_token: mfaToken } })).body.code).toBe('invalid_mfa');
    const again = await call('/auth/passkeys/login/options', 'post', { body: { mfa_token: mfaToken } });
    const done = await call('/auth/passkeys/login', 'post', { body: { response: authenticator.assert(again.body), mfa_token: mfaToken } });
    expect(done.status).toBe(200);
    const used = await call('/auth/passkeys/login', 'post', {
      body: {
        response: authenticator.assert((await call('/auth/passkeys/login/options', 'post', { body: {} })).body),
        mfa_token: mfaToken,
      },
    });
    expect(used.status).toBe(400);
  });

  it('passkey sign-in of an unverified address under SIGIL_EMAIL_VERIFICATION=required: 403 email_not_verified, on the hosted form too', async () => {
    const required = await startTestServer({ emailVerification: 'required' });
    try {
      const user = await required.server.createUser({ email: uniqueEmail(), password: PASSWORD, emailVerified: true });
      const login = await send(`${required.url}/auth/login`, { method: 'POST', body: { email: user.email, password: PASSWORD } });
      const authenticator = createSoftwareAuthenticator({ origin: new URL(required.server.issuer).origin });
      const headers = bearer(login.body.access_token);
      const options = await send(`${required.url}/auth/passkeys/registration/options`, { method: 'POST', headers });
      await send(`${required.url}/auth/passkeys/registration`, {
        method: 'POST',
        body: { response: authenticator.register(options.body) },
        headers,
      });
      await required.db.query('UPDATE users SET email_verified_at = NULL WHERE id = $1', [user.id]);
      const requestOptions = () => send(`${required.url}/auth/passkeys/login/options`, { method: 'POST', body: {} });
      const refused = await send(`${required.url}/auth/passkeys/login`, {
        method: 'POST',
        body: { response: authenticator.assert((await requestOptions()).body) },
      });
      expectDocumented('/auth/passkeys/login', 'post', refused);
      expect(refused.status).toBe(403);
      const returnTo = `${required.server.config.allowedOrigins[0]}/callback`;
      const page = await send(`${required.url}/login?return_to=${encodeURIComponent(returnTo)}`, { method: 'GET' });
      const csrf = /sigil_csrf=([^;]+)/.exec(page.headers.get('set-cookie') ?? '')![1]!;
      const form = await send(`${required.url}/login/passkey`, {
        method: 'POST',
        rawBody: new URLSearchParams({
          csrf_token: csrf,
          return_to: returnTo,
          response: JSON.stringify(authenticator.assert((await requestOptions()).body)),
        }).toString(),
        headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: `sigil_csrf=${csrf}` },
      });
      expectDocumented('/login/passkey', 'post', form);
      expect(form.status).toBe(403);
    } finally {
      await required.close();
    }
  });

  it('the hosted passkey sign-in: GET /login/passkey.js (200), POST /login/passkey (303, 400, 401)', async () => {
    const { authenticator } = await accountWithPasskey();
    expect((await call('/login/passkey.js', 'get')).status).toBe(200);
    const returnTo = `${test.server.config.allowedOrigins[0]}/callback`;
    const page = await call('/login', 'get', { query: { return_to: returnTo } });
    const csrf = /sigil_csrf=([^;]+)/.exec(page.headers.get('set-cookie') ?? '')![1]!;
    const post = async (fields: Record<string, string>) =>
      call('/login/passkey', 'post', {
        rawBody: new URLSearchParams({ csrf_token: csrf, return_to: returnTo, ...fields }).toString(),
        headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: `sigil_csrf=${csrf}` },
      });
    const assertion = async () =>
      JSON.stringify(authenticator.assert((await request(`${url}/auth/passkeys/login/options`, { body: {} })).body));
    const used = await assertion();
    expect((await post({ response: used })).status).toBe(303);
    expect((await post({ response: used })).status).toBe(401);
    expect((await post({ response: 'x' })).status).toBe(400);
    expect((await post({ response: await assertion(), return_to: 'https://evil.example/' })).status).toBe(400);
  });

  /** Opens a hosted page and returns what its form needs. */
  async function hostedForm(path: string, query: Record<string, string>) {
    const page = await call(path, 'get', { query });
    const csrf = /sigil_csrf=([^;]+)/.exec(page.headers.get('set-cookie') ?? '')?.[1] ?? '';
    const post = (fields: Record<string, string>, token = csrf, headers: Record<string, string> = {}) =>
      call(path, 'post', {
        rawBody: new URLSearchParams({ csrf_token: token, ...fields }).toString(),
        headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: `sigil_csrf=${csrf}`, ...headers },
      });
    return { page, post };
  }

  it('the hosted account pages: /signup, /password/forgot, /password/reset, /email/verify', async () => {
    const returnTo = `${test.server.config.allowedOrigins[0]}/callback`;
    const signupPage = await hostedForm('/signup', { return_to: returnTo });
    expect(signupPage.page.status).toBe(200);
    expect((await call('/signup', 'get', { query: { return_to: 'https://evil.example/' } })).status).toBe(400);
    const email = uniqueEmail();
    expect((await signupPage.post({ email, password: PASSWORD, return_to: returnTo })).status).toBe(303);
    expect((await signupPage.post({ email, password: PASSWORD, return_to: returnTo })).status).toBe(409);
    expect((await signupPage.post({ email: 'x', password: 'y', return_to: returnTo })).status).toBe(400);
    const required = await startTestServer({ emailVerification: 'required' });
    try {
      const page = await send(`${required.url}/signup?return_to=${encodeURIComponent(returnTo)}`, { method: 'GET' });
      const csrf = /sigil_csrf=([^;]+)/.exec(page.headers.get('set-cookie') ?? '')![1]!;
      const created = await send(`${required.url}/signup`, {
        method: 'POST',
        rawBody: new URLSearchParams({ csrf_token: csrf, email: uniqueEmail(), password: PASSWORD, return_to: returnTo }).toString(),
        headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: `sigil_csrf=${csrf}` },
      });
      expectDocumented('/signup', 'post', created);
      expect(created.status).toBe(201);
    } finally {
      await required.close();
    }

    const forgot = await hostedForm('/password/forgot', {});
    expect(forgot.page.status).toBe(200);
    expect((await call('/password/forgot', 'get', { query: { return_to: 'https://evil.example/' } })).status).toBe(400);
    expect((await forgot.post({ email })).status).toBe(200);
    expect((await forgot.post({ email: 'not an address' })).status).toBe(400);

    const user = await signup(url);
    const token = await linkToken(user.user.id, user.email, 'password_reset');
    const reset = await hostedForm('/password/reset', { token });
    expect(reset.page.status).toBe(200);
    expect((await call('/password/reset', 'get')).status).toBe(400);
    expect((await reset.post({ token, new_password: 'short' }, undefined, { origin: 'null' })).status).toBe(400);
    expect((await reset.post({ token, new_password: 'a brand new passphrase' }, undefined, { origin: 'null' })).status).toBe(200);

    const verifyToken = await linkToken(user.user.id, user.email, 'verify_email');
    const verify = await hostedForm('/email/verify', { token: verifyToken });
    expect(verify.page.status).toBe(200);
    expect((await call('/email/verify', 'get')).status).toBe(400);
    expect((await verify.post({ token: verifyToken }, undefined, { origin: 'null' })).status).toBe(200);
    expect((await verify.post({ token: verifyToken }, undefined, { origin: 'null' })).status).toBe(400);
    const taken = await linkToken(user.user.id, email, 'email_change');
    expect((await verify.post({ token: taken }, undefined, { origin: 'null' })).status).toBe(409);
  });

  it('hosted forms answer a spent per-IP budget with a page (429)', async () => {
    const limited = await startTestServer({ ipRequestsPerMinute: 1 });
    try {
      for (const path of ['/signup', '/password/forgot', '/password/reset', '/email/verify', '/login', '/login/mfa', '/login/passkey']) {
        const responses = [];
        for (let i = 0; i < 2; i++) {
          responses.push(
            await send(`${limited.url}${path}`, {
              method: 'POST',
              rawBody: 'csrf_token=x',
              headers: { 'content-type': 'application/x-www-form-urlencoded' },
            }),
          );
        }
        const refused = responses.find((r) => r.status === 429)!;
        expect(refused, path).toBeDefined();
        expectDocumented(path, 'post', refused);
      }
    } finally {
      await limited.close();
    }
  });

  it('the hosted forms refuse bodies over 16 KiB (413)', async () => {
    for (const path of ['/signup', '/password/forgot', '/password/reset', '/email/verify', '/login', '/login/mfa', '/login/passkey']) {
      const res = await call(path, 'post', {
        rawBody: `email=${'x'.repeat(20_000)}`,
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
      });
      expect(res.status, path).toBe(413);
    }
  });

  it('the development mailbox (no SMTP, loopback issuer): page and JSON', async () => {
    const link = `${url}/email/verify?token=openapi-mailbox`;
    await test.server.mail.enqueue({ to: uniqueEmail(), template: 'verify_email', data: { link } });
    for (;;) {
      const res = await request(`${url}/dev/mailbox.json`);
      if (res.status === 200 && res.body.some((mail: { links: string[] }) => mail.links.includes(link))) break;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    expect((await call('/dev/mailbox.json', 'get')).status).toBe(200);
    expect((await call('/dev/mailbox', 'get')).text).toContain(link);
  });

  it('documents every route the app serves, and nothing else', () => {
    // Express 5's router keeps each layer's path: walk the app's routes, nested routers included.
    const routes = (stack: Json[], prefix: string): string[] =>
      stack.flatMap((layer) => {
        if (layer.route) {
          const path = `${prefix}${layer.route.path}`.replace(/:(\w+)/g, '{$1}');
          return Object.keys(layer.route.methods)
            .filter((m) => m !== '_all')
            .map((method) => `${method} ${path}`);
        }
        if (Array.isArray(layer.handle?.stack))
          return routes(layer.handle.stack, `${prefix}${layer.rawPath && layer.rawPath !== '/' ? layer.rawPath : ''}`);
        return [];
      });
    const served = routes((test.server.app as unknown as { router: { stack: Json[] } }).router.stack, '');
    expect(served.length).toBeGreaterThan(10);
    const documented = Object.entries<Json>(doc.paths).flatMap(([path, item]) => Object.keys(item).map((method) => `${method} ${path}`));
    expect([...new Set(served)].sort()).toEqual(documented.sort());
  });

  it('every documented operation was exercised against the real server', () => {
    const documented = Object.entries<Json>(doc.paths).flatMap(([path, item]) => Object.keys(item).map((method) => `${method} ${path}`));
    expect([...exercised].sort()).toEqual(documented.sort());
  });
});
