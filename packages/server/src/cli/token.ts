import { Command } from 'commander';
import { importJWK, type JWK } from 'jose';
import type { Config } from '../config.ts';
import type { AuthServer } from '../server.ts';
import { CliError, EXIT, issuerFor, loadCliConfig, withAuthServer } from './context.ts';
import { formatDate, print, printJson } from './output.ts';
import { inspectToken, type Inspection, type KeyLookup } from './token-checks.ts';

const ASYMMETRIC = ['RS256', 'ES256', 'EdDSA'];
const SYMBOL = { pass: '✓', fail: '✗', skip: '–' } as const;

interface InspectCliOptions {
  issuer?: string;
  jwksUri?: string;
  audience?: string;
  at?: string;
  clockTolerance: string;
  json?: boolean;
}

async function readToken(argument: string): Promise<string> {
  let raw = argument;
  if (argument === '-') {
    const chunks: Buffer[] = [];
    for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
    raw = Buffer.concat(chunks).toString('utf8');
  }
  return raw.trim().replace(/^Bearer\s+/i, '');
}

function parseInstant(value: string | undefined): Date {
  if (value === undefined) return new Date();
  const date = /^\d+$/.test(value) ? new Date(Number(value) * 1000) : new Date(value);
  if (Number.isNaN(date.getTime())) throw new CliError(`--at: not a date: ${value} (ISO 8601 or seconds since the epoch)`, EXIT.usage);
  return date;
}

/** Keys from this server's storage: says why a kid is unknown (revoked, no longer published...). */
function localKeys(server: AuthServer): (kid: string, alg: string) => Promise<KeyLookup> {
  return async (kid, alg) => {
    const info = (await server.keys.list()).find((k) => k.kid === kid);
    if (!info) return { error: 'not a key of this server (unknown kid; or a deleted, long-retired key)' };
    if (info.state === 'revoked') return { error: `revoked at ${formatDate(info.revokedAt)}` };
    if (info.alg !== alg) return { error: `the key is ${info.alg}, the token header says ${alg}` };
    const key = await server.keys.verificationKey(kid, alg);
    if (!key) return { error: `${info.state}, no longer published (since ${formatDate(info.publishedUntil)})` };
    return {
      key,
      detail: server.keys.mode === 'shared-secret' ? 'the HS256 shared secret' : `${info.alg}, ${info.state}, from this server's storage`,
    };
  };
}

async function fetchJson(url: string, what: string): Promise<Record<string, unknown>> {
  let response: Response;
  try {
    response = await fetch(url, { signal: AbortSignal.timeout(10_000), headers: { accept: 'application/json' } });
  } catch (error) {
    throw new CliError(
      `Could not fetch the ${what} from ${url}: ${(error as Error).cause instanceof Error ? ((error as Error).cause as Error).message : (error as Error).message}`,
    );
  }
  if (!response.ok) throw new CliError(`Could not fetch the ${what} from ${url}: HTTP ${response.status}`);
  try {
    return (await response.json()) as Record<string, unknown>;
  } catch {
    throw new CliError(`The ${what} at ${url} is not JSON`);
  }
}

/** Keys of a remote server, from its JWKS (found through discovery when only the issuer is given). */
async function remoteKeys(
  issuer: string | undefined,
  jwksUri: string | undefined,
): Promise<{ source: string; resolve: (kid: string, alg: string) => Promise<KeyLookup> }> {
  let uri = jwksUri;
  if (!uri) {
    const discovery = await fetchJson(`${issuer!.replace(/\/+$/, '')}/.well-known/openid-configuration`, 'discovery document');
    if (typeof discovery.jwks_uri !== 'string') throw new CliError(`The discovery document of ${issuer} has no jwks_uri`);
    uri = discovery.jwks_uri;
  }
  const jwks = await fetchJson(uri, 'JWKS');
  const keys = Array.isArray(jwks.keys) ? (jwks.keys as JWK[]) : [];
  return {
    source: `JWKS ${uri}`,
    resolve: async (kid, alg) => {
      const jwk = keys.find((k) => k.kid === kid);
      if (!jwk) return { error: `not in the JWKS at ${uri} (unknown, revoked, or no longer published)` };
      if (jwk.alg && jwk.alg !== alg) return { error: `the key is ${jwk.alg}, the token header says ${alg}` };
      try {
        return { key: (await importJWK(jwk, alg)) as CryptoKey, detail: `${alg}, published in the JWKS` };
      } catch (error) {
        return { error: `the published key cannot be used with ${alg}: ${(error as Error).message}` };
      }
    },
  };
}

function printInspection(result: Inspection, source: string): void {
  if (result.header) print(`Header\n${JSON.stringify(result.header, null, 2)}`);
  if (result.payload) print(`Payload\n${JSON.stringify(result.payload, null, 2)}`);
  print(`Checks (keys: ${source})`);
  const width = Math.max(...result.checks.map((c) => c.name.length));
  for (const check of result.checks) print(`  ${SYMBOL[check.status]} ${check.name.padEnd(width)}  ${check.detail}`);
  const failed = result.checks.filter((c) => c.status === 'fail').map((c) => c.name);
  if (result.valid)
    print(result.checks.some((c) => c.status === 'skip') ? 'Valid (see the checks not run above).' : 'Valid: every check passed.');
  else print(`Invalid: ${failed.length ? `${failed.join(', ')} failed` : 'the signature could not be checked'}.`);
}

/** `sigil token inspect <jwt>`. */
export function tokenCommand(): Command {
  const token = new Command('token').description('inspect access tokens');

  token
    .command('inspect')
    .description('decode an access token (header and payload, never the signature) and verify it check by check')
    .argument('<jwt>', 'the access token, or - to read it from standard input')
    .option('--issuer <url>', 'verify against a remote server: its discovery document gives the JWKS; also the expected iss')
    .option('--jwks-uri <url>', 'verify against this JWKS instead of the configured storage')
    .option('--audience <aud>', 'expected aud (default: SIGIL_AUDIENCE, or sigil)')
    .option('--at <time>', 'check exp, nbf and iat at this instant (ISO 8601 or epoch seconds) instead of now')
    .option('--clock-tolerance <seconds>', 'leeway for exp, nbf and iat', '0')
    .option('--json', 'print the result as JSON')
    .addHelpText(
      'after',
      '\nWithout --issuer or --jwks-uri the keys come from the storage the configuration points at (SIGIL_DATA_DIR or DATABASE_URL).\nExit status: 0 when the token is valid, 1 when a check fails, 2 on bad usage.',
    )
    .action(async (argument: string, options: InspectCliOptions) => {
      const jwt = await readToken(argument);
      if (!jwt) throw new CliError('No token given', EXIT.usage);
      const now = parseInstant(options.at);
      const clockTolerance = Number(options.clockTolerance);
      if (!Number.isInteger(clockTolerance) || clockTolerance < 0)
        throw new CliError('--clock-tolerance: expected a whole number of seconds', EXIT.usage);
      for (const [flag, value] of [
        ['--issuer', options.issuer],
        ['--jwks-uri', options.jwksUri],
      ] as const) {
        if (value !== undefined && !URL.canParse(value)) throw new CliError(`${flag}: not a URL: ${value}`, EXIT.usage);
      }

      const env = process.env;
      const config = loadCliConfig(env, { logLevel: (env.LOG_LEVEL || 'error') as Config['logLevel'], redisUrl: undefined });
      const audience = options.audience ?? config.audience;
      const run = async (
        source: string,
        resolveKey: (kid: string, alg: string) => Promise<KeyLookup>,
        allowedAlgorithms: string[],
        issuer: string | undefined,
        issuerHint: string,
      ) => {
        const result = await inspectToken(jwt, { allowedAlgorithms, issuer, issuerHint, audience, now, clockTolerance, resolveKey });
        if (options.json)
          printJson({
            valid: result.valid,
            keys: source,
            header: result.header ?? null,
            payload: result.payload ?? null,
            checks: result.checks,
          });
        else printInspection(result, source);
        if (!result.valid) process.exitCode = EXIT.failure;
      };

      if (options.issuer !== undefined || options.jwksUri !== undefined) {
        const remote = await remoteKeys(options.issuer, options.jwksUri);
        const issuer = options.issuer?.replace(/\/+$/, '') ?? issuerFor(config, env);
        await run(remote.source, remote.resolve, ASYMMETRIC, issuer, options.issuer ? '--issuer' : 'SIGIL_ISSUER, or pass --issuer');
        return;
      }
      await withAuthServer(async (server) => {
        const source =
          server.keys.mode === 'shared-secret'
            ? 'SIGIL_HS256_SECRET'
            : server.db.kind === 'pglite'
              ? `embedded database ${config.dataDir}`
              : 'PostgreSQL (DATABASE_URL)';
        const allowed = server.config.alg === 'HS256' ? ['HS256'] : ASYMMETRIC;
        await run(source, localKeys(server), allowed, issuerFor(config, env), 'SIGIL_ISSUER; or --issuer URL to ask a running server');
      });
    });

  return token;
}
