/**
 * The auth server as a user runs it: `npx sigil ...` in the folder where @sigil/server was
 * installed from its tarball, on Node 24, with its data in that folder's ./.sigil/data.
 *
 * @example
 * const server = await startServer(dir, node24, { port, issuer, allowedOrigin });
 * const token = await accessToken(issuer, admin);
 */
import { runOk, type RunResult, type Runtime } from './commands.ts';
import { startProcess, type StartedProcess } from './processes.ts';
import type { Credentials } from './run.ts';

export interface ServerSettings {
  port: number;
  issuer: string;
  /** The browser origin allowed by CORS and the cookie checks (the Angular app's). */
  allowedOrigin: string;
}

/** The environment of every `sigil` command of the run. */
export function serverEnv(settings: ServerSettings, extra: Record<string, string> = {}): Record<string, string> {
  return {
    SIGIL_ISSUER: settings.issuer,
    SIGIL_ALLOWED_ORIGINS: settings.allowedOrigin,
    // Every request of the suite comes from 127.0.0.1: real deployments' per-IP limit would
    // throttle the suite itself (the login lockout stays on).
    SIGIL_IP_REQUESTS_PER_MINUTE: '100000',
    LOG_LEVEL: 'warn',
    ...extra,
  };
}

/** `npx sigil <args>`; throws with its output unless it exits 0. */
export function sigil(dir: string, runtime: Runtime, settings: ServerSettings, args: string[], input?: string): Promise<RunResult> {
  return runOk('npx', ['sigil', ...args], { cwd: dir, runtime, env: serverEnv(settings), ...(input === undefined ? {} : { input }) });
}

/** `npx sigil serve --port <port>`, ready once it says where it listens. */
export function startServer(dir: string, runtime: Runtime, settings: ServerSettings): Promise<StartedProcess> {
  return startProcess('npx', ['sigil', 'serve', '--port', String(settings.port)], {
    cwd: dir,
    runtime,
    env: serverEnv(settings),
    ready: /Sigil auth server listening on http:\/\/\S+[\s\S]*\nData: .*\n/,
    // The first start runs initdb for the embedded database: seconds, more on a busy machine.
    timeoutMs: 180_000,
  });
}

/** Signs in over HTTP and returns the access token. */
export async function accessToken(issuer: string, user: Credentials): Promise<string> {
  const response = await fetch(`${issuer}/auth/login`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify(user),
  });
  const body = (await response.json()) as { access_token?: string };
  if (response.status !== 200 || typeof body.access_token !== 'string') {
    throw new Error(`login of ${user.email} at ${issuer} answered ${response.status}: ${JSON.stringify(body)}`);
  }
  return body.access_token;
}

/** `token` with its payload changed (roles admin) and its signature kept: what an attacker sends. */
export function forge(token: string): string {
  const [header, payload, signature] = token.split('.') as [string, string, string];
  const claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as Record<string, unknown>;
  const forged = Buffer.from(JSON.stringify({ ...claims, roles: ['admin'] })).toString('base64url');
  return `${header}.${forged}.${signature}`;
}
