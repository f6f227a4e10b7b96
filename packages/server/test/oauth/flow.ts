import { createHash, randomBytes } from 'node:crypto';

/** A browser's part of the authorization code flow, over plain HTTP: what a user does on the hosted pages. */
export interface AuthorizeOptions {
  issuer: string;
  clientId: string;
  redirectUri: string;
  email: string;
  password: string;
  scope?: string;
  state?: string;
  nonce?: string;
  resource?: string;
  codeChallenge?: string;
  /** Answer a consent page with this decision. @default 'allow' */
  consent?: 'allow' | 'deny';
  extra?: Record<string, string>;
}

export function pkcePair(): { verifier: string; challenge: string } {
  const verifier = randomBytes(32).toString('base64url');
  return { verifier, challenge: createHash('sha256').update(verifier).digest('base64url') };
}

function cookieJar() {
  const cookies = new Map<string, string>();
  return {
    take(res: Response) {
      for (const line of res.headers.getSetCookie()) {
        const [pair] = line.split(';');
        const [name, value] = pair!.split('=');
        cookies.set(name!.trim(), value ?? '');
      }
    },
    header: () => [...cookies].map(([n, v]) => `${n}=${v}`).join('; '),
  };
}

function hiddenFields(html: string): Record<string, string> {
  const fields: Record<string, string> = {};
  for (const match of html.matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)">/g))
    fields[match[1]!] = match[2]!
      .replace(/&amp;/g, '&')
      .replace(/&quot;/g, '"')
      .replace(/&#39;/g, "'")
      .replace(/&lt;/g, '<')
      .replace(/&gt;/g, '>');
  return fields;
}

/**
 * Runs GET /oauth/authorize, the hosted login form and (if shown) the consent form; resolves to
 * the final redirect's URL (the client's redirect URI with code or error) and the pages seen.
 */
export async function authorize(o: AuthorizeOptions): Promise<{ location: URL; pages: string[] }> {
  const jar = cookieJar();
  const url = new URL(`${o.issuer}/oauth/authorize`);
  const params: Record<string, string> = {
    response_type: 'code',
    client_id: o.clientId,
    redirect_uri: o.redirectUri,
    scope: o.scope ?? 'openid profile email offline_access',
    code_challenge: o.codeChallenge ?? pkcePair().challenge,
    code_challenge_method: 'S256',
    ...(o.state ? { state: o.state } : {}),
    ...(o.nonce ? { nonce: o.nonce } : {}),
    ...(o.resource ? { resource: o.resource } : {}),
    ...o.extra,
  };
  for (const [k, v] of Object.entries(params)) url.searchParams.set(k, v);
  const pages: string[] = [];
  const first = await fetch(url, { redirect: 'manual' });
  const toLogin = first.headers.get('location');
  if (first.status !== 303 || !toLogin) throw new Error(`authorize answered ${first.status}: ${await first.text()}`);
  if (!toLogin.startsWith('/login')) return { location: new URL(toLogin), pages };
  const loginPage = await fetch(new URL(toLogin, o.issuer), { redirect: 'manual' });
  jar.take(loginPage);
  const loginHtml = await loginPage.text();
  pages.push(loginHtml);
  const fields = hiddenFields(loginHtml);
  const posted = await fetch(`${o.issuer}/login`, {
    method: 'POST',
    redirect: 'manual',
    headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: jar.header(), origin: o.issuer },
    body: new URLSearchParams({ csrf_token: fields.csrf_token!, return_to: fields.return_to!, email: o.email, password: o.password }),
  });
  jar.take(posted);
  if (posted.status === 303) return { location: new URL(posted.headers.get('location')!), pages };
  const consentHtml = await posted.text();
  pages.push(consentHtml);
  if (posted.status !== 200 || !consentHtml.includes('/oauth/consent')) throw new Error(`login answered ${posted.status}: ${consentHtml}`);
  const consentFields = hiddenFields(consentHtml);
  const answered = await fetch(`${o.issuer}/oauth/consent`, {
    method: 'POST',
    redirect: 'manual',
    headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: jar.header(), origin: o.issuer },
    body: new URLSearchParams({ ...consentFields, decision: o.consent ?? 'allow' }),
  });
  if (answered.status !== 303) throw new Error(`consent answered ${answered.status}: ${await answered.text()}`);
  return { location: new URL(answered.headers.get('location')!), pages };
}

/** POST /oauth/token with a form body (and Basic credentials when given). */
export async function tokenRequest(
  issuer: string,
  form: Record<string, string>,
  basic?: { id: string; secret: string },
  path = '/oauth/token',
): Promise<{ status: number; body: Record<string, unknown>; headers: Headers }> {
  const headers: Record<string, string> = { 'content-type': 'application/x-www-form-urlencoded' };
  if (basic)
    headers.authorization = `Basic ${Buffer.from(`${encodeURIComponent(basic.id)}:${encodeURIComponent(basic.secret)}`).toString('base64')}`;
  const res = await fetch(`${issuer}${path}`, { method: 'POST', headers, body: new URLSearchParams(form) });
  const text = await res.text();
  return { status: res.status, body: text ? (JSON.parse(text) as Record<string, unknown>) : {}, headers: res.headers };
}
