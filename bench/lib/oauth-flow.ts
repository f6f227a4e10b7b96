/**
 * An OAuth 2.1 relying party over plain HTTP, for the OAuth benchmark (bench/oauth.ts): the
 * endpoints from the provider's discovery document, PKCE S256, a cookie jar per authorization,
 * redirects followed by hand, and the provider's own sign-in page filled in where it shows one
 * (Sigil's hosted login form; oidc-provider's interactions finish without a page in
 * servers/oidc-provider.ts). The same code drives both providers.
 *
 * @example
 * const rp = await discover(server.url);
 * const authorization = await authorize(rp, OAUTH_BENCH_CLIENT, benchUser(0));
 * const tokens = await exchangeCode(rp, OAUTH_BENCH_CLIENT, authorization);
 */
import { createHash, randomBytes } from 'node:crypto';

export interface OAuthClientSettings {
  clientId: string;
  redirectUri: string;
  scope: string;
}

/** The bench's public client, registered alike with both providers. */
export const OAUTH_BENCH_CLIENT: OAuthClientSettings = {
  clientId: 'bench-rp',
  // Never requested: the last redirect is read from its Location header.
  redirectUri: 'http://127.0.0.1:9/callback',
  scope: 'openid profile email offline_access',
};

/** The API the access tokens are for: Sigil's default audience, oidc-provider's resource. */
export const OAUTH_BENCH_AUDIENCE = 'sigil';
export const OAUTH_BENCH_PASSWORD = 'bench-oauth-password-9d2e71c4';
export const oauthBenchEmail = (i: number): string => `oauth-${i}@example.com`;

export interface Credentials {
  email: string;
  password: string;
}

export interface Discovered {
  issuer: string;
  authorizationEndpoint: string;
  tokenEndpoint: string;
  jwksUri: string;
}

export interface Authorization {
  code: string;
  codeVerifier: string;
}

export interface TokenSet {
  accessToken: string;
  refreshToken: string;
  idToken: string | undefined;
}

const MAX_STEPS = 12;

export async function discover(base: string): Promise<Discovered> {
  const response = await fetch(`${base}/.well-known/openid-configuration`);
  if (response.status !== 200) throw new Error(`${base}: discovery answered ${response.status}`);
  const document = (await response.json()) as Record<string, unknown>;
  const { issuer, authorization_endpoint: authorizationEndpoint, token_endpoint: tokenEndpoint, jwks_uri: jwksUri } = document;
  if (
    typeof issuer !== 'string' ||
    typeof authorizationEndpoint !== 'string' ||
    typeof tokenEndpoint !== 'string' ||
    typeof jwksUri !== 'string'
  )
    throw new Error(`${base}: the discovery document lacks issuer, authorization_endpoint, token_endpoint or jwks_uri`);
  return { issuer, authorizationEndpoint, tokenEndpoint, jwksUri };
}

/** A PKCE pair (RFC 7636): 43 base64url characters of verifier and its S256 challenge. */
export function pkcePair(): { verifier: string; challenge: string } {
  const verifier = randomBytes(32).toString('base64url');
  return { verifier, challenge: createHash('sha256').update(verifier).digest('base64url') };
}

/** Cookies by name, as a browser keeps them for one site during one authorization. */
class CookieJar {
  private readonly cookies = new Map<string, string>();

  store(response: Response): void {
    for (const header of response.headers.getSetCookie()) {
      const pair = header.split(';', 1)[0]!;
      const at = pair.indexOf('=');
      if (at <= 0) continue;
      const name = pair.slice(0, at).trim();
      const value = pair.slice(at + 1).trim();
      // An expired or emptied cookie is a deletion.
      if (value === '' || /;\s*max-age=0/i.test(header)) this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
  }

  header(): string {
    return [...this.cookies].map(([name, value]) => `${name}=${value}`).join('; ');
  }
}

const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

function decodeEntities(text: string): string {
  return text.replace(/&(#x[0-9a-f]+|#\d+|[a-z]+);/gi, (whole, entity: string) => {
    if (entity[0] === '#')
      return String.fromCodePoint(entity[1] === 'x' || entity[1] === 'X' ? parseInt(entity.slice(2), 16) : Number(entity.slice(1)));
    return ENTITIES[entity.toLowerCase()] ?? whole;
  });
}

function attribute(tag: string, name: string): string | undefined {
  const match = new RegExp(`\\s${name}="([^"]*)"`, 'i').exec(tag);
  return match ? decodeEntities(match[1]!) : undefined;
}

interface Form {
  action: string;
  fields: Record<string, string>;
  hasPassword: boolean;
}

/** The POST forms of a page, each with its hidden fields and whether it asks for a password. */
function postForms(html: string): Form[] {
  const forms: Form[] = [];
  for (const match of html.matchAll(/<form\b([^>]*)>([\s\S]*?)<\/form>/gi)) {
    const [, tagAttributes, body] = match as unknown as [string, string, string];
    if ((attribute(` ${tagAttributes}`, 'method') ?? 'get').toLowerCase() !== 'post') continue;
    const fields: Record<string, string> = {};
    let hasPassword = false;
    for (const input of body.matchAll(/<input\b[^>]*>/gi)) {
      const type = (attribute(input[0], 'type') ?? 'text').toLowerCase();
      const name = attribute(input[0], 'name');
      if (type === 'password') hasPassword = true;
      if (type === 'hidden' && name) fields[name] = attribute(input[0], 'value') ?? '';
    }
    forms.push({ action: attribute(` ${tagAttributes}`, 'action') ?? '', fields, hasPassword });
  }
  return forms;
}

/** The sign-in form's post: its hidden fields (CSRF token, return_to) with the credentials. */
function signInPost(page: URL, html: string, user: Credentials): { url: string; body: URLSearchParams } {
  const form = postForms(html).find((f) => f.hasPassword);
  if (!form) {
    const title = /<title>([^<]*)<\/title>/i.exec(html)?.[1] ?? 'no title';
    throw new Error(`${page.origin}${page.pathname}: a page without a sign-in form ("${decodeEntities(title)}")`);
  }
  return {
    url: new URL(form.action || page.href, page).href,
    body: new URLSearchParams({ ...form.fields, email: user.email, password: user.password }),
  };
}

/**
 * One authorization: the authorization request (code, PKCE S256, state, nonce), the redirects a
 * browser would follow, the provider's sign-in form when it shows one, up to the redirect to the
 * client's redirect URI; returns its code (state and, when sent, iss checked).
 */
export async function authorize(rp: Discovered, client: OAuthClientSettings, user: Credentials): Promise<Authorization> {
  const { verifier, challenge } = pkcePair();
  const state = randomBytes(16).toString('base64url');
  const url = new URL(rp.authorizationEndpoint);
  url.search = new URLSearchParams({
    response_type: 'code',
    client_id: client.clientId,
    redirect_uri: client.redirectUri,
    scope: client.scope,
    state,
    nonce: randomBytes(16).toString('base64url'),
    code_challenge: challenge,
    code_challenge_method: 'S256',
  }).toString();

  const jar = new CookieJar();
  let request: { url: string; body?: URLSearchParams } = { url: url.href };
  let signedIn = false;
  for (let step = 0; step < MAX_STEPS; step++) {
    const response = await fetch(request.url, {
      method: request.body ? 'POST' : 'GET',
      redirect: 'manual',
      headers: { cookie: jar.header(), ...(request.body ? { 'content-type': 'application/x-www-form-urlencoded' } : {}) },
      ...(request.body ? { body: request.body } : {}),
    });
    jar.store(response);
    const location = response.headers.get('location');
    if (response.status >= 300 && response.status < 400 && location) {
      await response.body?.cancel();
      const next = new URL(location, request.url);
      if (next.href.startsWith(`${client.redirectUri}?`)) return callbackCode(rp, next, state, verifier);
      request = { url: next.href };
      continue;
    }
    const page = await response.text();
    if (response.status !== 200 || signedIn)
      throw new Error(`authorization at ${rp.issuer}: ${request.url} answered ${response.status} (${page.slice(0, 200)})`);
    request = signInPost(new URL(request.url), page, user);
    signedIn = true;
  }
  throw new Error(`authorization at ${rp.issuer}: no redirect to the client after ${MAX_STEPS} steps`);
}

function callbackCode(rp: Discovered, callback: URL, state: string, verifier: string): Authorization {
  const error = callback.searchParams.get('error');
  if (error) throw new Error(`authorization at ${rp.issuer}: ${error} (${callback.searchParams.get('error_description') ?? ''})`);
  if (callback.searchParams.get('state') !== state) throw new Error(`authorization at ${rp.issuer}: the state came back changed`);
  const iss = callback.searchParams.get('iss');
  if (iss !== null && iss !== rp.issuer) throw new Error(`authorization at ${rp.issuer}: iss ${iss} in the redirect`);
  const code = callback.searchParams.get('code');
  if (!code) throw new Error(`authorization at ${rp.issuer}: a redirect without a code`);
  return { code, codeVerifier: verifier };
}

async function tokenRequest(rp: Discovered, parameters: Record<string, string>, what: string): Promise<TokenSet> {
  const response = await fetch(rp.tokenEndpoint, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
    body: new URLSearchParams(parameters),
  });
  const text = await response.text();
  if (response.status !== 200) throw new Error(`${what} at ${rp.issuer}: ${response.status} ${text.slice(0, 300)}`);
  const body = JSON.parse(text) as Record<string, unknown>;
  const { access_token: accessToken, refresh_token: refreshToken, id_token: idToken } = body;
  if (typeof accessToken !== 'string' || typeof refreshToken !== 'string')
    throw new Error(`${what} at ${rp.issuer}: no access_token or refresh_token in ${Object.keys(body).join(', ')}`);
  return { accessToken, refreshToken, idToken: typeof idToken === 'string' ? idToken : undefined };
}

/** `grant_type=authorization_code` as a public client (client_id, no secret). */
export function exchangeCode(rp: Discovered, client: OAuthClientSettings, authorization: Authorization): Promise<TokenSet> {
  return tokenRequest(
    rp,
    {
      grant_type: 'authorization_code',
      code: authorization.code,
      redirect_uri: client.redirectUri,
      code_verifier: authorization.codeVerifier,
      client_id: client.clientId,
    },
    'code exchange',
  );
}

/** `grant_type=refresh_token`; the answer must carry a new refresh token (rotation). */
export async function refreshGrant(rp: Discovered, client: OAuthClientSettings, refreshToken: string): Promise<TokenSet> {
  const tokens = await tokenRequest(
    rp,
    { grant_type: 'refresh_token', refresh_token: refreshToken, client_id: client.clientId },
    'refresh grant',
  );
  if (tokens.refreshToken === refreshToken) throw new Error(`refresh grant at ${rp.issuer}: the refresh token was not rotated`);
  return tokens;
}

/** The JOSE header and claims of a JWT, unverified: what the bench checks the two sides issue alike. */
export function peekJwt(token: string): { header: Record<string, unknown>; claims: Record<string, unknown> } {
  const [header, claims] = token.split('.');
  if (!header || !claims) throw new Error('not a JWT');
  const decode = (part: string) => JSON.parse(Buffer.from(part, 'base64url').toString('utf8')) as Record<string, unknown>;
  return { header: decode(header), claims: decode(claims) };
}
