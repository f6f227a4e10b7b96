/**
 * CORS for the web app: only allow-listed origins get `Access-Control-Allow-Origin`, echoed
 * exactly (never `*`); preflights are answered here. No credentials: the API takes Bearer tokens,
 * not cookies, so there is nothing for a cross-site request to ride on. `WWW-Authenticate` is
 * exposed so the app can read a step-up challenge's `max_age`.
 */
import type { RequestHandler } from 'express';

/** CORS middleware for `allowedOrigins` (exact origins). */
export function cors(allowedOrigins: readonly string[]): RequestHandler {
  const allowed = new Set(allowedOrigins);
  return (req, res, next) => {
    const origin = req.headers.origin;
    res.vary('Origin');
    if (origin === undefined || !allowed.has(origin)) {
      // Unknown origins get no CORS headers: the browser blocks the response, same-origin tools still work.
      if (req.method === 'OPTIONS' && origin !== undefined) return void res.status(204).end();
      return next();
    }
    res.setHeader('Access-Control-Allow-Origin', origin);
    if (req.method === 'OPTIONS' && req.headers['access-control-request-method']) {
      res.setHeader('Access-Control-Allow-Methods', 'GET, POST, DELETE, OPTIONS');
      res.setHeader('Access-Control-Allow-Headers', 'Authorization, Content-Type');
      res.setHeader('Access-Control-Max-Age', '600');
      return void res.status(204).end();
    }
    res.setHeader('Access-Control-Expose-Headers', 'WWW-Authenticate');
    next();
  };
}
