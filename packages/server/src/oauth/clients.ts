import { randomBytes, timingSafeEqual } from 'node:crypto';
import { SigilError, type FieldError } from '../errors.ts';
import type { Database } from '../storage/index.ts';
import * as clients from '../storage/oauth-clients.ts';
import type { OAuthClientRecord } from '../storage/oauth-clients.ts';
import { generateOpaqueToken, hashOpaqueToken } from '../tokens/opaque-token.ts';
import { checkRedirectUri } from './redirect-uri.ts';

/** What `sigil clients create` and `auth.clients.create` take (docs/oauth.md, "Clients"). */
export interface NewClientInput {
  name: string;
  redirectUris: string[];
  /** Where RP-initiated logout may send the user back; exact, like redirect URIs. @default [] */
  postLogoutRedirectUris?: string[];
  /** A confidential client gets a secret (server-side apps, machine-to-machine). @default false */
  confidential?: boolean;
  /** First-party clients skip the consent page. @default false */
  firstParty?: boolean;
  /** APIs (`aud` values) the client may ask tokens for besides the default audience. @default [] */
  resources?: string[];
  /** Scopes its `client_credentials` tokens may carry (e.g. `lessons:read`). @default [] */
  scopes?: string[];
  /** A chosen client id (e.g. `sigil-demo`); by default a random one. */
  clientId?: string;
}

/** A client just created: the secret is shown once and never stored. */
export interface CreatedClient {
  client: OAuthClient;
  clientSecret?: string;
}

/** What management code sees of a client: never its secret's hash. */
export interface OAuthClient {
  clientId: string;
  name: string;
  confidential: boolean;
  firstParty: boolean;
  redirectUris: string[];
  postLogoutRedirectUris: string[];
  resources: string[];
  scopes: string[];
  createdAt: Date;
}

/**
 * Registered OAuth clients: creation with validated redirect URIs and a hashed secret, lookup,
 * client authentication.
 *
 * @example
 * const { client, clientSecret } = await registry.create({ name: 'Reports', redirectUris: ['https://reports.example.com/cb'], confidential: true });
 */
export interface ClientRegistry {
  create(input: NewClientInput): Promise<CreatedClient>;
  /** Creates the client or replaces its settings (seeding); a public client only. */
  seed(input: NewClientInput & { clientId: string }): Promise<OAuthClient>;
  list(): Promise<OAuthClient[]>;
  find(clientId: string): Promise<OAuthClientRecord | undefined>;
  /** Deletes a client with its codes, consents and sessions; false when there was none. */
  delete(clientId: string): Promise<boolean>;
}

const CLIENT_ID = /^[A-Za-z0-9._~-]{1,128}$/;

export function toOAuthClient(record: OAuthClientRecord): OAuthClient {
  return {
    clientId: record.clientId,
    name: record.name,
    confidential: record.secretHash !== null,
    firstParty: record.firstParty,
    redirectUris: [...record.redirectUris],
    postLogoutRedirectUris: [...record.postLogoutRedirectUris],
    resources: [...record.resources],
    scopes: [...record.scopes],
    createdAt: record.createdAt,
  };
}

/** Whether `secret` is the client's: compares SHA-256 digests in constant time. */
export function clientSecretMatches(record: OAuthClientRecord, secret: string): boolean {
  if (record.secretHash === null || secret.length === 0 || secret.length > 256) return false;
  return timingSafeEqual(Buffer.from(hashOpaqueToken(secret), 'hex'), Buffer.from(record.secretHash, 'hex'));
}

function validated(input: NewClientInput): clients.NewOAuthClient {
  const errors: FieldError[] = [];
  const name = typeof input.name === 'string' ? input.name.trim() : '';
  if (name.length === 0 || name.length > 100 || /[\r\n]/.test(name))
    errors.push({ path: 'name', message: 'a name of 1 to 100 characters on one line' });
  const uriList = (field: string, values: unknown, required: boolean): string[] => {
    if (!Array.isArray(values) || (required && values.length === 0)) {
      errors.push({ path: field, message: required ? 'at least one URI' : 'a list of URIs' });
      return [];
    }
    for (const value of values) {
      const problem = typeof value === 'string' ? checkRedirectUri(value) : 'not a string';
      if (problem) errors.push({ path: field, message: `${String(value)}: ${problem}` });
    }
    return [...new Set(values as string[])];
  };
  const redirectUris = uriList('redirect_uris', input.redirectUris, true);
  const postLogoutRedirectUris = uriList('post_logout_redirect_uris', input.postLogoutRedirectUris ?? [], false);
  const resources = (input.resources ?? []).filter((resource) => {
    let ok: boolean;
    try {
      ok = new URL(resource).protocol.startsWith('http') && !resource.includes('#');
    } catch {
      ok = false;
    }
    if (!ok) errors.push({ path: 'resources', message: `${resource}: an absolute http(s) URI without a fragment` });
    return ok;
  });
  const scopes = [...new Set(input.scopes ?? [])];
  for (const scope of scopes)
    if (typeof scope !== 'string' || !/^[\x21\x23-\x5b\x5d-\x7e]{1,100}$/.test(scope))
      errors.push({ path: 'scopes', message: `${String(scope)}: a scope is printable ASCII without spaces, quotes or backslashes` });
  const clientId = input.clientId ?? randomBytes(16).toString('base64url');
  if (!CLIENT_ID.test(clientId)) errors.push({ path: 'client_id', message: '1 to 128 of A-Z a-z 0-9 . _ ~ -' });
  if (errors.length > 0) throw new SigilError('invalid_request', 'The client registration is invalid', { errors });
  return {
    clientId,
    name,
    secretHash: null,
    redirectUris,
    postLogoutRedirectUris,
    resources,
    scopes,
    firstParty: input.firstParty ?? false,
  };
}

export function createClientRegistry(db: Database, now: () => Date): ClientRegistry {
  return {
    async create(input) {
      const client = validated(input);
      const clientSecret = input.confidential ? generateOpaqueToken() : undefined;
      const record = await clients.insertClient(db, { ...client, secretHash: clientSecret ? hashOpaqueToken(clientSecret) : null }, now());
      if (!record) throw new SigilError('invalid_request', `A client with id ${client.clientId} exists already`, { status: 409 });
      return { client: toOAuthClient(record), ...(clientSecret ? { clientSecret } : {}) };
    },
    async seed(input) {
      return toOAuthClient(await clients.upsertClient(db, { ...validated(input), secretHash: null }, now()));
    },
    async list() {
      return (await clients.listClients(db)).map(toOAuthClient);
    },
    find: (clientId) => clients.findClient(db, clientId),
    delete: (clientId) => clients.deleteClient(db, clientId),
  };
}
