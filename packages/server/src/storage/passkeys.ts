import { randomUUID } from 'node:crypto';
import type { Queryable } from './database.ts';
import { isUuid } from './users.ts';

/** Whether a credential lives on one device (`singleDevice`) or syncs between them (`multiDevice`). */
export type PasskeyDeviceType = 'singleDevice' | 'multiDevice';

/** A registered passkey (docs/architecture.md, "Passkeys"). */
export interface PasskeyRecord {
  id: string;
  userId: string;
  /** The WebAuthn credential ID, base64url. */
  credentialId: string;
  /** The credential's COSE public key, base64url. */
  publicKey: string;
  /** The signature counter last seen (0 for authenticators that keep none). */
  counter: number;
  transports: string[];
  deviceType: PasskeyDeviceType;
  backedUp: boolean;
  /** The authenticator model's AAGUID (all zeros when it does not say). */
  aaguid: string;
  name: string;
  createdAt: Date;
  lastUsedAt: Date | null;
}

interface PasskeyRow {
  id: string;
  user_id: string;
  credential_id: string;
  public_key: string;
  counter: string | number;
  transports: string[];
  device_type: PasskeyDeviceType;
  backed_up: boolean;
  aaguid: string;
  name: string;
  created_at: Date;
  last_used_at: Date | null;
}

const COLUMNS =
  'id, user_id, credential_id, public_key, counter, transports, device_type, backed_up, aaguid, name, created_at, last_used_at';

function toPasskey(row: PasskeyRow): PasskeyRecord {
  return {
    id: row.id,
    userId: row.user_id,
    credentialId: row.credential_id,
    publicKey: row.public_key,
    // bigint arrives as a string from node-postgres; counters are 32-bit, so a number holds them.
    counter: Number(row.counter),
    transports: [...row.transports],
    deviceType: row.device_type,
    backedUp: row.backed_up,
    aaguid: row.aaguid,
    name: row.name,
    createdAt: new Date(row.created_at),
    lastUsedAt: row.last_used_at && new Date(row.last_used_at),
  };
}

export type NewPasskey = Omit<PasskeyRecord, 'id' | 'createdAt' | 'lastUsedAt'>;

/** Stores a verified credential; throws UniqueViolationError when the credential ID is registered already. */
export async function insertPasskey(db: Queryable, passkey: NewPasskey, now: Date): Promise<PasskeyRecord> {
  const rows = await db.query<PasskeyRow>(
    `INSERT INTO passkeys (id, user_id, credential_id, public_key, counter, transports, device_type, backed_up, aaguid, name, created_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) RETURNING ${COLUMNS}`,
    [
      randomUUID(),
      passkey.userId,
      passkey.credentialId,
      passkey.publicKey,
      passkey.counter,
      passkey.transports,
      passkey.deviceType,
      passkey.backedUp,
      passkey.aaguid,
      passkey.name,
      now,
    ],
  );
  return toPasskey(rows[0]!);
}

/** A user's passkeys, oldest first. */
export async function listPasskeys(db: Queryable, userId: string): Promise<PasskeyRecord[]> {
  const rows = await db.query<PasskeyRow>(`SELECT ${COLUMNS} FROM passkeys WHERE user_id = $1 ORDER BY created_at, id`, [userId]);
  return rows.map(toPasskey);
}

/** How many passkeys a user has. */
export async function countPasskeys(db: Queryable, userId: string): Promise<number> {
  const rows = await db.query<{ count: string | number }>('SELECT count(*) AS count FROM passkeys WHERE user_id = $1', [userId]);
  return Number(rows[0]?.count ?? 0);
}

/** The passkey with this WebAuthn credential ID, whoever owns it. */
export async function findPasskeyByCredentialId(db: Queryable, credentialId: string): Promise<PasskeyRecord | undefined> {
  const rows = await db.query<PasskeyRow>(`SELECT ${COLUMNS} FROM passkeys WHERE credential_id = $1`, [credentialId]);
  return rows[0] && toPasskey(rows[0]);
}

/** Renames one of the user's passkeys; undefined when the user has none with this id. */
export async function renamePasskey(db: Queryable, userId: string, id: string, name: string): Promise<PasskeyRecord | undefined> {
  if (!isUuid(id)) return undefined;
  const rows = await db.query<PasskeyRow>(`UPDATE passkeys SET name = $3 WHERE id = $1 AND user_id = $2 RETURNING ${COLUMNS}`, [
    id,
    userId,
    name,
  ]);
  return rows[0] && toPasskey(rows[0]);
}

/** Deletes one of the user's passkeys; false when the user has none with this id. */
export async function deletePasskey(db: Queryable, userId: string, id: string): Promise<boolean> {
  if (!isUuid(id)) return false;
  const rows = await db.query<{ id: string }>('DELETE FROM passkeys WHERE id = $1 AND user_id = $2 RETURNING id', [id, userId]);
  return rows.length > 0;
}

/**
 * Records a verified assertion in one conditional statement: the counter must move forward
 * (unless the authenticator keeps none: 0 stays 0), so of two assertions racing with the same
 * counter only one is recorded. False when the counter did not move forward: a cloned
 * authenticator, or a replay.
 *
 * @example
 * if (!(await recordPasskeyUse(db, passkey.id, { counter: 8, backedUp: true }, now))) refuse();
 */
export async function recordPasskeyUse(
  db: Queryable,
  id: string,
  use: { counter: number; backedUp: boolean },
  now: Date,
): Promise<boolean> {
  const rows = await db.query<{ id: string }>(
    `UPDATE passkeys SET counter = $2, backed_up = $3, last_used_at = $4
     WHERE id = $1 AND (counter < $2 OR (counter = 0 AND $2 = 0)) RETURNING id`,
    [id, use.counter, use.backedUp, now],
  );
  return rows.length > 0;
}
