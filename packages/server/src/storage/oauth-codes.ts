import type { Queryable } from './database.ts';

/**
 * An authorization code (docs/oauth.md, "Codes"): stored only as SHA-256, single use, bound to
 * the client, the redirect URI, the PKCE challenge and the session the hosted login started. A
 * code awaiting the user's consent has a `consentHash` and cannot be exchanged.
 */
export interface OAuthCodeRecord {
  codeHash: string;
  clientId: string;
  sessionId: string;
  redirectUri: string;
  codeChallenge: string;
  scope: string;
  nonce: string | null;
  resource: string;
  consentHash: string | null;
  createdAt: Date;
  expiresAt: Date;
  usedAt: Date | null;
}

interface CodeRow {
  code_hash: string;
  client_id: string;
  session_id: string;
  redirect_uri: string;
  code_challenge: string;
  scope: string;
  nonce: string | null;
  resource: string;
  consent_hash: string | null;
  created_at: Date;
  expires_at: Date;
  used_at: Date | null;
}

const COLUMNS =
  'code_hash, client_id, session_id, redirect_uri, code_challenge, scope, nonce, resource, consent_hash, created_at, expires_at, used_at';

function toCode(row: CodeRow): OAuthCodeRecord {
  return {
    codeHash: row.code_hash,
    clientId: row.client_id,
    sessionId: row.session_id,
    redirectUri: row.redirect_uri,
    codeChallenge: row.code_challenge,
    scope: row.scope,
    nonce: row.nonce,
    resource: row.resource,
    consentHash: row.consent_hash,
    createdAt: new Date(row.created_at),
    expiresAt: new Date(row.expires_at),
    usedAt: row.used_at && new Date(row.used_at),
  };
}

export type NewOAuthCode = Omit<OAuthCodeRecord, 'createdAt' | 'usedAt'>;

export async function insertCode(db: Queryable, code: NewOAuthCode, now: Date): Promise<void> {
  await db.query(
    `INSERT INTO oauth_codes (code_hash, client_id, session_id, redirect_uri, code_challenge, scope, nonce, resource, consent_hash, created_at, expires_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)`,
    [
      code.codeHash,
      code.clientId,
      code.sessionId,
      code.redirectUri,
      code.codeChallenge,
      code.scope,
      code.nonce,
      code.resource,
      code.consentHash,
      now,
      code.expiresAt,
    ],
  );
}

/** Reads a code and locks its row until the transaction ends: of two exchanges, one wins. */
export async function lockCode(db: Queryable, codeHash: string): Promise<OAuthCodeRecord | undefined> {
  const rows = await db.query<CodeRow>(`SELECT ${COLUMNS} FROM oauth_codes WHERE code_hash = $1 FOR UPDATE`, [codeHash]);
  return rows[0] && toCode(rows[0]);
}

export async function markCodeUsed(db: Queryable, codeHash: string, now: Date): Promise<void> {
  await db.query('UPDATE oauth_codes SET used_at = $2 WHERE code_hash = $1', [codeHash, now]);
}

/**
 * Uses up a consent token: the code it holds gets its real hash and its short life from now.
 * One conditional UPDATE, so a consent form posted twice issues one code.
 */
export async function approveConsent(
  db: Queryable,
  consentHash: string,
  code: { codeHash: string; expiresAt: Date },
  now: Date,
): Promise<OAuthCodeRecord | undefined> {
  const rows = await db.query<CodeRow>(
    `UPDATE oauth_codes SET code_hash = $2, consent_hash = NULL, expires_at = $3
     WHERE consent_hash = $1 AND expires_at > $4 AND used_at IS NULL RETURNING ${COLUMNS}`,
    [consentHash, code.codeHash, code.expiresAt, now],
  );
  return rows[0] && toCode(rows[0]);
}

/** Removes a code awaiting consent (the user said no); returns it. */
export async function takePendingConsent(db: Queryable, consentHash: string, now: Date): Promise<OAuthCodeRecord | undefined> {
  const rows = await db.query<CodeRow>(`DELETE FROM oauth_codes WHERE consent_hash = $1 AND expires_at > $2 RETURNING ${COLUMNS}`, [
    consentHash,
    now,
  ]);
  return rows[0] && toCode(rows[0]);
}

export async function findPendingConsent(db: Queryable, consentHash: string, now: Date): Promise<OAuthCodeRecord | undefined> {
  const rows = await db.query<CodeRow>(`SELECT ${COLUMNS} FROM oauth_codes WHERE consent_hash = $1 AND expires_at > $2`, [
    consentHash,
    now,
  ]);
  return rows[0] && toCode(rows[0]);
}

/**
 * Deletes codes that expired more than `retention` ago. Used codes stay until then, so a replay
 * within that time is still recognised (and revokes what the code issued).
 */
export async function deleteExpiredCodes(db: Queryable, now: Date, retentionSeconds: number): Promise<number> {
  const rows = await db.query<{ code_hash: string }>('DELETE FROM oauth_codes WHERE expires_at < $1 RETURNING code_hash', [
    new Date(now.getTime() - retentionSeconds * 1000),
  ]);
  return rows.length;
}

/** The scopes a user granted a client, if any. */
export async function findConsent(db: Queryable, userId: string, clientId: string): Promise<string | undefined> {
  const rows = await db.query<{ scope: string }>('SELECT scope FROM oauth_consents WHERE user_id = $1 AND client_id = $2', [
    userId,
    clientId,
  ]);
  return rows[0]?.scope;
}

export async function saveConsent(db: Queryable, userId: string, clientId: string, scope: string, now: Date): Promise<void> {
  await db.query(
    `INSERT INTO oauth_consents (user_id, client_id, scope, created_at) VALUES ($1, $2, $3, $4)
     ON CONFLICT (user_id, client_id) DO UPDATE SET scope = $3, created_at = $4`,
    [userId, clientId, scope, now],
  );
}
