import type { Queryable } from './database.ts';
import { isUuid } from './users.ts';

export interface SessionRecord {
  id: string;
  userId: string;
  createdAt: Date;
  lastUsedAt: Date;
  /** Absolute end of the session, however often it refreshes. */
  expiresAt: Date;
  revokedAt: Date | null;
  revokedReason: string | null;
  userAgent: string | null;
  /** How the login that started the session authenticated the user (RFC 8176 values, e.g. `pwd`, `otp`, `mfa`). */
  amr: string[];
  /** When that login happened: a refresh keeps it (the `auth_time` claim). */
  authTime: Date;
  /** What a session started through OAuth was granted; null for a session of the JSON API or the hosted login. */
  oauth: SessionGrant | null;
}

/** A session's OAuth grant (docs/oauth.md): only its client refreshes it, and its tokens keep the scopes and audience. */
export interface SessionGrant {
  clientId: string;
  scope: string;
  /** The API audience of its access tokens (RFC 8707 `resource`). */
  resource: string;
}

interface SessionRow {
  id: string;
  user_id: string;
  created_at: Date;
  last_used_at: Date;
  expires_at: Date;
  revoked_at: Date | null;
  revoked_reason: string | null;
  user_agent: string | null;
  amr: string[];
  auth_time: Date;
  client_id: string | null;
  scope: string | null;
  resource: string | null;
}

const SESSION_COLUMNS =
  'id, user_id, created_at, last_used_at, expires_at, revoked_at, revoked_reason, user_agent, amr, auth_time, client_id, scope, resource';

function toSession(row: SessionRow): SessionRecord {
  return {
    id: row.id,
    userId: row.user_id,
    createdAt: new Date(row.created_at),
    lastUsedAt: new Date(row.last_used_at),
    expiresAt: new Date(row.expires_at),
    revokedAt: row.revoked_at && new Date(row.revoked_at),
    revokedReason: row.revoked_reason,
    userAgent: row.user_agent,
    amr: [...row.amr],
    authTime: new Date(row.auth_time),
    oauth: row.client_id === null ? null : { clientId: row.client_id, scope: row.scope ?? '', resource: row.resource ?? '' },
  };
}

export function isSessionActive(session: SessionRecord, now: Date): boolean {
  return session.revokedAt === null && session.expiresAt > now;
}

/**
 * A new session with its first refresh token, in one statement: atomic without a transaction,
 * and one database round trip instead of four (BEGIN, two INSERTs, COMMIT). Login runs it once
 * per sign-in, and with the embedded database every round trip is event-loop time.
 */
export async function insertSessionWithRefreshToken(
  db: Queryable,
  session: { id: string; userId: string; userAgent: string | null; expiresAt: Date; amr: readonly string[]; authTime: Date },
  token: { tokenHash: string; expiresAt: Date },
  now: Date,
): Promise<SessionRecord> {
  const rows = await db.query<SessionRow>(
    `WITH session AS (
       INSERT INTO sessions (id, user_id, created_at, last_used_at, expires_at, user_agent, amr, auth_time)
       VALUES ($1, $2, $3::timestamptz, $3::timestamptz, $4::timestamptz, $5, $8::text[], $9::timestamptz) RETURNING ${SESSION_COLUMNS}
     ), token AS (
       INSERT INTO refresh_tokens (token_hash, session_id, created_at, expires_at)
       SELECT $6::text, id, $3::timestamptz, $7::timestamptz FROM session
     )
     SELECT ${SESSION_COLUMNS} FROM session`,
    [
      session.id,
      session.userId,
      now,
      session.expiresAt,
      session.userAgent,
      token.tokenHash,
      token.expiresAt,
      session.amr,
      session.authTime,
    ],
  );
  return toSession(rows[0]!);
}

export async function findSession(db: Queryable, id: string): Promise<SessionRecord | undefined> {
  if (!isUuid(id)) return undefined;
  const rows = await db.query<SessionRow>(`SELECT ${SESSION_COLUMNS} FROM sessions WHERE id = $1`, [id]);
  return rows[0] && toSession(rows[0]);
}

export async function listActiveSessions(db: Queryable, userId: string, now: Date): Promise<SessionRecord[]> {
  const rows = await db.query<SessionRow>(
    `SELECT ${SESSION_COLUMNS} FROM sessions
     WHERE user_id = $1 AND revoked_at IS NULL AND expires_at > $2
       AND EXISTS (SELECT 1 FROM refresh_tokens rt WHERE rt.session_id = sessions.id AND rt.used_at IS NULL AND rt.expires_at > $2)
     ORDER BY last_used_at DESC`,
    [userId, now],
  );
  return rows.map(toSession);
}

export async function touchSession(db: Queryable, id: string, now: Date): Promise<void> {
  await db.query('UPDATE sessions SET last_used_at = $2 WHERE id = $1', [id, now]);
}

/**
 * Hands a session the hosted login just started to an OAuth client (docs/oauth.md, "Codes"):
 * records the grant and drops its first refresh token, which no one was given. The code exchange
 * issues the refresh token the client gets.
 */
export async function grantSessionToClient(db: Queryable, id: string, grant: SessionGrant): Promise<void> {
  await db.query('UPDATE sessions SET client_id = $2, scope = $3, resource = $4 WHERE id = $1', [
    id,
    grant.clientId,
    grant.scope,
    grant.resource,
  ]);
  await db.query('DELETE FROM refresh_tokens WHERE session_id = $1', [id]);
}

/** Revokes one session; returns false when it does not exist or was already revoked. */
export async function revokeSession(db: Queryable, id: string, reason: string, now: Date): Promise<boolean> {
  if (!isUuid(id)) return false;
  const rows = await db.query<{ id: string }>(
    'UPDATE sessions SET revoked_at = $2, revoked_reason = $3 WHERE id = $1 AND revoked_at IS NULL RETURNING id',
    [id, now, reason],
  );
  return rows.length > 0;
}

/** Revokes every active session of a user, optionally keeping one; returns how many it revoked. */
export async function revokeUserSessions(
  db: Queryable,
  userId: string,
  reason: string,
  now: Date,
  exceptSessionId?: string,
): Promise<number> {
  const rows = await db.query<{ id: string }>(
    `UPDATE sessions SET revoked_at = $2, revoked_reason = $3
     WHERE user_id = $1 AND revoked_at IS NULL AND ($4::uuid IS NULL OR id <> $4::uuid) RETURNING id`,
    [userId, now, reason, exceptSessionId ?? null],
  );
  return rows.length;
}

export interface RefreshTokenRecord {
  tokenHash: string;
  sessionId: string;
  createdAt: Date;
  expiresAt: Date;
  usedAt: Date | null;
}

interface RefreshTokenRow {
  token_hash: string;
  session_id: string;
  created_at: Date;
  expires_at: Date;
  used_at: Date | null;
}

function toRefreshToken(row: RefreshTokenRow): RefreshTokenRecord {
  return {
    tokenHash: row.token_hash,
    sessionId: row.session_id,
    createdAt: new Date(row.created_at),
    expiresAt: new Date(row.expires_at),
    usedAt: row.used_at && new Date(row.used_at),
  };
}

export async function insertRefreshToken(
  db: Queryable,
  token: { tokenHash: string; sessionId: string; expiresAt: Date },
  now: Date,
): Promise<void> {
  await db.query('INSERT INTO refresh_tokens (token_hash, session_id, created_at, expires_at) VALUES ($1, $2, $3, $4)', [
    token.tokenHash,
    token.sessionId,
    now,
    token.expiresAt,
  ]);
}

/**
 * Reads a refresh token and locks its row until the transaction ends, so two concurrent refreshes
 * of one token are serialized: the second sees the first's rotation (the grace-window path).
 */
export async function lockRefreshToken(db: Queryable, tokenHash: string): Promise<RefreshTokenRecord | undefined> {
  const rows = await db.query<RefreshTokenRow>(
    'SELECT token_hash, session_id, created_at, expires_at, used_at FROM refresh_tokens WHERE token_hash = $1 FOR UPDATE',
    [tokenHash],
  );
  return rows[0] && toRefreshToken(rows[0]);
}

export async function findRefreshToken(db: Queryable, tokenHash: string): Promise<RefreshTokenRecord | undefined> {
  const rows = await db.query<RefreshTokenRow>(
    'SELECT token_hash, session_id, created_at, expires_at, used_at FROM refresh_tokens WHERE token_hash = $1',
    [tokenHash],
  );
  return rows[0] && toRefreshToken(rows[0]);
}

export async function markRefreshTokenUsed(db: Queryable, tokenHash: string, now: Date): Promise<void> {
  await db.query('UPDATE refresh_tokens SET used_at = $2 WHERE token_hash = $1', [tokenHash, now]);
}

/**
 * Deletes sessions that ended (expired or revoked) more than `retention` ago and refresh tokens
 * past their expiry. Used tokens stay until they expire so reuse can still be detected.
 */
export async function deleteExpiredSessions(db: Queryable, now: Date, retentionSeconds: number): Promise<number> {
  const cutoff = new Date(now.getTime() - retentionSeconds * 1000);
  const sessions = await db.query<{ id: string }>('DELETE FROM sessions WHERE expires_at < $1 OR revoked_at < $1 RETURNING id', [cutoff]);
  await db.query('DELETE FROM refresh_tokens WHERE expires_at < $1', [cutoff]);
  return sessions.length;
}
