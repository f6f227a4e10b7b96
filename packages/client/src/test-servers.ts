// Real HTTP servers for the client's tests (not part of the package API). The auth server is the
// real @sigil/server; in front of it a recorder counts what actually reaches it, and two tiny
// resource servers record the headers they receive.
import { once } from 'node:events';
import { createServer, type IncomingHttpHeaders, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createAuthServer, type AuthServerOptions } from '@sigil/server';
import { lifecycleStandIn, type LifecycleOptions } from './test-lifecycle.ts';

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
 * The real auth server, reached through a recorder so tests can count e.g. POST /auth/refresh.
 * With `lifecycle`, the account-lifecycle endpoints are answered by test-lifecycle.ts.
 */
export async function startAuth(options: AuthServerOptions = {}, lifecycleOptions?: Omit<LifecycleOptions, 'password'>) {
  const auth = await createAuthServer({ dataDir: 'memory://', logLevel: 'silent', ...options });
  const { url: directUrl } = await auth.listen(0);
  const requests: Recorded[] = [];
  const lifecycle = lifecycleOptions && lifecycleStandIn(auth, { password: PASSWORD, ...lifecycleOptions });
  // The recorder hands each request to the server's own Express app: same code, same process.
  const { server, url } = await listen((req, res) => {
    requests.push({ method: req.method ?? '', path: req.url ?? '', headers: req.headers, body: '' });
    if (lifecycle?.handles(req)) void lifecycle.handle(req, res);
    else auth.app(req, res);
  });
  return {
    auth,
    lifecycle,
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
