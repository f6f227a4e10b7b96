import { randomUUID } from 'node:crypto';
import type { Queryable } from './database.ts';

export interface UserRecord {
  id: string;
  email: string;
  name: string | null;
  roles: string[];
  passwordHash: string;
  disabled: boolean;
  /** Whether the address was proven (a verify link, a password reset, or an import that said so). */
  emailVerified: boolean;
  emailVerifiedAt: Date | null;
  createdAt: Date;
  updatedAt: Date;
}

interface UserRow {
  id: string;
  email: string;
  name: string | null;
  roles: string[];
  password_hash: string;
  disabled_at: Date | null;
  email_verified_at: Date | null;
  created_at: Date;
  updated_at: Date;
}

const COLUMNS = 'id, email, name, roles, password_hash, disabled_at, email_verified_at, created_at, updated_at';

function toUser(row: UserRow): UserRecord {
  return {
    id: row.id,
    email: row.email,
    name: row.name,
    roles: [...row.roles],
    passwordHash: row.password_hash,
    disabled: row.disabled_at !== null,
    emailVerified: row.email_verified_at !== null,
    emailVerifiedAt: row.email_verified_at && new Date(row.email_verified_at),
    createdAt: new Date(row.created_at),
    updatedAt: new Date(row.updated_at),
  };
}

/** Emails compare case-insensitively and ignoring surrounding whitespace. */
export function normalizeEmail(email: string): string {
  return email.trim().toLowerCase();
}

export interface NewUser {
  email: string;
  name?: string | null;
  roles?: string[];
  passwordHash: string;
  /** Created with its address already proven (seeded demo accounts, management code). @default false */
  emailVerified?: boolean;
}

/** Inserts a user; throws UniqueViolationError when the email is taken. */
export async function insertUser(db: Queryable, user: NewUser, now: Date): Promise<UserRecord> {
  const rows = await db.query<UserRow>(
    `INSERT INTO users (id, email, email_normalized, name, roles, password_hash, email_verified_at, created_at, updated_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8) RETURNING ${COLUMNS}`,
    [
      randomUUID(),
      user.email.trim(),
      normalizeEmail(user.email),
      user.name ?? null,
      user.roles ?? [],
      user.passwordHash,
      user.emailVerified ? now : null,
      now,
    ],
  );
  return toUser(rows[0]!);
}

export async function findUserByEmail(db: Queryable, email: string): Promise<UserRecord | undefined> {
  const rows = await db.query<UserRow>(`SELECT ${COLUMNS} FROM users WHERE email_normalized = $1`, [normalizeEmail(email)]);
  return rows[0] && toUser(rows[0]);
}

export async function findUserById(db: Queryable, id: string): Promise<UserRecord | undefined> {
  if (!isUuid(id)) return undefined;
  const rows = await db.query<UserRow>(`SELECT ${COLUMNS} FROM users WHERE id = $1`, [id]);
  return rows[0] && toUser(rows[0]);
}

export async function listUsers(db: Queryable, options: { limit?: number; offset?: number } = {}): Promise<UserRecord[]> {
  const rows = await db.query<UserRow>(`SELECT ${COLUMNS} FROM users ORDER BY created_at, id LIMIT $1 OFFSET $2`, [
    options.limit ?? 100,
    options.offset ?? 0,
  ]);
  return rows.map(toUser);
}

export async function updatePasswordHash(db: Queryable, userId: string, passwordHash: string, now: Date): Promise<void> {
  await db.query('UPDATE users SET password_hash = $2, updated_at = $3 WHERE id = $1', [userId, passwordHash, now]);
}

/** Disables (or re-enables) an account; returns false when no such user exists. */
export async function setUserDisabled(db: Queryable, userId: string, disabled: boolean, now: Date): Promise<boolean> {
  const rows = await db.query<{ id: string }>('UPDATE users SET disabled_at = $2, updated_at = $3 WHERE id = $1 RETURNING id', [
    userId,
    disabled ? now : null,
    now,
  ]);
  return rows.length > 0;
}

/** Marks the address proven (kept as it was when it already is); false when no such user exists. */
export async function markEmailVerified(db: Queryable, userId: string, now: Date): Promise<boolean> {
  const rows = await db.query<{ id: string }>(
    'UPDATE users SET email_verified_at = COALESCE(email_verified_at, $2), updated_at = $2 WHERE id = $1 RETURNING id',
    [userId, now],
  );
  return rows.length > 0;
}

/**
 * Moves an account to a new address, proven by the link the new address received: it is
 * verified from `now`. Throws UniqueViolationError when another account has the address.
 */
export async function changeEmail(db: Queryable, userId: string, email: string, now: Date): Promise<UserRecord | undefined> {
  const rows = await db.query<UserRow>(
    `UPDATE users SET email = $2, email_normalized = $3, email_verified_at = $4, updated_at = $4 WHERE id = $1 RETURNING ${COLUMNS}`,
    [userId, email.trim(), normalizeEmail(email), now],
  );
  return rows[0] && toUser(rows[0]);
}

/** Erases a user; its sessions, refresh tokens and link tokens go with it (ON DELETE CASCADE). */
export async function deleteUser(db: Queryable, userId: string): Promise<boolean> {
  if (!isUuid(userId)) return false;
  const rows = await db.query<{ id: string }>('DELETE FROM users WHERE id = $1 RETURNING id', [userId]);
  return rows.length > 0;
}

export async function setUserRoles(db: Queryable, userId: string, roles: string[], now: Date): Promise<void> {
  await db.query('UPDATE users SET roles = $2, updated_at = $3 WHERE id = $1', [userId, roles, now]);
}

export function isUuid(value: string): boolean {
  return /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(value);
}

/** A user brought in by `sigil users import` (docs/server.md, "Importing users"). */
export interface ImportedUser extends NewUser {
  /** When the account was created in the system it comes from. */
  createdAt: Date;
  /** When the address was verified (the time of the import, for `email_verified: true`), or null. */
  emailVerifiedAt: Date | null;
}

/** The column of `users` each value of an imported user goes to. */
const IMPORTED_USER_COLUMNS: Record<string, (user: ImportedUser, now: Date) => unknown> = {
  id: () => randomUUID(),
  email: (user) => user.email.trim(),
  email_normalized: (user) => normalizeEmail(user.email),
  name: (user) => user.name ?? null,
  roles: (user) => user.roles ?? [],
  password_hash: (user) => user.passwordHash,
  email_verified_at: (user) => user.emailVerifiedAt,
  created_at: (user) => user.createdAt,
  updated_at: (_user, now) => now,
};

/**
 * Inserts imported users with one multi-row INSERT (call it inside a transaction, in batches
 * small enough for PostgreSQL's 65 535 parameters); throws UniqueViolationError when an email is
 * taken.
 *
 * @example
 * await db.transaction((tx) => insertImportedUsers(tx, batch, new Date()));
 */
export async function insertImportedUsers(db: Queryable, users: readonly ImportedUser[], now: Date): Promise<void> {
  if (users.length === 0) return;
  const columns = Object.keys(IMPORTED_USER_COLUMNS);
  const params: unknown[] = [];
  const rows = users.map((user) => {
    const placeholders = Object.values(IMPORTED_USER_COLUMNS).map((value) => `$${params.push(value(user, now))}`);
    return `(${placeholders.join(', ')})`;
  });
  await db.query(`INSERT INTO users (${columns.join(', ')}) VALUES ${rows.join(', ')}`, params);
}

/**
 * The emails among `emails` that an account already has, normalized.
 *
 * @example
 * (await findTakenEmails(db, ['Ada@example.com'])).has('ada@example.com');
 */
export async function findTakenEmails(db: Queryable, emails: readonly string[]): Promise<Set<string>> {
  if (emails.length === 0) return new Set();
  const rows = await db.query<{ email_normalized: string }>('SELECT email_normalized FROM users WHERE email_normalized = ANY($1::text[])', [
    emails.map(normalizeEmail),
  ]);
  return new Set(rows.map((row) => row.email_normalized));
}
