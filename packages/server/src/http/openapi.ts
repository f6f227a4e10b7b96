import { readFileSync } from 'node:fs';
import { components } from './openapi/components.ts';
import { lifecyclePaths } from './openapi/paths-lifecycle.ts';
import { authPaths } from './openapi/paths-auth.ts';
import { devMailboxPaths } from './openapi/paths-dev.ts';
import { hostedPaths } from './openapi/paths-hosted.ts';
import { mfaPaths } from './openapi/paths-mfa.ts';
import { oauthPaths } from './openapi/paths-oauth.ts';
import { passkeyPaths } from './openapi/paths-passkeys.ts';
import { publicPaths } from './openapi/paths-public.ts';

/**
 * The OpenAPI 3.1 description of the auth server's HTTP API (docs/server.md, "HTTP API").
 *
 * Schemas are JSON Schema 2020-12 (OpenAPI 3.1's dialect) and closed (`additionalProperties:
 * false`), so `test/openapi.test.ts` fails as soon as a real response drifts from this document.
 * When you change a route, change its entry in the same commit: the parts live in ./openapi/
 * (shared building blocks, schemas, components, and the paths by area).
 *
 * @example
 * const doc = buildOpenApiDocument('https://auth.example.com');
 * doc.paths['/auth/login'].post.responses['200'];
 */

// src/http/openapi.ts and dist/http/openapi.js both sit two levels below the package root.
const VERSION = (JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }).version;

/** Builds the OpenAPI 3.1 document for a server whose public base URL is `issuer`. */
export function buildOpenApiDocument(issuer: string): Record<string, unknown> {
  return {
    openapi: '3.1.0',
    jsonSchemaDialect: 'https://json-schema.org/draft/2020-12/schema',
    info: {
      title: 'Sigil auth server',
      version: VERSION,
      description:
        'Signup, login with optional second factors (TOTP, recovery codes) or passkeys, rotating refresh tokens, sessions, JWKS, the account lifecycle by email, and, when the server signs with an asymmetric key, OAuth 2.1 / OpenID Connect endpoints (authorization code with PKCE over the hosted login, token, revocation, introspection, userinfo, logout). Every error of the JSON API is `application/problem+json` (RFC 9457) with a stable `code`; the OAuth endpoints answer `{error, error_description}` (RFC 6749 5.2). JSON API request bodies are JSON only (415 otherwise); the OAuth endpoints and hosted pages take forms; every body is at most 16 KiB (413).',
      license: { name: 'MIT', identifier: 'MIT' },
    },
    servers: [{ url: issuer }],
    tags: [
      { name: 'auth', description: 'Sessions: signup, login, refresh, logout.' },
      { name: 'account', description: "The caller's own account (Bearer access token)." },
      { name: 'account lifecycle', description: 'Email verification, forgotten passwords, email change and account deletion.' },
      { name: 'second factors', description: 'TOTP, recovery codes and the second step of a login.' },
      { name: 'passkeys', description: "The caller's passkeys (WebAuthn), and signing in with one." },
      { name: 'hosted login', description: 'The login page served by the auth server (cookie delivery).' },
      {
        name: 'hosted account pages',
        description: 'Signup, forgotten password, new password and email verification pages (no JavaScript).',
      },
      {
        name: 'oauth',
        description:
          'OAuth 2.1 authorization server and OpenID provider (only with an asymmetric signing key; absent in HS256 mode). Clients are registered by the operator.',
      },
      { name: 'discovery', description: 'Public metadata for resource servers and clients.' },
      { name: 'operations', description: 'Health checks.' },
      { name: 'development', description: 'Served only on a development setup (no SMTP, loopback issuer).' },
    ],
    paths: {
      ...authPaths(),
      ...lifecyclePaths(),
      ...mfaPaths(),
      ...passkeyPaths(),
      ...hostedPaths(),
      ...oauthPaths(),
      ...publicPaths(),
      ...devMailboxPaths(),
    },
    components: components(),
  };
}
