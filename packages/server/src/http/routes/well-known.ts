import { Router } from 'express';
import { SUPPORTED_SCOPES } from '../../oauth/scopes.ts';
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
    // Only what is true of Sigil: every endpoint and value listed here works (docs/oauth.md).
    // In shared-secret mode there is no OAuth: ID tokens signed with a secret every API holds
    // could be forged by any of them.
    const oauth = ctx.oauth
      ? {
          authorization_endpoint: `${issuer}/oauth/authorize`,
          token_endpoint: `${issuer}/oauth/token`,
          userinfo_endpoint: `${issuer}/oauth/userinfo`,
          revocation_endpoint: `${issuer}/oauth/revoke`,
          introspection_endpoint: `${issuer}/oauth/introspect`,
          end_session_endpoint: `${issuer}/oauth/logout`,
          response_types_supported: ['code'],
          response_modes_supported: ['query'],
          grant_types_supported: ['authorization_code', 'refresh_token', 'client_credentials'],
          code_challenge_methods_supported: ['S256'],
          token_endpoint_auth_methods_supported: ['client_secret_basic', 'client_secret_post', 'none'],
          revocation_endpoint_auth_methods_supported: ['client_secret_basic', 'client_secret_post', 'none'],
          introspection_endpoint_auth_methods_supported: ['client_secret_basic', 'client_secret_post'],
          id_token_signing_alg_values_supported: [ctx.config.alg],
          authorization_response_iss_parameter_supported: true,
          request_parameter_supported: false,
          request_uri_parameter_supported: false,
          claims_parameter_supported: false,
          prompt_values_supported: ['login', 'consent'],
        }
      : {};
    res.json({
      issuer,
      jwks_uri: `${issuer}/.well-known/jwks.json`,
      ...oauth,
      subject_types_supported: ['public'],
      scopes_supported: ctx.oauth ? [...SUPPORTED_SCOPES] : ['openid', 'profile', 'email'],
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
        ...(ctx.oauth ? ['client_id', 'nonce', 'at_hash'] : []),
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
