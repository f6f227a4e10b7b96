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
  const auth = await createAuthServer({
    dataDir: 'memory://',
    logLevel: 'silent',
    mailTransport: { description: 'the test inbox', send: async (mail) => void mails.push(mail), close: async () => {} },
    ...options,
  });
  const { url: directUrl } = await auth.listen(0);
  const requests: Recorded[] = [];
  // The recorder hands each request to the server's own Express app: same code, same process.
  const { server, url } = await listen((req, res) => {
    requests.push({ method: req.method ?? '', path: req.url ?? '', headers: req.headers, body: '' });
    auth.app(req, res);
  });
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
