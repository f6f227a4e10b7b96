/**
 * Benchmark 9: the OAuth token endpoint. Code exchanges and refresh grants per second of Sigil's
 * `/oauth/token` (servers/oauth-sigil.ts, in-memory PGlite) against panva's oidc-provider
 * (servers/oidc-provider.ts, its default in-memory adapter), both set up alike: RS256 with a
 * 2048-bit key, a public client (`token_endpoint_auth_method: none`), PKCE S256, an ID token and a
 * JWT access token (`at+jwt`) for the same audience with every grant, refresh tokens rotated at
 * every use. Each runs in a child process of its own; the relying party (bench/lib/oauth-flow.ts)
 * is the same code for both, configured from each provider's discovery document.
 *
 * A round, for each provider in turn (the order alternates between rounds): `codesPerRound`
 * authorizations over HTTP (the authorization request, the provider's sign-in, the redirect with
 * the code), untimed; then those codes exchanged, timed; then the refresh tokens those exchanges
 * returned rotated once each, timed. Codes live 60 s at both, so each round prepares its own.
 * Requests run `concurrency` at a time, and every answer must be a 200 with the tokens, or the
 * run fails.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { startChild, type ChildServer } from './lib/child.ts';
import { median, medianInterval } from './lib/measure.ts';
import {
  authorize,
  discover,
  exchangeCode,
  OAUTH_BENCH_AUDIENCE,
  OAUTH_BENCH_CLIENT,
  OAUTH_BENCH_PASSWORD,
  oauthBenchEmail,
  peekJwt,
  refreshGrant,
  type Discovered,
  type TokenSet,
} from './lib/oauth-flow.ts';

export interface OAuthBenchOptions {
  /** Codes of one untimed round per provider first, so the timed rounds find both warm. */
  warmupCodes: number;
  rounds: number;
  /** Codes prepared, exchanged and then refreshed per provider and round. */
  codesPerRound: number;
  /** Requests in flight at once, in the timed part and while preparing. */
  concurrency: number;
  /** Accounts signed in in turn. */
  users: number;
}

export const OAUTH_PROVIDERS = ['sigil', 'oidc-provider'] as const;
export type OAuthProvider = (typeof OAUTH_PROVIDERS)[number];

/** What the provider issued, read from its first exchange: the proof both sides are set up alike. */
export interface IssuedTokens {
  accessTokenTyp: unknown;
  accessTokenAlg: unknown;
  accessTokenAud: unknown;
  idTokenAlg: unknown;
  /** Of the key that signed the access token, from the provider's JWKS. */
  modulusBits: number;
}

export interface OAuthProviderResult {
  provider: OAuthProvider;
  label: string;
  /** Per round, in round order. */
  exchangesPerSec: number[];
  refreshesPerSec: number[];
  issued: IssuedTokens;
}

export interface OAuthResult {
  options: OAuthBenchOptions;
  oidcProviderVersion: string;
  /** How each side stores its codes, grants and tokens. */
  storage: Record<OAuthProvider, string>;
  providers: OAuthProviderResult[];
}

export const OAUTH_LABELS: Record<OAuthProvider, string> = {
  sigil: 'Sigil /oauth/token',
  'oidc-provider': 'oidc-provider /token',
};

export const OAUTH_STORAGE: Record<OAuthProvider, string> = {
  sigil: 'PGlite in memory (`memory://`), the bench default',
  'oidc-provider': 'its default in-memory adapter',
};

const CHILDREN: Record<OAuthProvider, string> = { sigil: 'oauth-sigil.ts', 'oidc-provider': 'oidc-provider.ts' };

function oidcProviderVersion(): string {
  const entry = createRequire(import.meta.url).resolve('oidc-provider');
  const manifest = join(dirname(entry), '..', 'package.json');
  return (JSON.parse(readFileSync(manifest, 'utf8')) as { version: string }).version;
}

/** Runs `task(0..count-1)`, `concurrency` at a time; its results in order, and tasks per second. */
async function inParallel<T>(
  count: number,
  concurrency: number,
  task: (i: number) => Promise<T>,
): Promise<{ results: T[]; perSec: number }> {
  const results = new Array<T>(count);
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: Math.min(concurrency, count) }, async () => {
      while (next < count) {
        const i = next++;
        results[i] = await task(i);
      }
    }),
  );
  return { results, perSec: (count * 1000) / (performance.now() - started) };
}

async function modulusBits(rp: Discovered, kid: unknown): Promise<number> {
  const response = await fetch(rp.jwksUri);
  const { keys } = (await response.json()) as { keys: { kid?: string; n?: string }[] };
  const key = keys.find((k) => k.kid === kid);
  if (!key?.n) throw new Error(`${rp.issuer}: no RSA key ${String(kid)} in its JWKS`);
  return Buffer.from(key.n, 'base64url').length * 8;
}

async function issuedTokens(rp: Discovered, tokens: TokenSet): Promise<IssuedTokens> {
  const access = peekJwt(tokens.accessToken);
  if (!tokens.idToken) throw new Error(`${rp.issuer}: the code exchange returned no id_token`);
  const issued = {
    accessTokenTyp: access.header['typ'],
    accessTokenAlg: access.header['alg'],
    accessTokenAud: access.claims['aud'],
    idTokenAlg: peekJwt(tokens.idToken).header['alg'],
    modulusBits: await modulusBits(rp, access.header['kid']),
  };
  const audiences = Array.isArray(issued.accessTokenAud) ? issued.accessTokenAud : [issued.accessTokenAud];
  if (issued.accessTokenAlg !== 'RS256' || issued.idTokenAlg !== 'RS256' || issued.modulusBits !== 2048)
    throw new Error(`${rp.issuer}: expected RS256 with a 2048-bit key, got ${JSON.stringify(issued)}`);
  if (!audiences.includes(OAUTH_BENCH_AUDIENCE))
    throw new Error(`${rp.issuer}: an access token for ${JSON.stringify(issued.accessTokenAud)}`);
  return issued;
}

interface Round {
  exchangesPerSec: number;
  refreshesPerSec: number;
  first: TokenSet;
}

async function round(rp: Discovered, options: OAuthBenchOptions, count = options.codesPerRound): Promise<Round> {
  const client = OAUTH_BENCH_CLIENT;
  const { concurrency } = options;
  const codes = await inParallel(count, concurrency, (i) =>
    authorize(rp, client, { email: oauthBenchEmail(i % options.users), password: OAUTH_BENCH_PASSWORD }),
  );
  const exchanged = await inParallel(count, concurrency, (i) => exchangeCode(rp, client, codes.results[i]!));
  const refreshed = await inParallel(count, concurrency, (i) => refreshGrant(rp, client, exchanged.results[i]!.refreshToken));
  return { exchangesPerSec: exchanged.perSec, refreshesPerSec: refreshed.perSec, first: exchanged.results[0]! };
}

const perSec = (n: number) => `${n.toFixed(0)}/s`;

export async function runOAuth(options: OAuthBenchOptions, log: (line: string) => void): Promise<OAuthResult> {
  const servers = new Map<OAuthProvider, ChildServer>();
  try {
    for (const provider of OAUTH_PROVIDERS)
      servers.set(provider, await startChild(CHILDREN[provider], { users: options.users }, { timeoutMs: 120_000 }));
    const rps = new Map<OAuthProvider, Discovered>();
    for (const provider of OAUTH_PROVIDERS) rps.set(provider, await discover(servers.get(provider)!.url));

    for (const provider of OAUTH_PROVIDERS) await round(rps.get(provider)!, options, options.warmupCodes);

    const results = new Map<OAuthProvider, OAuthProviderResult>();
    for (let r = 0; r < options.rounds; r++) {
      // Alternate who goes first, so a drift of the machine's speed within a round favours neither.
      const order = r % 2 === 0 ? OAUTH_PROVIDERS : [...OAUTH_PROVIDERS].reverse();
      for (const provider of order) {
        const rp = rps.get(provider)!;
        const measured = await round(rp, options);
        let result = results.get(provider);
        if (!result) {
          result = {
            provider,
            label: OAUTH_LABELS[provider],
            exchangesPerSec: [],
            refreshesPerSec: [],
            issued: await issuedTokens(rp, measured.first),
          };
          results.set(provider, result);
        }
        result.exchangesPerSec.push(measured.exchangesPerSec);
        result.refreshesPerSec.push(measured.refreshesPerSec);
        log(
          `oauth round ${r + 1}/${options.rounds} ${OAUTH_LABELS[provider]}: code exchanges ${perSec(measured.exchangesPerSec)}, refresh grants ${perSec(measured.refreshesPerSec)}`,
        );
      }
    }
    const providers = OAUTH_PROVIDERS.map((provider) => results.get(provider)!);
    for (const p of providers) {
      const ex = medianInterval(p.exchangesPerSec);
      const re = medianInterval(p.refreshesPerSec);
      log(
        `oauth ${p.label}: code exchanges median ${perSec(median(p.exchangesPerSec))} (${perSec(ex.low)}-${perSec(ex.high)}), refresh grants median ${perSec(median(p.refreshesPerSec))} (${perSec(re.low)}-${perSec(re.high)})`,
      );
    }
    return { options, oidcProviderVersion: oidcProviderVersion(), storage: OAUTH_STORAGE, providers };
  } finally {
    for (const server of servers.values()) await server.stop();
  }
}
