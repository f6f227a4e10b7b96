import { randomUUID } from 'node:crypto';
import Ajv2020Module from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';
import { Secret, TOTP } from 'otpauth';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ERROR_CODES } from '../src/errors.ts';
import { buildOpenApiDocument } from '../src/http/openapi.ts';
import { createAccountToken, type AccountTokenPurpose } from '../src/storage/account-tokens.ts';
import { pkcePair } from './oauth/flow.ts';
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

/** A form post (the hosted pages' and the OAuth endpoints' bodies). */
const formOf = (fields: Record<string, string>, headers: Record<string, string> = {}) => ({
  rawBody: new URLSearchParams(fields).toString(),
  headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
});

/** `client_secret_basic` (RFC 6749 2.3.1: each part form-encoded, then base64). */
const basicAuth = (id: string, secret: string) => ({
  authorization: `Basic ${Buffer.from(`${encodeURIComponent(id)}:${encodeURIComponent(secret)}`).toString('base64')}`,
});

const REDIRECT = 'http://127.0.0.1:4200/auth/callback';
const AFTER_LOGOUT = 'http://127.0.0.1:4200/';
/** The confidential OAuth client (machine-to-machine, introspection) registered for these tests. */
let confidential: { id: string; secret: string };

beforeAll(async () => {
  test = await startTestServer({ loginMaxFailures: 3 });
  url = test.url;
  const clients = test.server.clients;
  await clients.seed({
    clientId: 'openapi-first',
    name: 'First',
    redirectUris: [REDIRECT],
    postLogoutRedirectUris: [AFTER_LOGOUT],
    firstParty: true,
  });
  await clients.seed({ clientId: 'openapi-third', name: 'Third', redirectUris: [REDIRECT] });
  const created = await clients.create({
    name: 'Reports',
    redirectUris: [REDIRECT],
    confidential: true,
    scopes: ['reports:read'],
    resources: ['https://reports.example.com'],
  });
  confidential = { id: created.client.clientId, secret: created.clientSecret! };
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
    const oauthError = (body: unknown, cacheControl = 'no-store'): JsonResponse => ({
      status: 400,
      headers: new Headers({ 'content-type': 'application/json', 'cache-control': cacheControl }),
      body,
      text: JSON.stringify(body),
    });
    const refusal = { error: 'invalid_grant', error_description: 'The authorization code expired' };
    expect(() => expectDocumented('/oauth/token', 'post', oauthError(refusal))).not.toThrow();
    expect(() => expectDocumented('/oauth/token', 'post', oauthError({ ...refusal, error: 'invalid_token' }))).toThrow(/does not match/);
    expect(() => expectDocumented('/oauth/token', 'post', oauthError({ ...refusal, code: 'invalid_grant' }))).toThrow(/does not match/);
    expect(() => expectDocumented('/oauth/token', 'post', oauthError(refusal, 'public'))).toThrow(/Cache-Control/);
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
      'authorization_endpoint',
      'token_endpoint',
      'userinfo_endpoint',
      'revocation_endpoint',
      'introspection_endpoint',
      'end_session_endpoint',
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
    expect(ok.headers.get('set-cookie')).toMatch(/^sigil_refresh=/);
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
    const signedIn = await post({ response: used });
    expect(signedIn.status).toBe(303);
    expect(signedIn.headers.get('set-cookie')).toMatch(/^sigil_refresh=/);
    expect((await post({ response: used })).status).toBe(401);
    expect((await post({ response: 'x' })).status).toBe(400);
    expect((await post({ response: await assertion(), return_to: 'https://evil.example/' })).status).toBe(400);
  });

  // OAuth 2.1 / OpenID Connect (src/oauth): the browser flow through the documented operations
  // (authorize, the hosted sign-in, consent), then the JSON endpoints and their OAuth errors.

  /** GET /oauth/authorize, then the hosted login page it sends the browser to: what that page's forms need. */
  async function startOAuthSignIn(clientId: string, extra: Record<string, string> = {}) {
    const { verifier, challenge } = pkcePair();
    const started = await call('/oauth/authorize', 'get', {
      query: {
        response_type: 'code',
        client_id: clientId,
        redirect_uri: REDIRECT,
        scope: 'openid profile email offline_access',
        code_challenge: challenge,
        code_challenge_method: 'S256',
        state: 'st',
        nonce: 'n',
        ...extra,
      },
    });
    expect(started.status).toBe(303);
    const toLogin = new URL(started.headers.get('location')!, url);
    expect(toLogin.pathname).toBe('/login');
    const returnTo = toLogin.searchParams.get('return_to')!;
    const page = await call('/login', 'get', { query: { return_to: returnTo } });
    expect(page.status).toBe(200);
    const csrf = /sigil_csrf=([^;]+)/.exec(page.headers.get('set-cookie') ?? '')![1]!;
    return { verifier, returnTo, csrf, cookie: `sigil_csrf=${csrf}` };
  }

  /** An OAuth sign-in with a password: the answer of POST /login (a redirect with a code, or the consent page). */
  async function oauthPasswordSignIn(clientId: string, email: string, extra: Record<string, string> = {}) {
    const flow = await startOAuthSignIn(clientId, extra);
    const posted = await call(
      '/login',
      'post',
      formOf({ email, password: PASSWORD, csrf_token: flow.csrf, return_to: flow.returnTo }, { cookie: flow.cookie }),
    );
    return { ...flow, posted };
  }

  /** The code of a redirect back to the client (with `iss`, RFC 9207). */
  function codeOf(res: JsonResponse): string {
    const location = new URL(res.headers.get('location')!);
    expect(location.origin + location.pathname).toBe(REDIRECT);
    expect(location.searchParams.get('iss')).toBe(test.server.issuer);
    return location.searchParams.get('code')!;
  }

  const consentTokenOf = (page: JsonResponse) => /name="consent" value="([^"]+)"/.exec(page.text)![1]!;

  const token = (fields: Record<string, string>, headers: Record<string, string> = {}) =>
    call('/oauth/token', 'post', formOf(fields, headers));

  async function exchange(signIn: { posted: JsonResponse; verifier: string }, clientId = 'openapi-first') {
    const exchanged = await token({
      grant_type: 'authorization_code',
      code: codeOf(signIn.posted),
      redirect_uri: REDIRECT,
      code_verifier: signIn.verifier,
      client_id: clientId,
    });
    expect(exchanged.status).toBe(200);
    return exchanged.body as { access_token: string; refresh_token: string; id_token?: string; scope: string };
  }

  /** A user with a name (userinfo's `name` is a string), signed in to the first-party client. */
  async function oauthUser(scope?: string) {
    const email = uniqueEmail();
    await test.server.createUser({ email, password: PASSWORD, name: 'Ada' });
    const signIn = await oauthPasswordSignIn('openapi-first', email, scope ? { scope } : {});
    expect(signIn.posted.status).toBe(303);
    return { email, tokens: await exchange(signIn) };
  }

  it('GET /oauth/authorize: 303 to the login page, 303 with an error to the client, 400 page; POST /login ends at the client (303)', async () => {
    const email = uniqueEmail();
    await test.server.createUser({ email, password: PASSWORD });
    const { posted } = await oauthPasswordSignIn('openapi-first', email);
    expect(posted.status).toBe(303);
    expect(codeOf(posted)).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(new URL(posted.headers.get('location')!).searchParams.get('state')).toBe('st');
    expect(posted.headers.get('set-cookie')).toBeNull();

    const { challenge } = pkcePair();
    const query = {
      response_type: 'code',
      client_id: 'openapi-first',
      redirect_uri: REDIRECT,
      code_challenge: challenge,
      code_challenge_method: 'S256',
      state: 'q',
    };
    for (const [change, error] of [
      [{ code_challenge_method: 'plain' }, 'invalid_request'],
      [{ response_type: 'token' }, 'unsupported_response_type'],
      [{ resource: 'https://elsewhere.example/' }, 'invalid_target'],
      [{ prompt: 'none' }, 'login_required'],
    ] as const) {
      const refused = await call('/oauth/authorize', 'get', { query: { ...query, ...change } });
      expect(refused.status).toBe(303);
      const location = new URL(refused.headers.get('location')!);
      expect(Object.fromEntries(location.searchParams)).toMatchObject({ error, state: 'q', iss: test.server.issuer });
    }
    expect((await call('/oauth/authorize', 'get', { query: { ...query, client_id: 'nobody' } })).status).toBe(400);
    const unregistered = await call('/oauth/authorize', 'get', { query: { ...query, redirect_uri: 'http://127.0.0.1:9/evil' } });
    expect(unregistered.status).toBe(400);
    expect(unregistered.headers.get('location')).toBeNull();
    const invalidReturnTo = `${test.server.issuer}/oauth/authorize?client_id=nobody`;
    expect((await call('/login', 'get', { query: { return_to: invalidReturnTo } })).status).toBe(400);
  });

  it('POST /oauth/consent: the consent page (POST /login 200), 400, then 303 with a code or access_denied', async () => {
    const email = uniqueEmail();
    await test.server.createUser({ email, password: PASSWORD });
    const signIn = await oauthPasswordSignIn('openapi-third', email);
    expect(signIn.posted.status).toBe(200);
    expect(signIn.posted.text).toContain('action="/oauth/consent"');
    const consent = consentTokenOf(signIn.posted);
    const answer = (fields: Record<string, string>, cookie = signIn.cookie) =>
      call('/oauth/consent', 'post', formOf({ csrf_token: signIn.csrf, consent, return_to: signIn.returnTo, ...fields }, { cookie }));
    expect((await answer({ decision: 'allow' }, `sigil_csrf=${'x'.repeat(43)}`)).status).toBe(400);
    expect((await answer({ decision: 'maybe' })).status).toBe(400);
    expect((await answer({ decision: 'allow', return_to: `${url}/` })).status).toBe(400);
    const allowed = await answer({ decision: 'allow' });
    expect(allowed.status).toBe(303);
    expect(codeOf(allowed)).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect((await answer({ decision: 'allow' })).status).toBe(400);

    // The consent is remembered; prompt=consent asks again, and Deny goes back with access_denied.
    expect((await oauthPasswordSignIn('openapi-third', email)).posted.status).toBe(303);
    const again = await oauthPasswordSignIn('openapi-third', email, { prompt: 'consent' });
    expect(again.posted.status).toBe(200);
    const denied = await call(
      '/oauth/consent',
      'post',
      formOf(
        { csrf_token: again.csrf, consent: consentTokenOf(again.posted), return_to: again.returnTo, decision: 'deny' },
        { cookie: again.cookie },
      ),
    );
    expect(denied.status).toBe(303);
    expect(new URL(denied.headers.get('location')!).searchParams.get('error')).toBe('access_denied');
  });

  it('an OAuth sign-in through /signup (200 consent page, 303 with a code) and /login/passkey (200 consent page)', async () => {
    const third = await startOAuthSignIn('openapi-third');
    expect((await call('/signup', 'get', { query: { return_to: third.returnTo }, headers: { cookie: third.cookie } })).status).toBe(200);
    const signUp = (flow: typeof third) =>
      call(
        '/signup',
        'post',
        formOf({ email: uniqueEmail(), password: PASSWORD, csrf_token: flow.csrf, return_to: flow.returnTo }, { cookie: flow.cookie }),
      );
    const consentPage = await signUp(third);
    expect(consentPage.status).toBe(200);
    expect(consentPage.text).toContain('action="/oauth/consent"');
    const direct = await signUp(await startOAuthSignIn('openapi-first'));
    expect(direct.status).toBe(303);
    expect(codeOf(direct)).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(direct.headers.get('set-cookie')).toBeNull();

    const { authenticator } = await accountWithPasskey();
    const flow = await startOAuthSignIn('openapi-third');
    const options = await request(`${url}/auth/passkeys/login/options`, { body: {} });
    const viaPasskey = await call(
      '/login/passkey',
      'post',
      formOf(
        { csrf_token: flow.csrf, return_to: flow.returnTo, response: JSON.stringify(authenticator.assert(options.body)) },
        { cookie: flow.cookie },
      ),
    );
    expect(viaPasskey.status).toBe(200);
    expect(viaPasskey.text).toContain('action="/oauth/consent"');
  });

  it('POST /oauth/token: 200 for each grant; 400 with each refusal; 401 invalid_client (a Basic challenge when Basic was tried)', async () => {
    const email = uniqueEmail();
    await test.server.createUser({ email, password: PASSWORD });
    const signIn = await oauthPasswordSignIn('openapi-first', email);
    const code = codeOf(signIn.posted);
    const codeGrant = {
      grant_type: 'authorization_code',
      code,
      redirect_uri: REDIRECT,
      code_verifier: signIn.verifier,
      client_id: 'openapi-first',
    };
    const exchanged = await token(codeGrant);
    expect(exchanged.status).toBe(200);
    expect(exchanged.body).toMatchObject({ token_type: 'Bearer', scope: 'openid profile email offline_access' });
    expect(exchanged.body.id_token).toBeTypeOf('string');
    const refreshed = await token({ grant_type: 'refresh_token', refresh_token: exchanged.body.refresh_token, client_id: 'openapi-first' });
    expect(refreshed.status).toBe(200);
    expect(refreshed.body.refresh_token).not.toBe(exchanged.body.refresh_token);

    const secretBasic = basicAuth(confidential.id, confidential.secret);
    const machine = await token({ grant_type: 'client_credentials' }, secretBasic);
    expect(machine.status).toBe(200);
    expect(machine.body).toMatchObject({ token_type: 'Bearer', scope: 'reports:read' });
    expect(machine.body.refresh_token).toBeUndefined();
    const secretPost = await token({
      grant_type: 'client_credentials',
      client_id: confidential.id,
      client_secret: confidential.secret,
      resource: 'https://reports.example.com',
    });
    expect(secretPost.status).toBe(200);

    const refused = async (fields: Record<string, string>, error: string, headers: Record<string, string> = {}) => {
      const res = await token(fields, headers);
      expect(res.status, error).toBe(400);
      expect(res.body.error).toBe(error);
    };
    await refused(codeGrant, 'invalid_grant');
    await refused(
      { grant_type: 'refresh_token', refresh_token: refreshed.body.refresh_token, client_id: 'openapi-first' },
      'invalid_grant',
    );
    await refused({ client_id: 'openapi-first' }, 'invalid_request');
    await refused({ grant_type: 'password', client_id: 'openapi-first' }, 'unsupported_grant_type');
    await refused({ grant_type: 'client_credentials', client_id: 'openapi-first' }, 'unauthorized_client');
    await refused({ grant_type: 'client_credentials', scope: 'admin' }, 'invalid_scope', secretBasic);
    await refused({ grant_type: 'client_credentials', resource: 'https://elsewhere.example/' }, 'invalid_target', secretBasic);

    const wrongSecret = await token({ grant_type: 'client_credentials' }, basicAuth(confidential.id, 'not the secret'));
    expect(wrongSecret.status).toBe(401);
    expect(wrongSecret.headers.get('www-authenticate')).toMatch(/^Basic realm=/);
    const withoutSecret = await token({ grant_type: 'client_credentials', client_id: confidential.id });
    expect(withoutSecret.status).toBe(401);
    expect(withoutSecret.headers.get('www-authenticate')).toBeNull();
    expect((await token({ grant_type: 'client_credentials' })).status).toBe(401);
  });

  it('POST /oauth/introspect (200 live and inactive, 400, 401) and POST /oauth/revoke (200, 400, 401)', async () => {
    const { tokens } = await oauthUser();
    const introspect = (
      fields: Record<string, string>,
      headers: Record<string, string> = basicAuth(confidential.id, confidential.secret),
    ) => call('/oauth/introspect', 'post', formOf(fields, headers));
    const access = await introspect({ token: tokens.access_token });
    expect(access.body).toMatchObject({ active: true, token_type: 'access_token', client_id: 'openapi-first' });
    const refresh = await introspect({ token: tokens.refresh_token, token_type_hint: 'refresh_token' });
    expect(refresh.body).toMatchObject({ active: true, token_type: 'refresh_token', client_id: 'openapi-first' });
    const machine = await token({ grant_type: 'client_credentials' }, basicAuth(confidential.id, confidential.secret));
    const machineToken = await introspect({ token: machine.body.access_token, client_id: confidential.id });
    expect(machineToken.body).toMatchObject({ active: true, sub: confidential.id });
    expect(machineToken.body.sid).toBeUndefined();
    expect((await introspect({ token: 'not a token' })).body).toEqual({ active: false });
    expect((await introspect({})).status).toBe(400);
    expect((await introspect({ token: tokens.access_token }, {})).status).toBe(401);
    expect((await introspect({ token: tokens.access_token, client_id: 'openapi-first' }, {})).status).toBe(401);

    const revoke = (fields: Record<string, string>) => call('/oauth/revoke', 'post', formOf(fields));
    // Another client's token: the same answer, and nothing happens.
    expect((await revoke({ token: tokens.refresh_token, client_id: 'openapi-third' })).status).toBe(200);
    expect((await introspect({ token: tokens.refresh_token })).body.active).toBe(true);
    const revoked = await revoke({ token: tokens.refresh_token, token_type_hint: 'refresh_token', client_id: 'openapi-first' });
    expect(revoked.status).toBe(200);
    expect((await introspect({ token: tokens.access_token })).body).toEqual({ active: false });
    expect((await revoke({ token: 'unknown', client_id: 'openapi-first' })).status).toBe(200);
    expect((await revoke({ client_id: 'openapi-first' })).status).toBe(400);
    expect((await revoke({ token: 'unknown' })).status).toBe(401);
  });

  it('GET and POST /oauth/userinfo: 200 with the claims of the granted scopes, 401 with a Bearer challenge, 403 without openid', async () => {
    const { email, tokens } = await oauthUser();
    const all = await call('/oauth/userinfo', 'get', { headers: bearer(tokens.access_token) });
    expect(all.status).toBe(200);
    expect(all.body).toMatchObject({ email, name: 'Ada' });
    expect(all.body.email_verified).toBeTypeOf('boolean');
    expect((await call('/oauth/userinfo', 'post', { headers: bearer(tokens.access_token) })).status).toBe(200);
    const openidOnly = await oauthUser('openid');
    const bare = await call('/oauth/userinfo', 'get', { headers: bearer(openidOnly.tokens.access_token) });
    expect(Object.keys(bare.body)).toEqual(['sub']);

    const none = await call('/oauth/userinfo', 'get');
    expect(none.status).toBe(401);
    expect(none.headers.get('www-authenticate')).not.toContain('error=');
    const tampered = `${tokens.access_token.slice(0, -4)}AAAA`;
    expect((await call('/oauth/userinfo', 'post', { headers: bearer(tampered) })).status).toBe(401);
    const withoutOpenid = await oauthUser('email');
    expect(withoutOpenid.tokens.id_token).toBeUndefined();
    const noOpenid = await call('/oauth/userinfo', 'get', { headers: bearer(withoutOpenid.tokens.access_token) });
    expect(noOpenid.status).toBe(403);
    expect(noOpenid.body.error).toBe('insufficient_scope');
  });

  it('GET and POST /oauth/logout: 303 to a registered URI, 200 pages, 400 for a hint or URI it cannot trust', async () => {
    const { tokens } = await oauthUser();
    const back = await call('/oauth/logout', 'get', {
      query: { id_token_hint: tokens.id_token!, post_logout_redirect_uri: AFTER_LOGOUT, state: 'bye' },
    });
    expect(back.status).toBe(303);
    expect(back.headers.get('location')).toBe(`${AFTER_LOGOUT}?state=bye`);
    const ended = await token({ grant_type: 'refresh_token', refresh_token: tokens.refresh_token, client_id: 'openapi-first' });
    expect(ended.body.error).toBe('invalid_grant');
    expect((await call('/oauth/logout', 'get')).status).toBe(200);

    const other = await oauthUser();
    const hint = other.tokens.id_token!;
    const untrusted: Record<string, string>[] = [
      { id_token_hint: hint, post_logout_redirect_uri: 'https://evil.example/' },
      { id_token_hint: hint, client_id: 'openapi-third' },
      { id_token_hint: 'not.a.token' },
    ];
    for (const query of untrusted) expect((await call('/oauth/logout', 'get', { query })).status).toBe(400);
    expect((await call('/oauth/logout', 'post', formOf(untrusted[0]!))).status).toBe(400);
    const signedOut = await call('/oauth/logout', 'post', formOf({ id_token_hint: hint }));
    expect(signedOut.status).toBe(200);
    expect(signedOut.text).toContain('You are signed out.');
  });

  it("a third-party client's access token: 403 insufficient_scope at every account endpoint, 200 at userinfo", async () => {
    const email = uniqueEmail();
    await test.server.createUser({ email, password: PASSWORD, name: 'Ada' });
    const signIn = await oauthPasswordSignIn('openapi-third', email);
    const allowed = await call(
      '/oauth/consent',
      'post',
      formOf(
        { csrf_token: signIn.csrf, consent: consentTokenOf(signIn.posted), return_to: signIn.returnTo, decision: 'allow' },
        { cookie: signIn.cookie },
      ),
    );
    const tokens = await exchange({ posted: allowed, verifier: signIn.verifier }, 'openapi-third');
    const auth = bearer(tokens.access_token);
    expect((await call('/oauth/userinfo', 'get', { headers: auth })).status).toBe(200);
    const accountOperations = Object.entries<Json>(doc.paths).flatMap(([path, item]) =>
      Object.entries<Json>(item)
        .filter(([, operation]) => path.startsWith('/auth/') && JSON.stringify(operation.security ?? []).includes('bearer'))
        .map(([method]) => [path, method] as const),
    );
    expect(accountOperations.length).toBeGreaterThan(10);
    for (const [path, method] of accountOperations) {
      const refused = await call(path, method, { headers: auth, pathParams: { id: randomUUID() } });
      expect(refused.status, `${method} ${path}`).toBe(403);
      expect(refused.body.code).toBe('insufficient_scope');
    }
  });

  it('the OAuth form endpoints refuse bodies over 16 KiB (413) and unsupported charsets (415)', async () => {
    for (const path of ['/oauth/consent', '/oauth/token', '/oauth/revoke', '/oauth/introspect', '/oauth/logout']) {
      expect((await call(path, 'post', formOf({ token: 'x'.repeat(20_000) }))).status, path).toBe(413);
      const koi8 = { rawBody: 'token=x', headers: { 'content-type': 'application/x-www-form-urlencoded; charset=koi8-r' } };
      expect((await call(path, 'post', koi8)).status, path).toBe(415);
    }
  });

  it('the OAuth endpoints answer a spent per-IP budget (429): a page for the browser, OAuth JSON for clients', async () => {
    const limited = await startTestServer({ ipRequestsPerMinute: 1 });
    try {
      for (const [path, method] of [
        ['/oauth/authorize', 'get'],
        ['/oauth/consent', 'post'],
        ['/oauth/token', 'post'],
        ['/oauth/revoke', 'post'],
        ['/oauth/introspect', 'post'],
      ] as const) {
        const responses = [];
        for (let i = 0; i < 2; i++)
          responses.push(
            await send(`${limited.url}${path}`, { method: method.toUpperCase(), ...(method === 'post' ? formOf({ token: 'x' }) : {}) }),
          );
        const refused = responses.find((r) => r.status === 429)!;
        expect(refused, path).toBeDefined();
        expectDocumented(path, method, refused);
      }
    } finally {
      await limited.close();
    }
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
    const signedUp = await signupPage.post({ email, password: PASSWORD, return_to: returnTo });
    expect(signedUp.status).toBe(303);
    expect(signedUp.headers.get('set-cookie')).toMatch(/^sigil_refresh=/);
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
