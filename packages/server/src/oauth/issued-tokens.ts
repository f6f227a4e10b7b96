import { decodeJwt, type JWTPayload } from 'jose';
import type { Database } from '../storage/index.ts';
import * as sessions from '../storage/sessions.ts';
import type { ClientRegistry } from './clients.ts';

/** A verified access token of this server whose session (if it has one) is active. */
export interface LiveAccessToken {
  claims: JWTPayload & { sub: string; client_id?: string; sid?: string; scope?: string };
  session: sessions.SessionRecord | undefined;
}

/**
 * Finds out whether an access token is one this server issued and still honours, whatever API it
 * was issued for (introspection, revocation and userinfo see tokens of every audience): its
 * audience must be the server's or one its client registered, its signature and claims pass the
 * verification core, and its session, if any, is active.
 */
export function createIssuedTokenCheck(deps: {
  db: Database;
  clients: ClientRegistry;
  defaultAudience: string;
  verify: (token: string, audience: string) => Promise<JWTPayload>;
  now: () => Date;
}): (token: string) => Promise<LiveAccessToken | undefined> {
  return async (token) => {
    let peeked: JWTPayload;
    try {
      // Only to pick the verifier: nothing read here is trusted before the signature checks.
      peeked = decodeJwt(token);
    } catch {
      return undefined;
    }
    const audience = typeof peeked.aud === 'string' ? peeked.aud : undefined;
    if (audience === undefined) return undefined;
    if (audience !== deps.defaultAudience) {
      const clientId = typeof peeked.client_id === 'string' ? peeked.client_id : undefined;
      const client = clientId === undefined ? undefined : await deps.clients.find(clientId);
      if (!client?.resources.includes(audience)) return undefined;
    }
    let claims: JWTPayload;
    try {
      claims = await deps.verify(token, audience);
    } catch {
      return undefined;
    }
    if (typeof claims.sub !== 'string') return undefined;
    const sid = typeof claims.sid === 'string' ? claims.sid : undefined;
    if (sid === undefined) return { claims: claims as LiveAccessToken['claims'], session: undefined };
    const session = await sessions.findSession(deps.db, sid);
    if (!session || !sessions.isSessionActive(session, deps.now())) return undefined;
    return { claims: claims as LiveAccessToken['claims'], session };
  };
}
