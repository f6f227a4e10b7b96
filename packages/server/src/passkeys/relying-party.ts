import type { Config } from '../config.ts';

/**
 * Who the browser and the authenticator must have been talking to (docs/server.md, "Passkeys"):
 * the RP ID a credential is scoped to, the name shown when one is created, and the origins whose
 * pages may run a ceremony.
 */
export interface RelyingParty {
  /** `SIGIL_RP_ID`, else the issuer's hostname. */
  readonly id: string;
  /** `SIGIL_PRODUCT_NAME`. */
  readonly name: string;
  /** The issuer's origin (the hosted login page) and `SIGIL_ALLOWED_ORIGINS` (the apps). */
  readonly origins: readonly string[];
}

/**
 * The relying party in force. A function, not a value: without a configured issuer the server's
 * issuer is fixed only once it listens.
 *
 * @example
 * const rp = relyingParty(config, () => issuer);
 * await verifyAuthenticationResponse({ expectedRPID: rp().id, expectedOrigin: [...rp().origins], ... });
 */
export function relyingParty(config: Pick<Config, 'rpId' | 'productName' | 'allowedOrigins'>, issuer: () => string): () => RelyingParty {
  let cached: { issuer: string; rp: RelyingParty } | undefined;
  return () => {
    const current = issuer();
    if (cached?.issuer !== current) {
      const url = new URL(current);
      cached = {
        issuer: current,
        rp: Object.freeze({
          id: config.rpId ?? url.hostname,
          name: config.productName,
          origins: Object.freeze([...new Set([url.origin, ...config.allowedOrigins])]),
        }),
      };
    }
    return cached.rp;
  };
}

/**
 * Whether a page of `origin` may use credentials of `rpId`: its host is the RP ID or a subdomain
 * of it (WebAuthn's rule; browsers refuse the ceremony otherwise). Startup warns about origins
 * that fail it, where passkeys cannot work.
 */
export function originFitsRpId(origin: string, rpId: string): boolean {
  const host = new URL(origin).hostname;
  return host === rpId || host.endsWith(`.${rpId}`);
}
