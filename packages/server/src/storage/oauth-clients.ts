import type { Queryable } from './database.ts';

/** A registered OAuth client (docs/oauth.md, "Clients"). */
export interface OAuthClientRecord {
  clientId: string;
  name: string;
  /** SHA-256 (hex) of a confidential client's secret; null for a public client (PKCE only). */
  secretHash: string | null;
  /** Exact redirect URIs: compared as strings, never as patterns. */
  redirectUris: string[];
  postLogoutRedirectUris: string[];
  /** The APIs (`aud` values, RFC 8707 `resource`) it may ask tokens for; empty: the default audience only. */
  resources: string[];
  /** The scopes its `client_credentials` tokens may carry (API scopes such as `lessons:read`). */
  scopes: string[];
  /** A first-party client skips the consent page. */
  firstParty: boolean;
  createdAt: Date;
}

interface ClientRow {
  client_id: string;
  name: string;
  secret_hash: string | null;
  redirect_uris: string[];
  post_logout_redirect_uris: string[];
  resources: string[];
  scopes: string[];
  first_party: boolean;
  created_at: Date;
}

const COLUMNS = 'client_id, name, secret_hash, redirect_uris, post_logout_redirect_uris, resources, scopes, first_party, created_at';

function toClient(row: ClientRow): OAuthClientRecord {
  return {
    clientId: row.client_id,
    name: row.name,
    secretHash: row.secret_hash,
    redirectUris: [...row.redirect_uris],
    postLogoutRedirectUris: [...row.post_logout_redirect_uris],
    resources: [...row.resources],
    scopes: [...row.scopes],
    firstParty: row.first_party,
    createdAt: new Date(row.created_at),
  };
}

export type NewOAuthClient = Omit<OAuthClientRecord, 'createdAt'>;

/** The parameters of the INSERTs below, in their placeholders' order. */
function clientParams(client: NewOAuthClient, now: Date): unknown[] {
  return [
    client.clientId,
    client.name,
    client.secretHash,
    client.redirectUris,
    client.postLogoutRedirectUris,
    client.resources,
    client.firstParty,
    now,
    client.scopes,
  ];
}

/** Inserts a client; returns undefined when the client id is taken. */
export async function insertClient(db: Queryable, client: NewOAuthClient, now: Date): Promise<OAuthClientRecord | undefined> {
  const rows = await db.query<ClientRow>(
    `INSERT INTO oauth_clients (client_id, name, secret_hash, redirect_uris, post_logout_redirect_uris, resources, scopes, first_party, created_at)
     VALUES ($1, $2, $3, $4::text[], $5::text[], $6::text[], $9::text[], $7, $8)
     ON CONFLICT (client_id) DO NOTHING RETURNING ${COLUMNS}`,
    clientParams(client, now),
  );
  return rows[0] && toClient(rows[0]);
}

/** Inserts or replaces a client (seeding a known client such as the demo's). */
export async function upsertClient(db: Queryable, client: NewOAuthClient, now: Date): Promise<OAuthClientRecord> {
  const rows = await db.query<ClientRow>(
    `INSERT INTO oauth_clients (client_id, name, secret_hash, redirect_uris, post_logout_redirect_uris, resources, scopes, first_party, created_at)
     VALUES ($1, $2, $3, $4::text[], $5::text[], $6::text[], $9::text[], $7, $8)
     ON CONFLICT (client_id) DO UPDATE SET name = $2, secret_hash = $3, redirect_uris = $4::text[],
       post_logout_redirect_uris = $5::text[], resources = $6::text[], scopes = $9::text[], first_party = $7
     RETURNING ${COLUMNS}`,
    clientParams(client, now),
  );
  return toClient(rows[0]!);
}

export async function findClient(db: Queryable, clientId: string): Promise<OAuthClientRecord | undefined> {
  if (clientId.length === 0 || clientId.length > 128) return undefined;
  const rows = await db.query<ClientRow>(`SELECT ${COLUMNS} FROM oauth_clients WHERE client_id = $1`, [clientId]);
  return rows[0] && toClient(rows[0]);
}

export async function listClients(db: Queryable): Promise<OAuthClientRecord[]> {
  const rows = await db.query<ClientRow>(`SELECT ${COLUMNS} FROM oauth_clients ORDER BY created_at, client_id`);
  return rows.map(toClient);
}

/** Deletes a client, and with it its codes, consents and sessions; false when there was none. */
export async function deleteClient(db: Queryable, clientId: string): Promise<boolean> {
  const rows = await db.query<{ client_id: string }>('DELETE FROM oauth_clients WHERE client_id = $1 RETURNING client_id', [clientId]);
  return rows.length > 0;
}
