import { Router } from 'express';
import type { AppContext } from '../context.ts';

/** JWKS and OpenID discovery: public, cacheable, CORS-open (they hold no secrets). */
export function wellKnownRoutes(ctx: AppContext): Router {
  const router = Router();
  router.get('/.well-known/jwks.json', async (_req, res) => {
    const jwks = await ctx.keys.jwks();
    res.setHeader('Cache-Control', `public, max-age=${ctx.config.jwksMaxAge}`);
    res.setHeader('Access-Control-Allow-Origin', '*');
    res.json(jwks);
  });
  router.get('/.well-known/openid-configuration', (_req, res) => {
    const issuer = ctx.issuer();
    const asymmetric = ctx.config.alg !== 'HS256';
    res.setHeader('Cache-Control', `public, max-age=${ctx.config.jwksMaxAge}`);
    res.setHeader('Access-Control-Allow-Origin', '*');
    res.json({
      issuer,
      jwks_uri: `${issuer}/.well-known/jwks.json`,
      token_endpoint: `${issuer}/auth/login`,
      userinfo_endpoint: `${issuer}/auth/me`,
      revocation_endpoint: `${issuer}/auth/logout`,
      registration_endpoint: `${issuer}/auth/signup`,
      response_types_supported: ['token'],
      grant_types_supported: ['password', 'refresh_token'],
      subject_types_supported: ['public'],
      id_token_signing_alg_values_supported: asymmetric ? ['RS256', 'ES256', 'EdDSA'] : ['HS256'],
      token_endpoint_auth_methods_supported: ['none'],
      scopes_supported: ['openid', 'profile', 'email'],
      claims_supported: ['iss', 'sub', 'aud', 'iat', 'exp', 'jti', 'email', 'name', 'roles', 'scope', 'sid'],
      service_documentation: `${issuer}/openapi.json`,
    });
  });
  return router;
}
