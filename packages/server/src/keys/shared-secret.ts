import { createHash } from 'node:crypto';
import { SigilError } from '../errors.ts';
import type { KeyInfo, KeyManager } from './types.ts';

const NOT_AVAILABLE =
  'Key rotation is not available in shared-secret (HS256) mode: the secret is configured, not stored. ' +
  'To replace it, change SIGIL_HS256_SECRET on the auth server and on every resource server.';

const NOTHING_PUBLISHED: { keys: [] } = Object.freeze({ keys: [] }) as { keys: [] };

/** The kid of an HS256 secret: a short hash, so tokens name their key without revealing it. */
export function sharedSecretKid(secret: string): string {
  return createHash('sha256').update(`sigil-hs256-kid:${secret}`).digest('base64url').slice(0, 16);
}

/**
 * HS256 shared-secret mode: one symmetric key from `SIGIL_HS256_SECRET`, nothing in the
 * database, nothing published (resource servers hold the same secret). `rotate` and `revoke`
 * throw `SigilError('invalid_request')`.
 *
 * @example
 * const keys = createSharedSecretKeyManager(config.hs256Secret!, new Date());
 * const { kid, key } = await keys.signingKey(); // key: Uint8Array for SignJWT.sign
 */
export function createSharedSecretKeyManager(secret: string, startedAt: Date): KeyManager {
  const kid = sharedSecretKid(secret);
  const key = new TextEncoder().encode(secret);
  // The secret has no stored history: it counts as created when this instance started.
  const info: KeyInfo = Object.freeze({
    kid,
    alg: 'HS256',
    state: 'active',
    createdAt: startedAt,
    activatesAt: startedAt,
    retiredAt: null,
    revokedAt: null,
    publishedUntil: null,
  });
  return {
    mode: 'shared-secret',
    signingKey: async () => ({ kid, alg: 'HS256', key }),
    publicKeySet: () => NOTHING_PUBLISHED,
    jwks: async () => NOTHING_PUBLISHED,
    reloadForUnknownKid: async () => {},
    verificationKey: async (candidate, alg) => (candidate === kid && (alg === undefined || alg === 'HS256') ? key : undefined),
    rotate: async () => {
      throw new SigilError('invalid_request', NOT_AVAILABLE);
    },
    revoke: async () => {
      throw new SigilError('invalid_request', NOT_AVAILABLE);
    },
    list: async () => [{ ...info }],
    reload: async () => {},
    startSchedule: () => {},
    stop: () => {},
  };
}
