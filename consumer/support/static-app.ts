/**
 * A built single-page app served as a static host does: its files, and index.html for every other
 * path (the app routes in the browser). With `proxy`, paths under its prefix go to another server
 * instead, as a reverse proxy in front of an app and its API does (one origin, no CORS).
 *
 * @example
 * const http = await serveApp(path.join(appDir, 'dist/app/browser'), webPort, { prefix: '/api/', port: apiPort });
 */
import { readFile } from 'node:fs/promises';
import { createServer, request as forward, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import path from 'node:path';

export interface Proxy {
  /** Paths starting with it go to the other server, e.g. `/api/`. */
  prefix: string;
  /** The other server's port on 127.0.0.1. */
  port: number;
}

const TYPES: Record<string, string> = { '.html': 'text/html', '.js': 'text/javascript', '.css': 'text/css', '.ico': 'image/x-icon' };

function proxied(request: IncomingMessage, response: ServerResponse, proxy: Proxy): void {
  const upstream = forward(
    { host: '127.0.0.1', port: proxy.port, method: request.method, path: request.url, headers: request.headers },
    (answer) => {
      response.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(response);
    },
  );
  upstream.on('error', () => {
    response.writeHead(502);
    response.end();
  });
  request.pipe(upstream);
}

export function serveApp(root: string, port: number, proxy?: Proxy): Promise<Server> {
  const http = createServer((request, response) => {
    const pathname = decodeURIComponent(new URL(request.url ?? '/', 'http://localhost').pathname);
    if (proxy && pathname.startsWith(proxy.prefix)) return proxied(request, response, proxy);
    const file = path.join(root, path.normalize(pathname));
    const send = (target: string) =>
      readFile(target).then((body) => {
        response.writeHead(200, { 'Content-Type': TYPES[path.extname(target)] ?? 'application/octet-stream' });
        response.end(body);
      });
    (file.startsWith(root) && path.extname(file) ? send(file) : Promise.reject(new Error('route')))
      .catch(() => send(path.join(root, 'index.html')))
      .catch(() => {
        response.writeHead(404);
        response.end();
      });
  });
  return new Promise((resolve) => http.listen(port, '127.0.0.1', () => resolve(http)));
}

/** Closes a server started by serveApp (nothing when there is none). */
export function closeApp(http: Server | undefined): Promise<void> {
  if (!http) return Promise.resolve();
  const closed = new Promise<void>((resolve) => http.close(() => resolve()));
  // Idle keep-alive connections would hold close() open.
  http.closeAllConnections();
  return closed;
}
