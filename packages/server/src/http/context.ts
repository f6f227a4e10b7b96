import type { Config } from '../config.ts';
import type { KeyManager } from '../keys/index.ts';
import type { Logger } from '../logger.ts';
import type { ClientRegistry } from '../oauth/clients.ts';
import type { OAuth } from '../oauth/index.ts';
import type { PasskeyService } from '../passkeys/index.ts';
import type { RateLimits } from '../rate-limit/limits.ts';
import type { AuthService } from '../sessions/auth-service.ts';
import type { Database } from '../storage/index.ts';

/** Everything the HTTP layer needs, built once by createAuthServer. */
export interface AppContext {
  config: Config;
  db: Database;
  keys: KeyManager;
  service: AuthService;
  /** Passkeys: registration, the account's list, passkey sign-in. */
  passkeys: PasskeyService;
  /** Registered OAuth clients. */
  clients: ClientRegistry;
  /** The OAuth 2.1 / OpenID Connect endpoints' use cases; undefined in shared-secret (HS256) mode. */
  oauth: OAuth | undefined;
  limits: RateLimits;
  logger: Logger;
  issuer: () => string;
  /** Whether `GET /dev/mailbox` shows mail: no SMTP and a loopback issuer (mail/dev-mailbox.ts). */
  devMailbox: () => boolean;
}
