import type { Config } from '../config.ts';
import type { KeyManager } from '../keys/index.ts';
import type { Logger } from '../logger.ts';
import { createRefreshRotation } from '../sessions/refresh-rotation.ts';
import { createSessionTokens } from '../sessions/session-tokens.ts';
import type { Database } from '../storage/index.ts';
import { deleteExpiredCodes } from '../storage/oauth-codes.ts';
import { createIssuedTokenVerifier } from '../tokens/access-token.ts';
import { createAuthorization } from './authorization.ts';
import type { ClientRegistry } from './clients.ts';
import { createEndSession } from './end-session.ts';
import { createIssuedTokenCheck } from './issued-tokens.ts';
import { createTokenGrants } from './token-grants.ts';
import { createTokenManagement } from './token-management.ts';

/** Expired codes are kept this long, so a late replay is still recognised. */
const CODE_RETENTION_SECONDS = 3600;

export interface OAuthDeps {
  db: Database;
  config: Config;
  keys: KeyManager;
  logger: Logger;
  now: () => Date;
  issuer: () => string;
  clients: ClientRegistry;
}

/**
 * Sigil as an OAuth 2.1 authorization server and OpenID provider (docs/oauth.md), on Sigil's own
 * sessions, refresh rotation and signing keys: a session started through OAuth is a session like
 * any other, bound to its client.
 *
 * @example
 * const oauth = createOAuth({ db, config, keys, logger, now, issuer, clients });
 * const response = await oauth.grants.grant(client, body);
 */
export function createOAuth(deps: OAuthDeps) {
  const { db, config, keys, now, issuer, clients } = deps;
  const tokens = createSessionTokens(deps);
  const rotation = createRefreshRotation(deps, tokens);
  const checkAccessToken = createIssuedTokenCheck({
    db,
    clients,
    defaultAudience: config.audience,
    verify: createIssuedTokenVerifier({ keys, config, issuer, now }),
    now,
  });
  return {
    clients,
    authorization: createAuthorization(deps),
    grants: createTokenGrants({ ...deps, tokens, rotation }),
    management: createTokenManagement({ db, now, issuer, checkAccessToken }),
    checkAccessToken,
    endSession: createEndSession({ db, clients, jwks: () => keys.jwks(), issuer, now }),
    /** Deletes codes an hour after they expired (a replay within that hour still revokes what the code issued). */
    cleanup: () => deleteExpiredCodes(db, now(), CODE_RETENTION_SECONDS),
  };
}

export type OAuth = ReturnType<typeof createOAuth>;

/** OAuth needs an asymmetric signing key: ID tokens signed with a shared secret could be forged by every API that verifies them. */
export function oauthEnabled(config: Pick<Config, 'alg'>): boolean {
  return config.alg !== 'HS256';
}
