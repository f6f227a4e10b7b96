import type { JWK } from 'jose';
import type { Queryable } from './database.ts';

export interface SigningKeyRecord {
  kid: string;
  alg: string;
  /** Public JWK (null for HS256 secrets, which are never published). */
  publicJwk: JWK | null;
  /** Private JWK as JSON, or its JWE encryption when `encrypted`. */
  privateKey: string;
  encrypted: boolean;
  createdAt: Date;
  /** When the key starts signing; it is published from `createdAt`. */
  activatesAt: Date;
  /** When a newer key took over signing; the key stays published until its tokens expire. */
  retiredAt: Date | null;
  revokedAt: Date | null;
}

interface SigningKeyRow {
  kid: string;
  alg: string;
  public_jwk: JWK | string | null;
  private_key: string;
  encrypted: boolean;
  created_at: Date;
  activates_at: Date;
  retired_at: Date | null;
  revoked_at: Date | null;
}

const COLUMNS = 'kid, alg, public_jwk, private_key, encrypted, created_at, activates_at, retired_at, revoked_at';

function toKey(row: SigningKeyRow): SigningKeyRecord {
  return {
    kid: row.kid,
    alg: row.alg,
    publicJwk: typeof row.public_jwk === 'string' ? (JSON.parse(row.public_jwk) as JWK) : row.public_jwk,
    privateKey: row.private_key,
    encrypted: row.encrypted,
    createdAt: new Date(row.created_at),
    activatesAt: new Date(row.activates_at),
    retiredAt: row.retired_at && new Date(row.retired_at),
    revokedAt: row.revoked_at && new Date(row.revoked_at),
  };
}

export async function insertSigningKey(db: Queryable, key: Omit<SigningKeyRecord, 'retiredAt' | 'revokedAt'>): Promise<void> {
  await db.query(
    `INSERT INTO signing_keys (kid, alg, public_jwk, private_key, encrypted, created_at, activates_at)
     VALUES ($1, $2, $3::jsonb, $4, $5, $6, $7)`,
    [key.kid, key.alg, key.publicJwk && JSON.stringify(key.publicJwk), key.privateKey, key.encrypted, key.createdAt, key.activatesAt],
  );
}

/** Every key that is not revoked, oldest first. */
export async function listSigningKeys(db: Queryable, options: { includeRevoked?: boolean } = {}): Promise<SigningKeyRecord[]> {
  const where = options.includeRevoked ? '' : 'WHERE revoked_at IS NULL';
  const rows = await db.query<SigningKeyRow>(`SELECT ${COLUMNS} FROM signing_keys ${where} ORDER BY activates_at, created_at, kid`);
  return rows.map(toKey);
}

export async function retireSigningKeys(db: Queryable, kids: string[], at: Date): Promise<void> {
  if (kids.length === 0) return;
  await db.query('UPDATE signing_keys SET retired_at = $2 WHERE kid = ANY($1::text[]) AND retired_at IS NULL', [kids, at]);
}

/** Makes a staged key sign from `at` (revocation of the signing key while one is pending). */
export async function activateSigningKeyAt(db: Queryable, kid: string, at: Date): Promise<void> {
  await db.query('UPDATE signing_keys SET activates_at = $2 WHERE kid = $1 AND revoked_at IS NULL', [kid, at]);
}

/** Lets a retired key sign again (its successor was revoked). */
export async function unretireSigningKey(db: Queryable, kid: string): Promise<void> {
  await db.query('UPDATE signing_keys SET retired_at = NULL WHERE kid = $1 AND revoked_at IS NULL', [kid]);
}

/** Marks a key revoked (unpublished at once); returns false when no such unrevoked key exists. */
export async function revokeSigningKey(db: Queryable, kid: string, now: Date): Promise<boolean> {
  const rows = await db.query<{ kid: string }>(
    'UPDATE signing_keys SET revoked_at = $2 WHERE kid = $1 AND revoked_at IS NULL RETURNING kid',
    [kid, now],
  );
  return rows.length > 0;
}

/** Removes keys whose every token has expired long ago (retired before `cutoff`). */
export async function deleteRetiredSigningKeys(db: Queryable, cutoff: Date): Promise<number> {
  const rows = await db.query<{ kid: string }>(
    'DELETE FROM signing_keys WHERE (retired_at IS NOT NULL AND retired_at < $1) OR (revoked_at IS NOT NULL AND revoked_at < $1) RETURNING kid',
    [cutoff],
  );
  return rows.length;
}
