/**
 * The demo web app's server (SSR build): static files from dist/browser, `/login` rendered on the
 * server, every other route handed to the browser. `npm start -w @sigil/demo-web` after a build;
 * PORT (default 4200) and HOST (default 127.0.0.1) override where it listens.
 */
import { AngularNodeAppEngine, createNodeRequestHandler, isMainModule, writeResponseToNodeResponse } from '@angular/ssr/node';
import express from 'express';
import { join } from 'node:path';

const browserDistFolder = join(import.meta.dirname, '../browser');
const AUTH = process.env['SIGIL_ISSUER'] ?? 'http://localhost:4000';
const API = process.env['DEMO_API_ORIGIN'] ?? 'http://localhost:3000';

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

const app = express();
app.disable('x-powered-by');
const angularApp = new AngularNodeAppEngine();

/**
 * `npm start -- --flow=redirect` (DEMO_FLOW=redirect): the sign-in flow of tabs that did not pick
 * one with `?flow=`, as a cookie the app reads (src/app/settings.ts). Not HttpOnly: it is the
 * page's setting, not a secret.
 */
const FLOW_COOKIE = process.env['DEMO_FLOW'] === 'redirect' ? 'sigil-demo-flow=redirect; Path=/; SameSite=Lax' : undefined;

app.use((_req, res, next) => {
  if (FLOW_COOKIE) res.append('Set-Cookie', FLOW_COOKIE);
  res.setHeader('Content-Security-Policy', CSP);
  res.setHeader('X-Content-Type-Options', 'nosniff');
  res.setHeader('Referrer-Policy', 'no-referrer');
  next();
});

app.use(express.static(browserDistFolder, { maxAge: '1y', index: false, redirect: false }));

// A missing file (an old chunk after a new build) is a 404, not the app's fallback route.
app.use((req, res, next) => {
  if (/\.[a-z0-9]+$/i.test(req.path)) res.status(404).type('text/plain').send('Not found');
  else next();
});

app.use((req, res, next) => {
  angularApp
    .handle(req)
    .then((response) => (response ? writeResponseToNodeResponse(response, res) : next()))
    .catch(next);
});

if (isMainModule(import.meta.url)) {
  const port = Number(process.env['PORT'] ?? 4200);
  const host = process.env['HOST'] ?? '127.0.0.1';
  app.listen(port, host, (error) => {
    if (error) throw error;
    console.log(`Sigil demo web app on http://${host}:${port}`);
  });
}

/** Request handler used by the Angular CLI (dev server and build). */
export const reqHandler = createNodeRequestHandler(app);
