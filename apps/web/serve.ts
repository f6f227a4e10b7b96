/**
 * Serves the built demo app (`dist/browser`) on http://localhost:4200 with an SPA fallback:
 * `npm start -w @sigil/demo-web` (after `npm run build`). A tiny static server, so `npm start`
 * does not need the Angular dev server. PORT and HOST override the defaults.
 */
import { createServer } from 'node:http';
import { readFile, stat } from 'node:fs/promises';
import { extname, join, normalize, sep } from 'node:path';

const root = join(import.meta.dirname, 'dist', 'browser');
const port = Number(process.env['PORT'] ?? 4200);
const host = process.env['HOST'] ?? 'localhost';
const AUTH = process.env['SIGIL_ISSUER'] ?? 'http://localhost:4000';
const API = process.env['DEMO_API_ORIGIN'] ?? 'http://localhost:3000';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.svg': 'image/svg+xml',
  '.ico': 'image/x-icon',
  '.txt': 'text/plain; charset=utf-8',
};

// The app talks only to itself, the auth server and the API; nothing may frame it.
const CSP = [
  "default-src 'self'",
  `connect-src 'self' ${AUTH} ${API}`,
  "img-src 'self' data:",
  "style-src 'self' 'unsafe-inline'",
  "script-src 'self'",
  "base-uri 'self'",
  "form-action 'self'",
  "frame-ancestors 'none'",
  "object-src 'none'",
].join('; ');

async function file(path: string): Promise<Buffer | undefined> {
  try {
    return (await stat(path)).isFile() ? await readFile(path) : undefined;
  } catch {
    return undefined;
  }
}

const server = createServer(async (req, res) => {
  res.setHeader('Content-Security-Policy', CSP);
  res.setHeader('X-Content-Type-Options', 'nosniff');
  res.setHeader('Referrer-Policy', 'no-referrer');
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    res.writeHead(405, { Allow: 'GET, HEAD' }).end();
    return;
  }
  let pathname: string;
  try {
    pathname = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname);
  } catch {
    res.writeHead(400).end();
    return;
  }
  const target = normalize(join(root, pathname));
  // Never serve outside dist/browser, whatever `..` or encoded tricks the path holds.
  const inside = target === root || target.startsWith(root + sep);
  const asset = inside && extname(target) !== '' ? await file(target) : undefined;
  if (asset !== undefined) {
    // Hashed file names: cache for a year. index.html below: always revalidate.
    res.writeHead(200, { 'Content-Type': TYPES[extname(target)] ?? 'application/octet-stream', 'Cache-Control': 'public, max-age=31536000, immutable' });
    res.end(req.method === 'HEAD' ? undefined : asset);
    return;
  }
  if (extname(pathname) !== '') {
    res.writeHead(404, { 'Content-Type': 'text/plain; charset=utf-8' }).end('Not found');
    return;
  }
  const index = await file(join(root, 'index.html'));
  if (index === undefined) {
    res.writeHead(503, { 'Content-Type': 'text/plain; charset=utf-8' }).end('Build the app first: npm run build -w @sigil/demo-web');
    return;
  }
  res.writeHead(200, { 'Content-Type': TYPES['.html']!, 'Cache-Control': 'no-cache' });
  res.end(req.method === 'HEAD' ? undefined : index);
});

server.listen(port, host, () => console.log(`Sigil demo web app on http://${host}:${port}`));
for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => server.close(() => process.exit(0)));
