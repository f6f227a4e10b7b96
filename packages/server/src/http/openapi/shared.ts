/** Building blocks of the OpenAPI document (../openapi.ts): references, responses and bodies every part uses. */

export type Json = Record<string, unknown>;

export const ref = (name: string): Json => ({ $ref: `#/components/schemas/${name}` });
export const responseRef = (name: string): Json => ({ $ref: `#/components/responses/${name}` });

export const json = (schema: Json, headers?: Json): Json => ({
  content: { 'application/json': { schema } },
  ...(headers ? { headers } : {}),
});

/** A problem+json response; `codes` narrows the documented `code` for this status. */
export function problem(description: string, codes: readonly string[], headers?: Json): Json {
  return {
    description,
    content: {
      'application/problem+json': {
        schema: { allOf: [ref('Problem'), { properties: { code: { enum: [...codes] } } }] },
      },
    },
    ...(headers ? { headers } : {}),
  };
}

export const html = (): Json => ({ content: { 'text/html': { schema: { type: 'string', pattern: '^<!doctype html>' } } } });

export const NO_STORE = { 'Cache-Control': { $ref: '#/components/headers/NoStore' } };

/** Responses every `/auth/*` operation can give (per-IP budget, unexpected failures, storage outage). */
export const AUTH_COMMON: Json = {
  '429': responseRef('RateLimited'),
  '500': responseRef('InternalError'),
  '503': responseRef('Unavailable'),
};

/** Responses of operations that read a JSON body. */
export const BODY_ERRORS: Json = {
  '413': responseRef('PayloadTooLarge'),
  '415': responseRef('UnsupportedMediaType'),
};

/** Responses of the account endpoints (Bearer): a refused token, and a third-party client's token. */
export const BEARER_ERRORS: Json = { '401': responseRef('InvalidToken'), '403': responseRef('ThirdPartyToken') };

export const DELIVERY_PARAM = { $ref: '#/components/parameters/TokenDelivery' };

export function jsonBody(schema: string, required = true): Json {
  return { required, content: { 'application/json': { schema: ref(schema) } } };
}

export const tokenResponse = (description: string): Json => ({
  description,
  headers: {
    ...NO_STORE,
    'Set-Cookie': {
      description:
        'Cookie delivery only: `sigil_refresh=<token>; Path=/auth; HttpOnly; SameSite=Strict` (`Secure` except on a plain-http localhost issuer).',
      schema: { type: 'string' },
    },
  },
  content: { 'application/json': { schema: ref('TokenResponse') } },
});
