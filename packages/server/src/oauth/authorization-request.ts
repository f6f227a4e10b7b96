import type { OAuthClientRecord } from '../storage/oauth-clients.ts';
import type { ClientRegistry } from './clients.ts';
import { OAuthError } from './errors.ts';
import { isS256Challenge } from './pkce.ts';
import { grantedScope } from './scopes.ts';

/** A validated `GET /oauth/authorize` request (RFC 6749 4.1.1, RFC 7636, OIDC Core 3.1.2.1, RFC 8707). */
export interface AuthorizationRequest {
  client: OAuthClientRecord;
  redirectUri: string;
  state: string | undefined;
  nonce: string | undefined;
  /** The scopes granted: the supported ones among those asked for. */
  scope: string;
  codeChallenge: string;
  /** The API audience of the tokens (`resource`), by default the server's audience. */
  resource: string;
  /** `prompt` values: `consent` asks for consent again. */
  prompt: ReadonlySet<string>;
}

/**
 * What validating an authorization request gives: the request; or a refusal to show as a page,
 * when the client or its redirect URI cannot be trusted (RFC 6749 4.1.2.1: never redirect to an
 * unverified URI); or an error to send back to the verified redirect URI.
 */
export type ParsedAuthorization =
  | { kind: 'request'; request: AuthorizationRequest }
  | { kind: 'page'; message: string }
  | { kind: 'redirect'; redirectUri: string; state: string | undefined; error: OAuthError };

/** One value per parameter (RFC 6749 3.1: parameters must not repeat); undefined when absent or empty. */
function single(query: Record<string, unknown>, name: string): string | undefined | null {
  const value = query[name];
  if (value === undefined || value === '') return undefined;
  return typeof value === 'string' ? value : null;
}

const MAX_PARAMETER = 2048;

/** The audiences a client may ask for: its registered resources and the server's own audience. */
export function allowedResource(client: OAuthClientRecord, requested: string | undefined, defaultAudience: string): string | undefined {
  if (requested === undefined) return defaultAudience;
  return requested === defaultAudience || client.resources.includes(requested) ? requested : undefined;
}

/**
 * Validates an authorization request. Checked first, and answered with a page when wrong: the
 * client and the exact redirect URI. Then, answered at the redirect URI: the response type
 * (`code` only), PKCE (S256 only: `plain` and a missing challenge are refused, RFC 9700 2.1.1),
 * the resource, the lengths of `state` and `nonce`.
 */
export async function parseAuthorizationRequest(
  query: Record<string, unknown>,
  deps: { clients: ClientRegistry; defaultAudience: string },
): Promise<ParsedAuthorization> {
  const clientId = single(query, 'client_id');
  if (!clientId) return { kind: 'page', message: 'This sign-in link is not valid: it names no application (client_id).' };
  const client = await deps.clients.find(clientId);
  if (!client) return { kind: 'page', message: 'This sign-in link is not valid: the application is not registered.' };
  const redirectUri = single(query, 'redirect_uri');
  if (!redirectUri || !client.redirectUris.includes(redirectUri))
    return { kind: 'page', message: 'This sign-in link is not valid: its redirect_uri is not registered for the application.' };

  const stateValue = single(query, 'state');
  const state = typeof stateValue === 'string' && stateValue.length <= MAX_PARAMETER ? stateValue : undefined;
  const refuse = (error: OAuthError): ParsedAuthorization => ({ kind: 'redirect', redirectUri, state, error });

  for (const name of ['response_type', 'code_challenge', 'code_challenge_method', 'scope', 'nonce', 'resource', 'prompt', 'state'])
    if (single(query, name) === null) return refuse(new OAuthError('invalid_request', `${name} must be given once`));
  if (stateValue !== undefined && state === undefined) return refuse(new OAuthError('invalid_request', 'state is too long'));
  if (query.request !== undefined || query.request_uri !== undefined)
    return refuse(new OAuthError('invalid_request', 'Request objects are not supported'));
  if (single(query, 'response_type') !== 'code')
    return refuse(new OAuthError('unsupported_response_type', 'Only the authorization code flow (response_type=code) is supported'));
  const method = single(query, 'code_challenge_method');
  if (method !== 'S256') return refuse(new OAuthError('invalid_request', 'PKCE with code_challenge_method=S256 is required'));
  const codeChallenge = single(query, 'code_challenge');
  if (!isS256Challenge(codeChallenge))
    return refuse(new OAuthError('invalid_request', 'code_challenge must be a base64url SHA-256 (43 characters)'));
  const nonce = single(query, 'nonce') ?? undefined;
  if (nonce !== undefined && nonce.length > 512) return refuse(new OAuthError('invalid_request', 'nonce is too long'));
  const resource = allowedResource(client, single(query, 'resource') ?? undefined, deps.defaultAudience);
  if (resource === undefined) return refuse(new OAuthError('invalid_target', 'The resource is not one this application may use'));
  const prompt = new Set((single(query, 'prompt') ?? '').split(' ').filter(Boolean));
  // Every authorization signs in on the hosted page (Sigil keeps no login session of its own for
  // OAuth), so a request that forbids any page cannot succeed.
  if (prompt.has('none')) return refuse(new OAuthError('login_required', 'Signing in is required'));

  return {
    kind: 'request',
    request: {
      client,
      redirectUri,
      state,
      nonce,
      scope: grantedScope(single(query, 'scope') ?? undefined),
      codeChallenge,
      resource,
      prompt,
    },
  };
}

/** The redirect back to the client (RFC 6749 4.1.2), with `iss` (RFC 9207) on every answer. */
export function authorizationResponse(redirectUri: string, params: Record<string, string | undefined>, issuer: string): string {
  const url = new URL(redirectUri);
  for (const [name, value] of Object.entries(params)) if (value !== undefined) url.searchParams.set(name, value);
  url.searchParams.set('iss', issuer);
  return url.href;
}

/** The error redirect of an authorization request. */
export function authorizationErrorResponse(redirectUri: string, state: string | undefined, error: OAuthError, issuer: string): string {
  return authorizationResponse(redirectUri, { error: error.error, error_description: error.message, state }, issuer);
}
