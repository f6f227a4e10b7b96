/**
 * The options of `requireAuth`, `createVerifier` and `createSigil`: the public interface and its
 * one-time resolution into a frozen object. Every default is applied with `??` (an explicit
 * `undefined` keeps the default) and every bad value throws a `TypeError` here, at setup, never
 * per request.
 */
import { ALGORITHMS, isAlgorithm, isSymmetric, type Algorithm } from './algorithms.ts';

/**
 * Where diagnostics go. Pino-compatible (`logger.warn(data, message)`); `console` works too.
 * Never receives a token.
 */
export interface SigilLogger {
  warn(data: Record<string, unknown>, message: string): void;
  debug?(data: Record<string, unknown>, message: string): void;
}

/** Remote key set tuning (ignored in shared-secret mode). */
export interface JwksOptions {
  /**
   * Minimum time between two fetches of the key set, in ms: a flood of tokens with unknown
   * `kid`s costs at most one fetch per cooldown.
   * @default 10_000
   */
  cooldown?: number;
  /** Abort a key set or discovery fetch after this many ms. @default 5_000 */
  timeout?: number;
  /** How long keys stay fresh when the response has no `Cache-Control: max-age`, in ms. @default 600_000 */
  cacheMaxAge?: number;
  /** Upper bound on a server's `max-age`, in ms. @default 86_400_000 (one day) */
  maxCacheMaxAge?: number;
}

/** A JWKS document (RFC 7517 section 5). */
export interface JsonWebKeySet {
  keys: readonly unknown[];
}

/**
 * A key set held in this process instead of fetched: an auth server verifying its own tokens,
 * or keys from a secret store.
 *
 * @example
 * requireAuth({ issuer, audience, keys: { jwks: () => myKeySet } })
 */
export interface LocalKeySet {
  /**
   * The current key set, read on every check. Return the same object while it is unchanged: a
   * new object is imported anew, and tokens cached under keys it no longer has are dropped.
   */
  jwks(): JsonWebKeySet;
  /**
   * Called when a token names an unknown `kid` (at most once per `jwks.cooldown`), e.g. to load
   * keys another instance has just created. The key set is read again afterwards.
   */
  reload?(kid: string | undefined): Promise<void>;
}

/** Verified-token cache tuning. */
export interface TokenCacheOptions {
  /** Most tokens kept; the least recently used go first. @default 1_000 */
  maxEntries?: number;
}

/**
 * Options of `requireAuth` (and, minus the HTTP ones, of `createVerifier`).
 *
 * @example
 * requireAuth({ issuer: 'https://auth.example.com', audience: 'lessons-api' })
 */
export interface RequireAuthOptions {
  /** Expected `iss`; also where the discovery document is read when no key source is given. */
  issuer: string;
  /** Accepted `aud` value(s): the token must carry at least one of them. */
  audience: string | readonly string[];
  /** Key set URL. @default `jwks_uri` of `${issuer}/.well-known/openid-configuration` */
  jwksUri?: string;
  /** Shared HS256/384/512 secret (at least 32 bytes) instead of a key set. */
  secret?: string | Uint8Array;
  /** A key set held in this process instead of a URL. */
  keys?: LocalKeySet;
  /**
   * Accepted `alg` values; never taken from the token alone.
   * @default ['RS256', 'ES256', 'EdDSA'] (or ['HS256'] with `secret`)
   */
  algorithms?: readonly Algorithm[];
  /** Seconds of clock skew accepted on `exp`, `nbf` and `iat`. @default 5 */
  clockTolerance?: number;
  /** Also read the token from this cookie when no `Authorization` header is sent. @default none */
  cookie?: string;
  /**
   * Required `typ` header (compared case-insensitively, `application/` prefix optional), or
   * `false` to accept any `typ` (for issuers that do not follow RFC 9068).
   * @default 'at+jwt'
   */
  typ?: string | false;
  /** `false` lets requests without a token through with `req.auth` unset. @default true */
  credentialsRequired?: boolean;
  /** Verified-token cache; `false` turns it off (each request checks a signature). @default { maxEntries: 1_000 } */
  tokenCache?: boolean | TokenCacheOptions;
  /** Longest token accepted, in characters. @default 8_192 */
  maxTokenLength?: number;
  /**
   * Check the signatures of tokens not in the cache (RSA, ECDSA, EdDSA; HMAC is too cheap to be
   * worth it) on libuv's thread pool instead of the event loop: the loop keeps serving other
   * requests and several cores verify at once. Each such check pays a thread hand-off, so
   * one-at-a-time callers are faster without it.
   * @default `requireAuth`: true when the machine has more than one core; `createVerifier`: false
   */
  offloadSignatures?: boolean;
  /** `realm` of the `WWW-Authenticate` challenge. @default 'sigil' */
  realm?: string;
  /**
   * `'respond'` sends the 401/403 problem+json itself; `'next'` passes the error to `next(err)`
   * for the app's error handler (see `sigilErrorHandler`).
   * @default 'respond'
   */
  onError?: 'respond' | 'next';
  jwks?: JwksOptions;
  /** Diagnostics (key set failures, unknown `kid`s). @default silent */
  logger?: SigilLogger;
  /** The current time in epoch ms, for tests and servers with a clock of their own. @default Date.now */
  clock?: () => number;
}

/** Where the verification keys come from. */
export type ResolvedKeySource =
  | { readonly kind: 'secret'; readonly secret: Buffer }
  | { readonly kind: 'remote'; readonly jwksUri: string | undefined; readonly discoveryUri: string | undefined }
  | { readonly kind: 'local'; readonly keys: LocalKeySet };

/** The options after validation and defaults. */
export interface ResolvedOptions {
  readonly issuer: string;
  readonly audiences: readonly string[];
  readonly keySource: ResolvedKeySource;
  readonly algorithms: ReadonlySet<Algorithm>;
  readonly clockToleranceMs: number;
  readonly cookie: string | undefined;
  readonly typ: string | false;
  readonly credentialsRequired: boolean;
  readonly tokenCacheMaxEntries: number;
  readonly maxTokenLength: number;
  readonly offloadSignatures: boolean;
  readonly realm: string;
  readonly onError: 'respond' | 'next';
  readonly jwks: Readonly<Required<JwksOptions>>;
  readonly logger: SigilLogger;
  readonly clock: () => number;
}

const SILENT: SigilLogger = Object.freeze({ warn() {}, debug() {} });
const DEFAULT_ASYMMETRIC: readonly Algorithm[] = ['RS256', 'ES256', 'EdDSA'];

/** What differs between the entry points: the name in error messages, and a default. */
export interface ResolveContext {
  /** The function being set up, named in every `TypeError`. */
  readonly caller: string;
  readonly offloadSignatures: boolean;
}

/**
 * Validates `options` once and returns them frozen with defaults applied.
 *
 * @example
 * resolveOptions({ issuer, audience: 'api' }, { caller: 'requireAuth', offloadSignatures: true });
 */
export function resolveOptions(
  options: RequireAuthOptions,
  context: ResolveContext = { caller: 'createVerifier', offloadSignatures: false },
): ResolvedOptions {
  const check = checker(context.caller);
  if (typeof options !== 'object' || options === null) throw check.error('options must be an object');
  const issuer = check.nonEmptyString(options.issuer, 'issuer');
  const audiences = typeof options.audience === 'string' ? [options.audience] : options.audience;
  if (!Array.isArray(audiences) || audiences.length === 0 || !audiences.every((a) => typeof a === 'string' && a !== '')) {
    throw check.error('audience must be a non-empty string or array of strings');
  }

  const keySource = resolveKeySource(options, issuer, check);
  const secret = keySource.kind === 'secret';
  const algorithms = options.algorithms ?? (secret ? ['HS256' as const] : DEFAULT_ASYMMETRIC);
  if (!Array.isArray(algorithms) || algorithms.length === 0) throw check.error('algorithms must be a non-empty array');
  for (const alg of algorithms) {
    if (!isAlgorithm(alg))
      throw check.error(`unsupported algorithm ${JSON.stringify(alg)} (supported: ${Object.keys(ALGORITHMS).join(', ')})`);
    // Mixing HMAC with public keys is how algorithm-confusion attacks work: refuse it outright.
    if (isSymmetric(alg) !== secret) {
      throw check.error(
        secret
          ? `with secret only HS256/HS384/HS512 are allowed, not ${alg}`
          : `${alg} needs a secret; a key set only verifies asymmetric algorithms`,
      );
    }
  }

  const cache = options.tokenCache ?? true;
  let tokenCacheMaxEntries = 0;
  if (cache === true) tokenCacheMaxEntries = 1_000;
  else if (typeof cache === 'object' && cache !== null)
    tokenCacheMaxEntries = check.positiveInt(cache.maxEntries ?? 1_000, 'tokenCache.maxEntries');
  else if (cache !== false) throw check.error('tokenCache must be a boolean or { maxEntries }');

  const typ = options.typ ?? 'at+jwt';
  if (typ !== false && (typeof typ !== 'string' || typ === '')) throw check.error('typ must be a non-empty string or false');

  const onError = options.onError ?? 'respond';
  if (onError !== 'respond' && onError !== 'next') throw check.error("onError must be 'respond' or 'next'");
  const logger = options.logger ?? SILENT;
  if (typeof logger.warn !== 'function') throw check.error('logger must have a warn(data, message) method');
  const realm = check.realm(options.realm ?? 'sigil');
  const cookie = options.cookie === undefined ? undefined : check.nonEmptyString(options.cookie, 'cookie');
  const clock = options.clock ?? Date.now;
  if (typeof clock !== 'function') throw check.error('clock must be a function returning epoch milliseconds');

  const jwks = options.jwks ?? {};
  return Object.freeze({
    issuer,
    audiences: Object.freeze([...audiences]),
    keySource,
    algorithms: new Set(algorithms),
    clockToleranceMs: check.nonNegative(options.clockTolerance ?? 5, 'clockTolerance') * 1000,
    cookie,
    typ: typ === false ? false : normaliseTyp(typ),
    credentialsRequired: check.bool(options.credentialsRequired ?? true, 'credentialsRequired'),
    tokenCacheMaxEntries,
    maxTokenLength: check.positiveInt(options.maxTokenLength ?? 8_192, 'maxTokenLength'),
    // Pointless without asymmetric keys: HMAC costs less than the hand-off.
    offloadSignatures: !secret && check.bool(options.offloadSignatures ?? context.offloadSignatures, 'offloadSignatures'),
    realm,
    onError,
    jwks: Object.freeze({
      cooldown: check.nonNegative(jwks.cooldown ?? 10_000, 'jwks.cooldown'),
      timeout: check.positiveInt(jwks.timeout ?? 5_000, 'jwks.timeout'),
      cacheMaxAge: check.nonNegative(jwks.cacheMaxAge ?? 600_000, 'jwks.cacheMaxAge'),
      maxCacheMaxAge: check.nonNegative(jwks.maxCacheMaxAge ?? 86_400_000, 'jwks.maxCacheMaxAge'),
    }),
    logger,
    clock,
  });
}

function resolveKeySource(options: RequireAuthOptions, issuer: string, check: Checker): ResolvedKeySource {
  const given = (['secret', 'jwksUri', 'keys'] as const).filter((name) => options[name] !== undefined);
  if (given.length > 1) throw check.error(`give one of secret, jwksUri or keys, not ${given.join(' and ')}`);
  if (options.secret !== undefined) return { kind: 'secret', secret: toSecret(options.secret, check) };
  if (options.keys !== undefined) {
    const keys: LocalKeySet = options.keys;
    if (typeof keys?.jwks !== 'function' || (keys.reload !== undefined && typeof keys.reload !== 'function')) {
      throw check.error('keys must be { jwks(): JsonWebKeySet, reload?(kid): Promise<void> }');
    }
    return { kind: 'local', keys };
  }
  if (options.jwksUri !== undefined) return { kind: 'remote', jwksUri: check.httpUrl(options.jwksUri, 'jwksUri'), discoveryUri: undefined };
  const base = check.httpUrl(issuer, 'issuer (used for discovery when jwksUri is absent)').replace(/\/+$/, '');
  return { kind: 'remote', jwksUri: undefined, discoveryUri: `${base}/.well-known/openid-configuration` };
}

/** `typ` values compare case-insensitively and without the optional `application/` prefix (RFC 7515 4.1.9). */
export function normaliseTyp(typ: string): string {
  const lower = typ.toLowerCase();
  return lower.startsWith('application/') ? lower.slice(12) : lower;
}

function toSecret(secret: string | Uint8Array, check: Checker): Buffer {
  const bytes = typeof secret === 'string' ? Buffer.from(secret, 'utf8') : secret instanceof Uint8Array ? Buffer.from(secret) : undefined;
  if (!bytes) throw check.error('secret must be a string or Uint8Array');
  // RFC 7518 3.2: an HMAC key must be at least as long as the hash output.
  if (bytes.length < 32) throw check.error('secret must be at least 32 bytes');
  return bytes;
}

type Checker = ReturnType<typeof checker>;

/** Validators that name the option, and the function it was given to, in their `TypeError`. */
export function checker(caller: string) {
  const fail = (message: string): never => {
    throw new TypeError(`${caller}: ${message}`);
  };
  const nonEmptyString = (value: unknown, name: string): string => {
    if (typeof value !== 'string' || value === '') fail(`${name} must be a non-empty string`);
    return value as string;
  };
  return {
    /** The `TypeError` to throw for a bad option. */
    error: (message: string) => new TypeError(`${caller}: ${message}`),
    nonEmptyString,
    httpUrl(value: unknown, name: string): string {
      const text = nonEmptyString(value, name);
      const url = URL.canParse(text) ? new URL(text) : undefined;
      if (!url) fail(`${name} must be an absolute http(s) URL`);
      if (url!.protocol !== 'https:' && url!.protocol !== 'http:') fail(`${name} must be an http(s) URL`);
      return text;
    },
    positiveInt(value: unknown, name: string): number {
      if (typeof value !== 'number' || !Number.isInteger(value) || value <= 0) fail(`${name} must be a positive integer`);
      return value as number;
    },
    nonNegative(value: unknown, name: string): number {
      if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) fail(`${name} must be a non-negative number`);
      return value as number;
    },
    bool(value: unknown, name: string): boolean {
      if (typeof value !== 'boolean') fail(`${name} must be a boolean`);
      return value as boolean;
    },
    realm(value: unknown): string {
      if (typeof value !== 'string' || /["\\\r\n]/.test(value)) fail('realm must be a string without quotes, backslashes or newlines');
      return value as string;
    },
  };
}
