import { createLocalJWKSet, decodeJwt, jwtVerify, type JSONWebKeySet } from 'jose';
import type { Database } from '../storage/index.ts';
import * as sessions from '../storage/sessions.ts';
import type { ClientRegistry } from './clients.ts';

/** RP-initiated logout's parameters (OpenID Connect RP-Initiated Logout 1.0, section 2). */
export interface EndSessionRequest {
  idTokenHint?: string;
  postLogoutRedirectUri?: string;
  state?: string;
  clientId?: string;
}

/** Back to the client, when it registered the URI; else a page of ours. */
export type EndSessionOutcome = { kind: 'redirect'; location: string } | { kind: 'page'; signedOut: boolean; refused?: string };

/**
 * `end_session_endpoint`: ends the session the ID token names (its `sid`), and sends the user to
 * `post_logout_redirect_uri` only when that exact URI is registered for the token's client (or
 * the named `client_id`): an unregistered URI is refused on a page, never followed, so logout is
 * no open redirect. An expired ID token is still a good hint (the spec expects that).
 */
export function createEndSession(deps: {
  db: Database;
  clients: ClientRegistry;
  jwks: () => Promise<{ keys: unknown[] }>;
  issuer: () => string;
  now: () => Date;
}) {
  /** The hint's client and session, if this server signed it; expiry does not matter. */
  async function readHint(idToken: string): Promise<{ clientId: string; sid?: string } | undefined> {
    try {
      const peeked = decodeJwt(idToken);
      // Verify at a moment the token was valid: the signature and issuer are what count here.
      const at = typeof peeked.exp === 'number' ? Math.min(deps.now().getTime(), (peeked.exp - 1) * 1000) : deps.now().getTime();
      const keySet = createLocalJWKSet((await deps.jwks()) as JSONWebKeySet);
      const { payload } = await jwtVerify(idToken, keySet, { issuer: deps.issuer(), currentDate: new Date(at), typ: 'JWT' });
      const aud = typeof payload.aud === 'string' ? payload.aud : Array.isArray(payload.aud) ? payload.aud[0] : undefined;
      if (!aud) return undefined;
      return { clientId: aud, ...(typeof payload.sid === 'string' ? { sid: payload.sid } : {}) };
    } catch {
      return undefined;
    }
  }

  return async (request: EndSessionRequest): Promise<EndSessionOutcome> => {
    const hint = request.idTokenHint ? await readHint(request.idTokenHint) : undefined;
    if (request.idTokenHint && !hint)
      return { kind: 'page', signedOut: false, refused: 'The sign-out request is not valid: its id_token_hint was not issued here.' };
    if (hint && request.clientId && request.clientId !== hint.clientId)
      return { kind: 'page', signedOut: false, refused: 'The sign-out request is not valid: client_id does not match the id_token_hint.' };
    const clientId = hint?.clientId ?? request.clientId;
    const client = clientId ? await deps.clients.find(clientId) : undefined;
    if (request.postLogoutRedirectUri !== undefined && !client?.postLogoutRedirectUris.includes(request.postLogoutRedirectUri))
      return {
        kind: 'page',
        signedOut: false,
        refused: 'The sign-out request is not valid: its post_logout_redirect_uri is not registered.',
      };

    let signedOut = false;
    if (hint?.sid) {
      const session = await sessions.findSession(deps.db, hint.sid);
      // Only a session of the hint's client: another client's ID token cannot end this one.
      if (session?.oauth?.clientId === hint.clientId) {
        await sessions.revokeSession(deps.db, session.id, 'logout', deps.now());
        signedOut = true;
      }
    }
    if (request.postLogoutRedirectUri !== undefined) {
      const url = new URL(request.postLogoutRedirectUri);
      if (request.state !== undefined) url.searchParams.set('state', request.state);
      return { kind: 'redirect', location: url.href };
    }
    return { kind: 'page', signedOut };
  };
}
