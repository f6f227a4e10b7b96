import type { CryptoKey, JWK } from 'jose';
import type { Config, SigningAlgorithm } from '../config.ts';
import type { Logger } from '../logger.ts';
import type { Database } from '../storage/index.ts';

/** Key material jose's `SignJWT.sign` / `jwtVerify` accept: a CryptoKey, or the raw HS256 secret. */
export type KeyMaterial = CryptoKey | Uint8Array;

/** Where a key is in its life (see docs/server.md, "Key rotation"). */
export type KeyState = 'pending' | 'active' | 'retired' | 'revoked';

/** What `list()` and `rotate()` report about a key. Never contains key material. */
export interface KeyInfo {
  /** RFC 7638 JWK thumbprint of the public key (HS256: a hash of the secret). */
  kid: string;
  alg: SigningAlgorithm;
  state: KeyState;
  createdAt: Date;
  /** When the key starts signing; it is published in the JWKS from `createdAt`. */
  activatesAt: Date;
  /** When a newer key took over signing (null while pending or active). */
  retiredAt: Date | null;
  revokedAt: Date | null;
  /**
   * When the key leaves the JWKS: `retiredAt + accessTtl + 60 s` for a retired key, `revokedAt`
   * for a revoked one, null while it is pending or active (no end scheduled yet).
   */
  publishedUntil: Date | null;
}

/** The key that signs access tokens right now. */
export interface SigningKey {
  kid: string;
  alg: SigningAlgorithm;
  /** Private CryptoKey (RS256, ES256, EdDSA) or the shared secret's bytes (HS256). */
  key: KeyMaterial;
}

/** A published JWK: public members only, plus `kid`, `alg` and `use: 'sig'`. */
export type PublicJwk = JWK & { kid: string; alg: SigningAlgorithm; use: 'sig' };

export interface RotateOptions {
  /**
   * Sign with the new key at once instead of after `keyPublishLead`. For emergencies only: a
   * resource server whose cached JWKS predates the new key fails to find it until it refetches
   * (Sigil's middleware refetches on an unknown `kid`, rate-limited). @default false
   */
  immediate?: boolean;
}

/**
 * Signing keys of one auth server instance: which key signs, which keys are published, rotation
 * and revocation. Reads are served from memory; `reload()` and the schedule re-read the database.
 */
export interface KeyManager {
  /** `'keys'` for database-held asymmetric keys, `'shared-secret'` for HS256 mode. */
  readonly mode: 'keys' | 'shared-secret';
  /** The key to sign a token with now. */
  signingKey(): Promise<SigningKey>;
  /**
   * The public JWKS document: every published key (empty in shared-secret mode). The same object
   * while the published keys stay the same.
   */
  publicKeySet(): { keys: PublicJwk[] };
  /** {@link publicKeySet}, as the JWKS endpoint serves it. */
  jwks(): Promise<{ keys: PublicJwk[] }>;
  /**
   * A token named `kid`, which this instance does not know: reload the keys from the database
   * (at most every 5 s), in case another instance has just created it.
   */
  reloadForUnknownKid(kid: string | undefined): Promise<void>;
  /**
   * The key that verifies tokens carrying `kid`, or undefined when it is unknown, revoked or no
   * longer published. With `alg` (the token header's), also undefined when the key belongs to
   * another algorithm. An unknown kid triggers one database reload (at most every 5 s), for keys
   * another instance has just created.
   *
   * @example
   * const { kid, alg } = decodeProtectedHeader(token);
   * const key = await keys.verificationKey(kid!, alg);
   * if (key) await jwtVerify(token, key, { algorithms: [alg!], issuer, audience, typ: 'at+jwt' });
   */
  verificationKey(kid: string, alg?: string): Promise<KeyMaterial | undefined>;
  /** Stages a new key of the configured algorithm; returns it. */
  rotate(options?: RotateOptions): Promise<KeyInfo>;
  /** Revokes a key at once; false when there is no such unrevoked key. */
  revoke(kid: string): Promise<boolean>;
  /** Every stored key, oldest first, revoked ones included. */
  list(): Promise<KeyInfo[]>;
  /** Re-reads the keys from the database (another instance may have rotated or revoked). */
  reload(): Promise<void>;
  /** Starts the rotation schedule (every minute) and the periodic reload (every 30 s). */
  startSchedule(): void;
  /** Clears the timers. Safe to call more than once. */
  stop(): void;
}

export interface KeyManagerOptions {
  db: Database;
  config: Config;
  logger: Logger;
  /** Clock, injectable for tests. @default () => new Date() */
  now?: () => Date;
  /** Period of the rotation/cleanup check. @default 60_000 ms */
  scheduleIntervalMs?: number;
  /**
   * Period of the reload from the database. Must stay below `keyPublishLead` so every instance
   * publishes a staged key before any instance signs with it. @default 30_000 ms
   */
  reloadIntervalMs?: number;
}
