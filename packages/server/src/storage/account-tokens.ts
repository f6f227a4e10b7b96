import { generateOpaqueToken, hashOpaqueToken, looksLikeOpaqueToken } from '../tokens/opaque-token.ts';
import type { Queryable } from './database.ts';

/**
 * What a link token proves (docs/architecture.md, "Account lifecycle"): control of `email` for
 * `verify_email` and `email_change` (whose `email` is the new address), and of the account's
 * mailbox for `password_reset`.
 */
export const ACCOUNT_TOKEN_PURPOSES = ['verify_email', 'password_reset', 'email_change'] as const;
export type AccountTokenPurpose = (typeof ACCOUNT_TOKEN_PURPOSES)[number];

export interface AccountTokenRecord {
  tokenHash: string;
  userId: string;
  purpose: AccountTokenPurpose;
  /** The address the token was mailed to and is about. */
  email: string;
  createdAt: Date;
  expiresAt: Date;
  usedAt: Date | null;
}

interface AccountTokenRow {
  token_hash: string;
  user_id: string;
  purpose: AccountTokenPurpose;
  email: string;
  created_at: Date;
  expires_at: Date;
  used_at: Date | null;
}

const COLUMNS = 'token_hash, user_id, purpose, email, created_at, expires_at, used_at';

function toAccountToken(row: AccountTokenRow): AccountTokenRecord {
  return {
    tokenHash: row.token_hash,
    userId: row.user_id,
    purpose: row.purpose,
    email: row.email,
    createdAt: new Date(row.created_at),
    expiresAt: new Date(row.expires_at),
    usedAt: row.used_at && new Date(row.used_at),
  };
}

export interface NewAccountToken {
  userId: string;
  purpose: AccountTokenPurpose;
  email: string;
  ttlSeconds: number;
}

/**
 * Creates a link token: 256 random bits, of which only the SHA-256 is stored. Returns the token
 * itself, which exists nowhere else: put it in the mail (in the same transaction) or lose it.
 *
 * @example
 * const token = await createAccountToken(tx, { userId, purpose: 'verify_email', email, ttlSeconds: 86_400 }, now);
 */
export async function createAccountToken(db: Queryable, token: NewAccountToken, now: Date): Promise<string> {
  const secret = generateOpaqueToken();
  await db.query(
    `INSERT INTO account_tokens (token_hash, user_id, purpose, email, created_at, expires_at) VALUES ($1, $2, $3, $4, $5, $6)`,
    [hashOpaqueToken(secret), token.userId, token.purpose, token.email, now, new Date(now.getTime() + token.ttlSeconds * 1000)],
  );
  return secret;
}

/**
 * Uses up a link token in one statement: the row is marked used only if it is unused, unexpired
 * and of one of `purposes`, so of two concurrent presentations exactly one gets the record.
 * Undefined for anything else (unknown, used, expired, another purpose, malformed): the caller
 * answers each the same way.
 *
 * @example
 * const record = await consumeAccountToken(tx, presented, ['password_reset'], now);
 * if (!record) throw new SigilError('invalid_grant', 'This link is invalid or has expired', { status: 400 });
 */
export async function consumeAccountToken(
  db: Queryable,
  token: string,
  purposes: readonly AccountTokenPurpose[],
  now: Date,
): Promise<AccountTokenRecord | undefined> {
  if (!looksLikeOpaqueToken(token)) return undefined;
  const rows = await db.query<AccountTokenRow>(
    `UPDATE account_tokens SET used_at = $3
     WHERE token_hash = $1 AND purpose = ANY($2::text[]) AND used_at IS NULL AND expires_at > $3
     RETURNING ${COLUMNS}`,
    [hashOpaqueToken(token), purposes, now],
  );
  return rows[0] && toAccountToken(rows[0]);
}

/**
 * The usable token (unused, unexpired, of one of `purposes`) without using it up: a password
 * reset checks the token before it spends a password hash on the new password.
 */
export async function findUsableAccountToken(
  db: Queryable,
  token: string,
  purposes: readonly AccountTokenPurpose[],
  now: Date,
): Promise<AccountTokenRecord | undefined> {
  if (!looksLikeOpaqueToken(token)) return undefined;
  const rows = await db.query<AccountTokenRow>(
    `SELECT ${COLUMNS} FROM account_tokens
     WHERE token_hash = $1 AND purpose = ANY($2::text[]) AND used_at IS NULL AND expires_at > $3`,
    [hashOpaqueToken(token), purposes, now],
  );
  return rows[0] && toAccountToken(rows[0]);
}

/**
 * Voids every token of a user (or only those of `purposes`) that is still unused: after a
 * password or email change no link mailed before it may act. Returns how many it voided.
 */
export async function voidAccountTokens(
  db: Queryable,
  userId: string,
  purposes: readonly AccountTokenPurpose[] = ACCOUNT_TOKEN_PURPOSES,
): Promise<number> {
  const rows = await db.query<{ token_hash: string }>(
    'DELETE FROM account_tokens WHERE user_id = $1 AND purpose = ANY($2::text[]) AND used_at IS NULL RETURNING token_hash',
    [userId, purposes],
  );
  return rows.length;
}

/** A user's tokens, newest first (management code and tests). */
export async function listAccountTokens(db: Queryable, userId: string): Promise<AccountTokenRecord[]> {
  const rows = await db.query<AccountTokenRow>(`SELECT ${COLUMNS} FROM account_tokens WHERE user_id = $1 ORDER BY created_at DESC`, [
    userId,
  ]);
  return rows.map(toAccountToken);
}

/** Deletes tokens that expired, or were used, more than `retentionSeconds` ago; returns how many. */
export async function deleteExpiredAccountTokens(db: Queryable, now: Date, retentionSeconds: number): Promise<number> {
  const cutoff = new Date(now.getTime() - retentionSeconds * 1000);
  const rows = await db.query<{ token_hash: string }>(
    'DELETE FROM account_tokens WHERE expires_at < $1 OR used_at < $1 RETURNING token_hash',
    [cutoff],
  );
  return rows.length;
}
