import { randomBytes } from 'node:crypto';
import { Writable } from 'node:stream';
import { createAuthServer, type AuthServer, type AuthServerOptions } from '../../src/index.ts';
import type { Database } from '../../src/storage/index.ts';
import { openPGlite } from '../../src/storage/pglite.ts';
import { openPostgres } from '../../src/storage/postgres.ts';
import { sharedMemoryPGlite, uniqueSchema } from '../support/database.ts';

export interface TestServer {
  server: AuthServer;
  url: string;
  /**
   * The server's tables, for tests that look at or change rows directly: the database the server
   * runs on (the shared in-memory PGlite schema, or the `database` option), or a connection of
   * its own to the same PostgreSQL schema. Not available for a server on its own data directory.
   */
  readonly db: Database;
  /** Every log line the server wrote, parsed. */
  logs: Array<Record<string, unknown>>;
  rawLogs: string[];
  close(): Promise<void>;
}

/** Unique per call: test runs share PostgreSQL and Redis, so nothing may collide or linger. */
export function uniqueName(prefix: string): string {
  return `${prefix}_${process.pid}_${randomBytes(4).toString('hex')}`;
}

/**
 * A real auth server on 127.0.0.1:0. Unless `options` name a database, it gets its own schema in
 * this test file's shared in-memory PGlite (one PGlite start per file instead of per server).
 * Rate limits are raised so that tests not about them are not throttled by their own traffic.
 */
export async function startTestServer(options: AuthServerOptions = {}): Promise<TestServer> {
  const rawLogs: string[] = [];
  const logs: Array<Record<string, unknown>> = [];
  const logDestination = new Writable({
    write(chunk, _encoding, callback) {
      for (const line of String(chunk).split('\n').filter(Boolean)) {
        rawLogs.push(line);
        try {
          logs.push(JSON.parse(line) as Record<string, unknown>);
        } catch {
          /* not JSON: kept raw */
        }
      }
      callback();
    },
  });
  const ownDatabase =
    options.databaseUrl !== undefined ||
    options.database !== undefined ||
    (options.dataDir !== undefined && options.dataDir !== 'memory://');
  const database = ownDatabase ? undefined : await openPGlite({ pglite: await sharedMemoryPGlite(), schema: uniqueSchema('srv') });
  const server = await createAuthServer({
    ...(database ? { database } : {}),
    logLevel: 'info',
    ipRequestsPerMinute: 100_000,
    signupsPerHour: 100_000,
    mailsPerIpPerHour: 100_000,
    mailsPerEmailPerHour: 100_000,
    linkFailuresPerHour: 100_000,
    passkeyRequestsPerMinute: 100_000,
    logDestination,
    ...options,
  });
  const { url } = await server.listen(0, '127.0.0.1');
  const shared = options.database ?? database;
  // A second pool on the same schema: the server's own pool is its business.
  const sideConnection =
    !shared && options.databaseUrl !== undefined
      ? await openPostgres({ connectionString: options.databaseUrl, schema: server.config.databaseSchema, maxConnections: 2 })
      : undefined;
  const testDb = shared ?? sideConnection;
  return {
    server,
    url,
    logs,
    rawLogs,
    get db() {
      if (!testDb) throw new TypeError('startTestServer: no direct database access to a server on its own data directory');
      return testDb;
    },
    async close() {
      await server.close(1000);
      await sideConnection?.close();
      await database?.close();
    },
  };
}

export interface JsonResponse<T = any> {
  status: number;
  headers: Headers;
  body: T;
  text: string;
}

/** fetch + JSON parse, never throwing on HTTP errors. */
export async function request<T = any>(
  url: string,
  init: { method?: string; body?: unknown; headers?: Record<string, string>; rawBody?: string } = {},
): Promise<JsonResponse<T>> {
  const headers: Record<string, string> = { ...init.headers };
  let body: string | undefined = init.rawBody;
  if (init.body !== undefined) {
    body = JSON.stringify(init.body);
    headers['content-type'] ??= 'application/json';
  }
  const response = await fetch(url, { method: init.method ?? (body === undefined ? 'GET' : 'POST'), headers, body });
  const text = await response.text();
  let parsed: unknown;
  try {
    parsed = text ? JSON.parse(text) : undefined;
  } catch {
    parsed = undefined;
  }
  return { status: response.status, headers: response.headers, body: parsed as T, text };
}

let counter = 0;
export function uniqueEmail(): string {
  return `user${++counter}.${randomBytes(3).toString('hex')}@example.com`;
}

export const PASSWORD = 'correct horse battery staple';

/** Signs up a fresh user and returns the TokenResponse. */
export async function signup(url: string, email = uniqueEmail(), password = PASSWORD, name = 'Test User') {
  const res = await request(`${url}/auth/signup`, { body: { email, password, name } });
  if (res.status !== 201) throw new Error(`signup failed: ${res.status} ${res.text}`);
  return { ...res.body, email, password } as {
    access_token: string;
    refresh_token: string;
    expires_in: number;
    expires_at: number;
    token_type: string;
    user: { id: string; email: string; name: string | null; roles: string[]; email_verified: boolean };
    email: string;
    password: string;
  };
}

export function expectProblem(res: JsonResponse, status: number, code: string): void {
  if (
    res.status !== status ||
    res.headers.get('content-type')?.startsWith('application/problem+json') !== true ||
    res.body?.code !== code
  ) {
    throw new Error(`expected ${status} ${code} problem+json, got ${res.status} ${res.headers.get('content-type')} ${res.text}`);
  }
}
