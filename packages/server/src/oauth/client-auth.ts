import type { OAuthClientRecord } from '../storage/oauth-clients.ts';
import { clientSecretMatches, type ClientRegistry } from './clients.ts';
import { OAuthError } from './errors.ts';

/** What a request to the token, revocation or introspection endpoint presents of its client. */
export interface PresentedClient {
  authorization: string | undefined;
  body: Record<string, unknown>;
}

/** How the client authenticated (RFC 6749 2.3; OIDC's names). */
export type ClientAuthMethod = 'client_secret_basic' | 'client_secret_post' | 'none';

/** A client that proved who it is (confidential) or named itself (public, `none`). */
export interface AuthenticatedClient {
  client: OAuthClientRecord;
  method: ClientAuthMethod;
}

function formDecode(value: string): string {
  return decodeURIComponent(value.replace(/\+/g, ' '));
}

/** `Authorization: Basic` per RFC 6749 2.3.1: both parts form-encoded before base64. */
function basicCredentials(header: string): { id: string; secret: string } | undefined {
  const match = /^Basic ([A-Za-z0-9+/=]+)$/i.exec(header.trim());
  if (!match) return undefined;
  const decoded = Buffer.from(match[1]!, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon < 0) return undefined;
  try {
    return { id: formDecode(decoded.slice(0, colon)), secret: formDecode(decoded.slice(colon + 1)) };
  } catch {
    return undefined;
  }
}

/**
 * Authenticates the client of a token-endpoint request: `client_secret_basic`,
 * `client_secret_post`, or `none` for a public client (which PKCE protects instead). One answer
 * for an unknown client and a wrong secret: 401 `invalid_client`, with a Basic challenge when
 * the client tried Basic (RFC 6749 5.2).
 */
export async function authenticateClient(
  registry: ClientRegistry,
  presented: PresentedClient,
  realm: string,
): Promise<AuthenticatedClient> {
  const body = presented.body;
  const bodyId = typeof body.client_id === 'string' ? body.client_id : undefined;
  const bodySecret = typeof body.client_secret === 'string' ? body.client_secret : undefined;
  const basicHeader = presented.authorization?.toLowerCase().startsWith('basic ') ? presented.authorization : undefined;
  const refuse = (description: string): never => {
    throw new OAuthError('invalid_client', description, basicHeader ? { headers: { 'WWW-Authenticate': `Basic realm="${realm}"` } } : {});
  };

  if (basicHeader) {
    if (bodySecret !== undefined) throw new OAuthError('invalid_request', 'Use one client authentication method, not two');
    const credentials = basicCredentials(basicHeader);
    if (!credentials) return refuse('Malformed Basic credentials');
    if (bodyId !== undefined && bodyId !== credentials.id)
      throw new OAuthError('invalid_request', 'client_id does not match the Basic credentials');
    const client = await registry.find(credentials.id);
    if (!client || !clientSecretMatches(client, credentials.secret)) return refuse('Client authentication failed');
    return { client, method: 'client_secret_basic' };
  }
  if (bodyId === undefined) return refuse('Client authentication is required (client_id)');
  const client = await registry.find(bodyId);
  if (!client) return refuse('Client authentication failed');
  if (bodySecret !== undefined) {
    if (!clientSecretMatches(client, bodySecret)) return refuse('Client authentication failed');
    return { client, method: 'client_secret_post' };
  }
  if (client.secretHash !== null) return refuse('This client is confidential: authenticate with its secret');
  return { client, method: 'none' };
}
