import type { Logger } from '../logger.ts';
import type { Database } from '../storage/index.ts';
import * as codes from '../storage/oauth-codes.ts';
import * as sessions from '../storage/sessions.ts';
import { generateOpaqueToken, hashOpaqueToken, looksLikeOpaqueToken } from '../tokens/opaque-token.ts';
import { authorizationErrorResponse, authorizationResponse, type AuthorizationRequest } from './authorization-request.ts';
import { OAuthError } from './errors.ts';
import { coversScope } from './scopes.ts';

/** A code is good for 60 s (docs/oauth.md, "Codes"; RFC 9700 4.2.1 asks for short-lived codes). */
export const CODE_TTL_SECONDS = 60;
/** The consent page is good for 10 minutes; the code it releases lives 60 s from the user's answer. */
export const CONSENT_TTL_SECONDS = 600;

/** The signed-in user a hosted sign-in hands to the authorization, with the session it started. */
export interface SignedIn {
  userId: string;
  sessionId: string;
}

/** Where the browser goes after a sign-in: back to the client with a code, or to the consent page first. */
export type AuthorizationOutcome = { kind: 'redirect'; location: string } | { kind: 'consent'; consentToken: string };

/**
 * The authorization step after the hosted sign-in (docs/oauth.md, "Flows"): the session the
 * sign-in started is handed to the client and a code carries it there, after the user's consent
 * for a third-party client.
 *
 * @example
 * const outcome = await authorization.authorize(request, { userId, sessionId });
 * if (outcome.kind === 'redirect') res.redirect(303, outcome.location);
 */
export interface Authorization {
  authorize(request: AuthorizationRequest, signedIn: SignedIn): Promise<AuthorizationOutcome>;
  /** Whether a consent token is still waiting for the user's answer (the consent page renders only then). */
  consentPending(consentToken: string): Promise<boolean>;
  /** The user's answer on the consent page: a code on yes, `access_denied` on no (the session ends). */
  answerConsent(request: AuthorizationRequest, consentToken: string, allow: boolean): Promise<{ location: string } | undefined>;
}

export function createAuthorization(deps: { db: Database; logger: Logger; now: () => Date; issuer: () => string }): Authorization {
  const { db, logger, now } = deps;
  const grantOf = (request: AuthorizationRequest) => ({
    clientId: request.client.clientId,
    scope: request.scope,
    resource: request.resource,
  });
  const codeRow = (request: AuthorizationRequest, signedIn: SignedIn) => ({
    clientId: request.client.clientId,
    sessionId: signedIn.sessionId,
    redirectUri: request.redirectUri,
    codeChallenge: request.codeChallenge,
    scope: request.scope,
    nonce: request.nonce ?? null,
    resource: request.resource,
  });

  return {
    async authorize(request, signedIn) {
      const at = now();
      const consented = await codes.findConsent(db, signedIn.userId, request.client.clientId);
      const needsConsent =
        !request.client.firstParty && (request.prompt.has('consent') || consented === undefined || !coversScope(consented, request.scope));
      const code = generateOpaqueToken();
      const consentToken = needsConsent ? generateOpaqueToken() : undefined;
      await db.transaction(async (tx) => {
        await sessions.grantSessionToClient(tx, signedIn.sessionId, grantOf(request));
        await codes.insertCode(
          tx,
          {
            ...codeRow(request, signedIn),
            // Awaiting consent, the row holds the hash of a code no one is given: the answer sets the real one.
            codeHash: hashOpaqueToken(code),
            consentHash: consentToken ? hashOpaqueToken(consentToken) : null,
            expiresAt: new Date(at.getTime() + (consentToken ? CONSENT_TTL_SECONDS : CODE_TTL_SECONDS) * 1000),
          },
          at,
        );
      });
      if (consentToken) return { kind: 'consent', consentToken };
      logger.info({ event: 'oauth_code', clientId: request.client.clientId, userId: signedIn.userId }, 'authorization code issued');
      return { kind: 'redirect', location: authorizationResponse(request.redirectUri, { code, state: request.state }, deps.issuer()) };
    },

    async consentPending(consentToken) {
      if (!looksLikeOpaqueToken(consentToken)) return false;
      return (await codes.findPendingConsent(db, hashOpaqueToken(consentToken), now())) !== undefined;
    },

    async answerConsent(request, consentToken, allow) {
      if (!looksLikeOpaqueToken(consentToken)) return undefined;
      const consentHash = hashOpaqueToken(consentToken);
      const at = now();
      const pending = await codes.findPendingConsent(db, consentHash, at);
      // The form's request must be the one the consent was asked for.
      if (!pending || pending.clientId !== request.client.clientId || pending.redirectUri !== request.redirectUri) return undefined;
      const session = await sessions.findSession(db, pending.sessionId);
      if (!session) return undefined;
      if (!allow) {
        const taken = await db.transaction(async (tx) => {
          const row = await codes.takePendingConsent(tx, consentHash, at);
          if (row) await sessions.revokeSession(tx, row.sessionId, 'consent_denied', at);
          return row;
        });
        if (!taken) return undefined;
        const denied = new OAuthError('access_denied', 'The user did not allow the application');
        return { location: authorizationErrorResponse(request.redirectUri, request.state, denied, deps.issuer()) };
      }
      const code = generateOpaqueToken();
      const approved = await db.transaction(async (tx) => {
        const row = await codes.approveConsent(
          tx,
          consentHash,
          { codeHash: hashOpaqueToken(code), expiresAt: new Date(at.getTime() + CODE_TTL_SECONDS * 1000) },
          at,
        );
        if (row) {
          // A consent adds to what the user allowed before: a narrower request later asks nothing again.
          const before = await codes.findConsent(tx, session.userId, row.clientId);
          const scope = [...new Set([...(before ?? '').split(' '), ...row.scope.split(' ')])].filter(Boolean).join(' ');
          await codes.saveConsent(tx, session.userId, row.clientId, scope, at);
        }
        return row;
      });
      if (!approved) return undefined;
      logger.info(
        { event: 'oauth_consent', clientId: approved.clientId, userId: session.userId },
        'consent given; authorization code issued',
      );
      return { location: authorizationResponse(request.redirectUri, { code, state: request.state }, deps.issuer()) };
    },
  };
}
