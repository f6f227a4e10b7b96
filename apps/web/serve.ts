/**
 * Runs the built demo app (`npm run build` first): `node serve.ts`, as the root `npm start` does.
 * Static files, `/login` rendered on the server, other routes rendered in the browser; the
 * handler and its security headers live in src/server.ts. PORT (4200) and HOST (127.0.0.1)
 * choose where it listens; SIGIL_ISSUER and DEMO_API_ORIGIN feed its Content-Security-Policy;
 * DEMO_FLOW=redirect makes the redirect flow (the auth server's sign-in page) the tabs' default.
 */
import { createServer } from 'node:http';
import { existsSync } from 'node:fs';
import { join } from 'node:path';

const entry = join(import.meta.dirname, 'dist', 'server', 'server.mjs');
if (!existsSync(entry)) {
  console.error('demo web: no build found; run `npm run build -w @sigil/demo-web` first');
  process.exit(1);
}
const { reqHandler } = (await import(entry)) as { reqHandler: (req: unknown, res: unknown) => unknown };

const port = Number(process.env['PORT'] ?? 4200);
const host = process.env['HOST'] ?? '127.0.0.1';
const server = createServer((req, res) => void reqHandler(req, res));
server.listen(port, host, () => console.log(`Sigil demo web app on http://localhost:${port}`));
for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => server.close(() => process.exit(0)));
