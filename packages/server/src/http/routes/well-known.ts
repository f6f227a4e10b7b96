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
    res.setHeader('Cache-Control', `public, max-age=${ctx.config.jwksMaxAge}`);
    res.setHeader('Access-Control-Allow-Origin', '*');
    // Only what is true of Sigil: resource servers need `issuer` and `jwks_uri`. Sigil's endpoints
    // take JSON (not OAuth form posts) and it issues no ID tokens, so it advertises no OAuth token,
    // revocation or registration endpoint and no grant types: generic OAuth clients must not be
    // misled into talking to it. Its own endpoints are listed under `sigil_*` names.
    res.json({
      issuer,
      jwks_uri: `${issuer}/.well-known/jwks.json`,
      subject_types_supported: ['public'],
      scopes_supported: ['openid', 'profile', 'email'],
      claims_supported: [
        'iss',
        'sub',
        'aud',
        'iat',
        'exp',
        'jti',
        'email',
        'email_verified',
        'name',
        'roles',
        'scope',
        'sid',
        'amr',
        'auth_time',
      ],
      service_documentation: `${issuer}/openapi.json`,
      sigil_access_token_signing_alg: ctx.config.alg,
      sigil_signup_endpoint: `${issuer}/auth/signup`,
      sigil_login_endpoint: `${issuer}/auth/login`,
      sigil_refresh_endpoint: `${issuer}/auth/refresh`,
      sigil_logout_endpoint: `${issuer}/auth/logout`,
      sigil_userinfo_endpoint: `${issuer}/auth/me`,
    });
  });
  return router;
}
