import type { Config } from '../config.ts';
import type { Logger } from '../logger.ts';
import type { Queryable } from '../storage/database.ts';
import { createAuthentication } from './authentication.ts';
import { createChallenges } from './challenges.ts';
import { createRegistration } from './registration.ts';
import { relyingParty } from './relying-party.ts';

export interface CeremonyDeps {
  db: Queryable;
  config: Pick<Config, 'rpId' | 'productName' | 'allowedOrigins'>;
  logger: Logger;
  now: () => Date;
  issuer: () => string;
}

/**
 * The two WebAuthn ceremonies for this server's relying party: registration (a new passkey) and
 * authentication (an assertion), sharing the challenge store. Stateless but for the relying
 * party's cache: the passkey service and the second-factor method each build one.
 *
 * @example
 * const { registration, authentication } = createPasskeyCeremonies({ db, config, logger, now, issuer });
 */
export function createPasskeyCeremonies(deps: CeremonyDeps) {
  const { db, logger, now } = deps;
  const rp = relyingParty(deps.config, deps.issuer);
  const challenges = createChallenges(db, now);
  return {
    rp,
    registration: createRegistration({ db, now, logger, rp, challenges }),
    authentication: createAuthentication({ db, now, logger, rp, challenges }),
  };
}

export type PasskeyCeremonies = ReturnType<typeof createPasskeyCeremonies>;
