import type { RequestHandler } from 'express';

const ALLOWED_HEADERS = 'Authorization, Content-Type, X-CSRF-Token, X-Sigil-Token-Delivery';

/**
 * CORS for the configured origins only (exact match). Other origins get no CORS headers at all,
 * so browsers block them from reading responses. Credentials are allowed because cookie mode
 * needs them, which is exactly why the allow-list must be exact and never `*`.
 */
export function corsForOrigins(allowedOrigins: readonly string[]): RequestHandler {
  const allowed = new Set(allowedOrigins);
  return (req, res, next) => {
    const origin = req.headers.origin;
    res.vary('Origin');
    if (origin && allowed.has(origin)) {
      res.setHeader('Access-Control-Allow-Origin', origin);
      res.setHeader('Access-Control-Allow-Credentials', 'true');
      res.setHeader('Access-Control-Expose-Headers', 'Retry-After, WWW-Authenticate');
      if (req.method === 'OPTIONS' && req.headers['access-control-request-method']) {
        // PATCH: renaming a passkey (PATCH /auth/passkeys/:id) from the app's origin.
        res.setHeader('Access-Control-Allow-Methods', 'GET, POST, PATCH, DELETE, OPTIONS');
        res.setHeader('Access-Control-Allow-Headers', ALLOWED_HEADERS);
        res.setHeader('Access-Control-Max-Age', '600');
        res.status(204).end();
        return;
      }
    } else if (req.method === 'OPTIONS' && req.headers['access-control-request-method']) {
      res.status(204).end();
      return;
    }
    next();
  };
}
