// Real HTTP servers for the client's tests (not part of the package API). The auth server is the
// real @sigil/server; in front of it a recorder counts what actually reaches it, two tiny
// resource servers record the headers they receive, and an Express API protected by the real
// @sigil/express asks for step-ups.
import { once } from 'node:events';
import { createServer, type IncomingHttpHeaders, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import { Secret, TOTP } from 'otpauth';
import { sendProblem, type SigilError } from '@sigil/core';
import { createSigil, requireAuthLevel } from '@sigil/express';
import { createAuthServer, type AuthServerOptions, type MailMessage } from '@sigil/server';

export const PASSWORD = 'correct horse battery';

export interface Recorded {
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
  body: string;
}

async function listen(handler: (req: IncomingMessage, res: ServerResponse) => void): Promise<{ server: Server; url: string }> {
  const server = createServer(handler);
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  return { server, url: `http://127.0.0.1:${port}` };
}

async function close(server: Server): Promise<void> {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (chunk: string) => (body += chunk));
    req.on('end', () => resolve(body));
    req.on('error', reject);
  });
}

/**
 * The real auth server, reached through a recorder so tests can count e.g. POST /auth/refresh. Its
 * mail worker hands every mail to `mails` (as a user's inbox would receive it); `mailedToken`
 * reads the token of a link from there.
 */
export async function startAuth(options: AuthServerOptions = {}) {
  const mails: MailMessage[] = [];
  const requests: Recorded[] = [];
  const target: { app?: (req: IncomingMessage, res: ServerResponse) => void } = {};
  // The recorder hands each request to the server's own Express app: same code, same process. It
  // listens first, so the server's issuer is the URL clients use (the redirect flow compares them).
  const { server, url } = await listen((req, res) => {
    requests.push({ method: req.method ?? '', path: req.url ?? '', headers: req.headers, body: '' });
    target.app!(req, res);
  });
  const auth = await createAuthServer({
    dataDir: 'memory://',
    logLevel: 'silent',
    mailTransport: { description: 'the test inbox', send: async (mail) => void mails.push(mail), close: async () => {} },
    issuer: url,
    ...options,
  });
  target.app = auth.app;
  const { url: directUrl } = await auth.listen(0);
  const seen = new Set<MailMessage>();
  return {
    auth,
    mails,
    /**
     * The token of the next mail to `to` (one not read before) with a `/email/verify` or
     * `/password/reset` link: waits for the mail worker to deliver it.
     */
    async mailedToken(to: string, link: 'email/verify' | 'password/reset'): Promise<string> {
      const deadline = Date.now() + 10_000;
      for (;;) {
        const mail = mails.find((m) => !seen.has(m) && m.to === to && m.links.some((l) => l.includes(`/${link}?`)));
        if (mail) {
          seen.add(mail);
          return new URL(mail.links.find((l) => l.includes(`/${link}?`))!).searchParams.get('token')!;
        }
        if (Date.now() > deadline) throw new Error(`no ${link} mail to ${to}`);
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    },
    /** What the client uses as `issuer`. */
    url,
    directUrl,
    requests,
    count: (method: string, path: string) => requests.filter((r) => r.method === method && r.path === path).length,
    async close() {
      await close(server);
      await auth.close();
    },
  };
}
export type TestAuth = Awaited<ReturnType<typeof startAuth>>;

/**
 * A resource server: `GET /data` checks the bearer token with the auth server's `GET /auth/me`
 * (so an expired or unknown token really is refused) unless the test revoked it here first;
 * `POST /echo` does the same and echoes the body. Every request is recorded.
 */
export async function startApi(authUrl: string) {
  const requests: Recorded[] = [];
  const revoked = new Set<string>();
  let refuseAll = false;
  const { server, url } = await listen(async (req, res) => {
    const body = await readBody(req);
    requests.push({ method: req.method ?? '', path: req.url ?? '', headers: req.headers, body });
    const authorization = req.headers.authorization ?? '';
    const token = authorization.startsWith('Bearer ') ? authorization.slice(7) : '';
    let status = 401;
    let payload: unknown = { code: 'invalid_token' };
    if (token !== '' && !revoked.has(token) && !refuseAll) {
      const me = await fetch(`${authUrl}/auth/me`, { headers: { authorization } });
      status = me.status === 200 ? 200 : 401;
      payload = status === 200 ? { me: await me.json(), echo: body } : { code: 'invalid_token' };
    }
    res.writeHead(status, {
      'content-type': 'application/json',
      ...(status === 401 ? { 'www-authenticate': 'Bearer error="invalid_token"' } : {}),
    });
    res.end(JSON.stringify(payload));
  });
  return {
    url,
    requests,
    /** Refuse this token from now on, as a resource server with a revocation list would. */
    revoke: (token: string) => void revoked.add(token),
    /** Answer 401 to everything: the server a client must not loop against. */
    refuseEverything: () => void (refuseAll = true),
    reset() {
      refuseAll = false;
      revoked.clear();
      requests.length = 0;
    },
    close: () => close(server),
  };
}

/** A third-party server that must never see a token. */
export async function startForeign() {
  const requests: Recorded[] = [];
  const { server, url } = await listen(async (req, res) => {
    requests.push({ method: req.method ?? '', path: req.url ?? '', headers: req.headers, body: await readBody(req) });
    res.writeHead(200, { 'content-type': 'text/plain' });
    res.end('ok');
  });
  return { url, requests, close: () => close(server) };
}

/**
 * What a browser adds to Node's fetch for cookie mode: an `Origin` header and a cookie jar used for
 * `credentials: 'include'` requests. Host-only, path-scoped, HttpOnly is irrelevant to a jar.
 */
export function browserFetch(origin: string): typeof fetch & { jar: Map<string, { value: string; path: string }> } {
  const jar = new Map<string, { value: string; path: string }>();
  const browser = async (input: RequestInfo | URL, init?: RequestInit) => {
    const request = new Request(input, init);
    const url = new URL(request.url);
    const headers = new Headers(request.headers);
    if (url.origin !== origin) headers.set('Origin', origin);
    const withCookies = init?.credentials === 'include';
    if (withCookies) {
      const cookies = [...jar].filter(([, c]) => url.pathname.startsWith(c.path)).map(([name, c]) => `${name}=${c.value}`);
      if (cookies.length > 0) headers.set('Cookie', cookies.join('; '));
    }
    const response = await fetch(new Request(request, { headers }));
    if (withCookies) {
      for (const line of response.headers.getSetCookie()) {
        const [pair = '', ...attributes] = line.split(';').map((s) => s.trim());
        const eq = pair.indexOf('=');
        const name = pair.slice(0, eq);
        const value = pair.slice(eq + 1);
        const path = attributes.find((a) => a.toLowerCase().startsWith('path='))?.slice(5) ?? '/';
        const expired = attributes.some((a) => /^max-age=(0|-)/i.test(a)) || value === '';
        if (expired) jar.delete(name);
        else jar.set(name, { value, path });
      }
    }
    return response;
  };
  return Object.assign(browser, { jar });
}

/**
 * An API on @sigil/express, trusting `issuer`'s tokens (keys by discovery): `GET /data` for any
 * valid token; `DELETE /lessons/:id` needs a second factor within 5 minutes, `POST /recent` a
 * sign-in within 5 minutes, `GET /acr` the acr `urn:sigil:high`, each answering the RFC 9470
 * step-up challenge otherwise. `GET /hidden` needs a second factor too but refuses without the
 * `WWW-Authenticate` header, as a browser shows a cross-origin answer that does not expose it.
 * A token passed to `revoke` is refused with 401 `invalid_token`.
 */
export async function startStepUpApi(issuer: string, clock: () => number = Date.now) {
  const sigil = createSigil({ issuer, audience: 'sigil', clock });
  const revoked = new Set<string>();
  const app = express();
  const ok = (_req: express.Request, res: express.Response) => void res.json({ ok: true });
  app.use((req, res, next) => {
    const token = req.headers.authorization?.slice('Bearer '.length) ?? '';
    if (!revoked.has(token)) return next();
    res.status(401).set('WWW-Authenticate', 'Bearer realm="sigil", error="invalid_token"').json({ code: 'invalid_token' });
  });
  app.get('/data', sigil.requireAuth(), ok);
  app.delete('/lessons/:id', sigil.requireAuth(), sigil.requireAuthLevel({ amr: ['mfa'], maxAge: 300 }), ok);
  app.post('/recent', sigil.requireAuth(), sigil.requireAuthLevel({ maxAge: 300 }), ok);
  app.get('/acr', sigil.requireAuth(), sigil.requireAuthLevel({ acrValues: ['urn:sigil:high'] }), ok);
  app.get('/hidden', sigil.requireAuth(), requireAuthLevel({ amr: ['mfa'], onError: 'next' }), ok);
  // The problem+json body alone: what the page sees of /hidden's refusal.
  app.use((error: SigilError, _req: express.Request, res: express.Response, _next: express.NextFunction) => sendProblem(res, error));
  const { server, url } = await listen(app);
  return { url, revoke: (token: string) => void revoked.add(token), close: () => close(server) };
}

/** The code an authenticator app shows for `secret` at `at` (epoch ms; RFC 6238: SHA-1, 6 digits, 30 s). */
export function totpCode(secret: string, at: number): string {
  return TOTP.generate({ secret: Secret.fromBase32(secret), algorithm: 'SHA1', digits: 6, period: 30, timestamp: at });
}

/**
 * What a user does on the auth server's pages after `loginWithRedirect` sent the browser to
 * `authorizeUrl`: follows it to the hosted sign-in page, posts the form (its CSRF cookie and token,
 * the page's `return_to`) and, for a third-party client, answers the consent page with `decision`. Resolves to
 * where the auth server finally sends the browser: the client's redirect URI with `code`, `state`
 * and `iss` (or `error`).
 */
export async function signInAtAuthServer(
  authorizeUrl: string,
  user: { email: string; password: string },
  decision: 'allow' | 'deny' = 'allow',
): Promise<string> {
  const cookies = new Map<string, string>();
  const keep = (response: Response) => {
    for (const line of response.headers.getSetCookie()) {
      const [pair = ''] = line.split(';');
      const eq = pair.indexOf('=');
      cookies.set(pair.slice(0, eq).trim(), pair.slice(eq + 1));
    }
  };
  const issuer = new URL(authorizeUrl).origin;
  const send = async (url: string, form?: Record<string, string>) => {
    const response = await fetch(new URL(url, issuer), {
      method: form ? 'POST' : 'GET',
      redirect: 'manual',
      headers: {
        cookie: [...cookies].map(([name, value]) => `${name}=${value}`).join('; '),
        ...(form ? { 'content-type': 'application/x-www-form-urlencoded', origin: issuer } : {}),
      },
      body: form && new URLSearchParams(form),
    });
    keep(response);
    return response;
  };
  const hidden = (html: string, form: string) => {
    const fields: Record<string, string> = {};
    const section = html.slice(html.indexOf(`action="${form}"`));
    for (const [, name, value] of section
      .slice(0, section.indexOf('</form>'))
      .matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)">/g)) {
      fields[name!] = value!
        .replace(/&amp;/g, '&')
        .replace(/&quot;/g, '"')
        .replace(/&#39;/g, "'")
        .replace(/&lt;/g, '<')
        .replace(/&gt;/g, '>');
    }
    return fields;
  };
  const authorize = await send(authorizeUrl);
  const toLogin = authorize.headers.get('location');
  if (authorize.status !== 303 || !toLogin) throw new Error(`authorize answered ${authorize.status}: ${await authorize.text()}`);
  if (!toLogin.startsWith('/login')) return new URL(toLogin, issuer).href;
  const loginPage = await send(toLogin);
  const posted = await send('/login', { ...hidden(await loginPage.text(), '/login'), email: user.email, password: user.password });
  if (posted.status === 303) return new URL(posted.headers.get('location')!, issuer).href;
  const consentPage = await posted.text();
  if (!consentPage.includes('action="/oauth/consent"')) throw new Error(`the sign-in answered ${posted.status}: ${consentPage}`);
  const answered = await send('/oauth/consent', { ...hidden(consentPage, '/oauth/consent'), decision });
  if (answered.status !== 303) throw new Error(`the consent answered ${answered.status}`);
  return new URL(answered.headers.get('location')!, issuer).href;
}
