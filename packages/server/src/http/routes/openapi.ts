import { Router } from 'express';
import type { AppContext } from '../context.ts';
import { buildOpenApiDocument } from '../openapi.ts';

/**
 * `GET /openapi.json`: the OpenAPI 3.1 document of this server. Public and CORS-open like the
 * discovery document (it holds no secrets); built once per issuer (the issuer may be fixed only
 * when the server starts listening).
 */
export function openApiRoutes(ctx: Pick<AppContext, 'issuer'>): Router {
  const router = Router();
  let cached: { issuer: string; body: string } | undefined;
  router.get('/openapi.json', (_req, res) => {
    const issuer = ctx.issuer();
    if (cached?.issuer !== issuer) cached = { issuer, body: JSON.stringify(buildOpenApiDocument(issuer)) };
    res.setHeader('Cache-Control', 'public, max-age=300');
    res.setHeader('Access-Control-Allow-Origin', '*');
    res.type('application/json').send(cached.body);
  });
  return router;
}
