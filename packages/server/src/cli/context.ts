import { ConfigError, loadConfigFromEnv, type Config, type ConfigInput } from '../config.ts';
import { SigilError } from '../errors.ts';
import type { AuthServer, AuthServerOptions } from '../server.ts';

/** Exit codes of every `sigil` command. */
export const EXIT = {
  ok: 0,
  /** The command ran and failed (runtime failure, invalid token, no such user...). */
  failure: 1,
  /** Bad usage or configuration: nothing was done. */
  usage: 2,
} as const;

/** A failure the CLI reports as one line on stderr, with its exit code. Never a stack trace. */
export class CliError extends Error {
  readonly exitCode: number;
  constructor(message: string, exitCode: number = EXIT.failure) {
    super(message);
    this.name = 'CliError';
    this.exitCode = exitCode;
  }
}

/**
 * The configuration from the environment; a bad value is a usage error naming the variable.
 * Management commands pass overrides (quieter logs, no Redis).
 */
export function loadCliConfig(env: NodeJS.ProcessEnv, overrides: ConfigInput = {}): Config {
  try {
    return loadConfigFromEnv(env, overrides);
  } catch (error) {
    if (error instanceof ConfigError) throw new CliError(error.message, EXIT.usage);
    throw error;
  }
}

/**
 * The issuer a server started from this environment uses. Without `SIGIL_ISSUER` it is
 * `http://localhost:<PORT>` (`http://localhost:4000` by default, docs/server.md), so a token
 * minted by `sigil serve` and one inspected by `sigil token inspect` agree; on port 0 only the
 * listening address is known, so the server fixes it when it listens.
 */
export function issuerFor(config: Config, env: NodeJS.ProcessEnv): string | undefined {
  if (env.SIGIL_ISSUER) return config.issuer;
  return config.port === 0 ? undefined : `http://localhost:${config.port}`;
}

/** Creates (without listening) the auth server that the configuration describes. */
export async function openAuthServer(
  config: Config,
  env: NodeJS.ProcessEnv,
  extra: Pick<AuthServerOptions, 'logDestination'> = {},
): Promise<AuthServer> {
  const { issuer: _configured, ...rest } = config;
  const issuer = issuerFor(config, env);
  try {
    // Loaded on demand: --help, --version and configuration errors stay fast.
    const { createAuthServer } = await import('../server.ts');
    return await createAuthServer({ ...rest, ...(issuer ? { issuer } : {}), ...extra });
  } catch (error) {
    throw explainOpenError(error, config);
  }
}

/**
 * Runs `fn` with the auth server's storage and keys open (not listening), then closes them.
 * Logs go to stderr at `error` (or `LOG_LEVEL`) so that stdout carries only the command's output.
 */
export async function withAuthServer<T>(fn: (server: AuthServer) => Promise<T>, env: NodeJS.ProcessEnv = process.env): Promise<T> {
  const config = loadCliConfig(env, { logLevel: (env.LOG_LEVEL || 'error') as Config['logLevel'], redisUrl: undefined });
  const server = await openAuthServer(config, env, { logDestination: process.stderr });
  try {
    return await fn(server);
  } finally {
    await server.close(0);
  }
}

/** Turns a failure to open storage into one actionable line. */
function explainOpenError(error: unknown, config: Config): unknown {
  if (error instanceof ConfigError) return new CliError(error.message, EXIT.usage);
  const message = error instanceof Error ? error.message : String(error);
  const locked = /embedded database (.+) is in use by process (\d+)/.exec(message);
  if (locked) {
    return new CliError(
      `The embedded database ${locked[1]} is in use by process ${locked[2]} (a running sigil serve?): stop it, or use DATABASE_URL (PostgreSQL) to manage a running server's data.`,
    );
  }
  if (config.databaseUrl && /ECONNREFUSED|ENOTFOUND|connect|password authentication/i.test(message)) {
    return new CliError(`Cannot connect to the database at DATABASE_URL: ${oneLine(message)}`);
  }
  return error;
}

/** Commander's argument parser for a repeatable option (`--role a --role b`): collects the values in order. */
export function collect(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}

export function oneLine(text: string): string {
  return text.replace(/\s*\n\s*/g, ' ').trim();
}

/** Maps any error to the exit code and the single line the CLI prints for it. */
export function describeError(error: unknown): { exitCode: number; message: string } {
  if (error instanceof CliError) return { exitCode: error.exitCode, message: oneLine(error.message) };
  if (error instanceof ConfigError) return { exitCode: EXIT.usage, message: oneLine(error.message) };
  if (error instanceof SigilError) {
    return { exitCode: error.code === 'invalid_request' ? EXIT.usage : EXIT.failure, message: oneLine(error.message) };
  }
  const message = error instanceof Error ? error.message : String(error);
  return { exitCode: EXIT.failure, message: oneLine(message) || 'unexpected failure' };
}
