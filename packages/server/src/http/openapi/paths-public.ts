import { NO_STORE, json, ref, responseRef, type Json } from './shared.ts';

/** Public metadata and health checks. */
export function publicPaths(): Json {
  return {
    '/.well-known/jwks.json': {
      get: {
        operationId: 'jwks',
        tags: ['discovery'],
        summary: 'Public signing keys (JWKS)',
        responses: {
          '200': {
            description: 'The published keys.',
            ...json(ref('Jwks'), {
              'Cache-Control': {
                description: '`public, max-age=<SIGIL_JWKS_MAX_AGE>`',
                schema: { type: 'string', pattern: 'max-age=\\d+' },
              },
            }),
          },
          '500': responseRef('InternalError'),
          '503': responseRef('Unavailable'),
        },
      },
    },
    '/.well-known/openid-configuration': {
      get: {
        operationId: 'discovery',
        tags: ['discovery'],
        summary: 'OpenID discovery document',
        responses: {
          '200': {
            description: 'Where the JWKS and the endpoints are.',
            ...json(ref('DiscoveryDocument'), { 'Cache-Control': { schema: { type: 'string', pattern: 'max-age=\\d+' } } }),
          },
        },
      },
    },
    '/healthz': {
      get: {
        operationId: 'healthz',
        tags: ['operations'],
        summary: 'Liveness: the process serves requests',
        responses: { '200': { description: 'Alive.', ...json(ref('Health'), NO_STORE) } },
      },
    },
    '/readyz': {
      get: {
        operationId: 'readyz',
        tags: ['operations'],
        summary: 'Readiness: storage answers',
        responses: {
          '200': { description: 'Ready.', ...json(ref('Readiness'), NO_STORE) },
          '503': responseRef('Unavailable'),
        },
      },
    },
    '/openapi.json': {
      get: {
        operationId: 'openapi',
        tags: ['discovery'],
        summary: 'This document',
        responses: {
          '200': {
            description: 'The OpenAPI 3.1 document.',
            ...json({
              type: 'object',
              required: ['openapi', 'paths'],
              properties: { openapi: { const: '3.1.0' }, paths: { type: 'object' } },
            }),
          },
        },
      },
    },
  };
}
