import { Command } from 'commander';
import { explainToken, type Algorithm, type TokenExplanation } from '@sigil/express';
import type { Config } from '../config.ts';
import type { AuthServer } from '../server.ts';
import { CliError, EXIT, issuerFor, loadCliConfig, withAuthServer } from './context.ts';
import { formatDate, print, printJson, relative } from './output.ts';

const ASYMMETRIC: Algorithm[] = ['RS256', 'ES256', 'EdDSA'];
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

/** Why this server's storage has no usable key for `kid` (revoked, no longer published...): the "kid known" detail. */
async function whyKeyUnknown(server: AuthServer, kid: string | undefined, alg: unknown): Promise<string> {
  const info = (await server.keys.list()).find((k) => k.kid === kid);
  if (!info) return 'not a key of this server (unknown kid; or a deleted, long-retired key)';
  if (info.state === 'revoked') return `revoked at ${formatDate(info.revokedAt)}`;
  if (info.alg !== alg) return `the key is ${info.alg}, the token header says ${String(alg)}`;
  return `${info.state}, no longer published (since ${formatDate(info.publishedUntil)})`;
}

function printInspection(result: TokenExplanation, source: string, at: Date): void {
  if (result.header) print(`Header\n${JSON.stringify(result.header, null, 2)}`);
  if (result.payload) print(`Payload\n${JSON.stringify(result.payload, null, 2)}`);
  const signedIn = signInSummary(result.payload, at);
  if (signedIn) print(`Signed in: ${signedIn}`);
  print(`Checks (keys: ${source})`);
  const width = Math.max(...result.checks.map((c) => c.name.length));
  for (const check of result.checks) {
    const ago = check.instant === undefined ? '' : ` (${relative(new Date(check.instant * 1000), at)})`;
    print(`  ${SYMBOL[check.status]} ${check.name.padEnd(width)}  ${check.detail}${ago}`);
  }
  const failed = result.checks.filter((c) => c.status === 'fail').map((c) => c.name);
  if (result.valid)
    print(result.checks.some((c) => c.status === 'skip') ? 'Valid (see the checks not run above).' : 'Valid: every check passed.');
  else print(`Invalid: ${failed.length ? `${failed.join(', ')} failed` : 'the signature could not be checked'}.`);
}

/**
 * How and when the user signed in, from `amr` and `auth_time` (what `requireAuthLevel` checks), e.g.
 * `pwd, otp, mfa at 2026-11-25 16:40:00Z (3 min ago)`; undefined when the token says neither.
 */
function signInSummary(payload: Record<string, unknown> | undefined, at: Date): string | undefined {
  const { amr, auth_time: authTime } = payload ?? {};
  const methods = Array.isArray(amr) ? amr.map(String).join(', ') || '(no methods)' : undefined;
  const instant = typeof authTime === 'number' && Number.isFinite(authTime) ? new Date(authTime * 1000) : undefined;
  if (methods === undefined && instant === undefined) return undefined;
  const when = instant && `at ${formatDate(instant)} (${relative(instant, at)})`;
  return [methods ?? '(amr not given)', when].filter(Boolean).join(' ');
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
      const base = { audience: options.audience ?? config.audience, at: now.getTime(), clockTolerance };
      const report = (result: TokenExplanation, source: string) => {
        if (options.json)
          printJson({
            valid: result.valid,
            keys: source,
            header: result.header ?? null,
            payload: result.payload ?? null,
            checks: result.checks,
          });
        else printInspection(result, source, now);
        if (!result.valid) process.exitCode = EXIT.failure;
      };

      if (options.issuer !== undefined || options.jwksUri !== undefined) {
        const issuer = options.issuer?.replace(/\/+$/, '') ?? issuerFor(config, env);
        const result = await explainToken(jwt, {
          ...base,
          ...(issuer ? { issuer } : {}),
          ...(options.jwksUri ? { jwksUri: options.jwksUri } : {}),
          algorithms: ASYMMETRIC,
          jwks: { timeout: 10_000 },
        });
        if (result.checks.some((c) => c.reason === 'jwks_unavailable')) {
          throw new CliError(
            `Could not fetch the JWKS ${options.jwksUri ? `from ${options.jwksUri}` : `of ${options.issuer} (through its discovery document)`}`,
          );
        }
        report(result, options.jwksUri ? `JWKS ${options.jwksUri}` : `JWKS of ${issuer} (discovery)`);
        return;
      }
      await withAuthServer(async (server) => {
        const sharedSecret = server.keys.mode === 'shared-secret';
        const source = sharedSecret
          ? 'SIGIL_HS256_SECRET'
          : !config.databaseUrl
            ? `embedded database ${config.dataDir}`
            : 'PostgreSQL (DATABASE_URL)';
        const issuer = issuerFor(config, env);
        const result = await explainToken(jwt, {
          ...base,
          ...(issuer ? { issuer } : {}),
          ...(sharedSecret ? { secret: config.hs256Secret! } : { keys: { jwks: () => server.keys.publicKeySet() } }),
          algorithms: sharedSecret ? ['HS256'] : ASYMMETRIC,
        });
        const kidCheck = result.checks.find((c) => c.name === 'kid known');
        if (kidCheck?.status === 'fail') {
          const kid = typeof result.header?.kid === 'string' ? result.header.kid : undefined;
          kidCheck.detail = `${kid ?? '(no kid)'}: ${await whyKeyUnknown(server, kid, result.header?.alg)}`;
        }
        if (!issuer) {
          const iss = result.checks.find((c) => c.name === 'iss');
          if (iss?.status === 'skip') iss.detail += ' (set SIGIL_ISSUER; or --issuer URL to ask a running server)';
        }
        report(result, source);
      });
    });

  return token;
}
