/**
 * `requireAuth` options: the public interface and its one-time resolution into a frozen object.
 * Every default is applied with `??` (an explicit `undefined` keeps the default) and every bad
 * value throws a `TypeError` here, at setup, never per request.
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

/** Verified-token cache tuning. */
export interface TokenCacheOptions {
  /** Most tokens kept; the least recently used go first. @default 1_000 */
  maxEntries?: number;
}

/**
 * Options of {@link requireAuth}.
 *
 * @example
 * requireAuth({ issuer: 'https://auth.example.com', audience: 'lessons-api' })
 */
export interface RequireAuthOptions {
  /** Expected `iss`; also where the discovery document is read when `jwksUri` is absent. */
  issuer: string;
  /** Accepted `aud` value(s): the token must carry at least one of them. */
  audience: string | readonly string[];
  /** Key set URL. @default `jwks_uri` of `${issuer}/.well-known/openid-configuration` */
  jwksUri?: string;
  /** Shared HS256/384/512 secret (at least 32 bytes) instead of a key set. */
  secret?: string | Uint8Array;
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
   * requests and several cores verify at once (measured: 1.3-1.7x the req/s of an uncached route
   * on 2 cores). Each such check pays a thread hand-off (tens of µs), so one-at-a-time callers are
   * faster without it.
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
}

/** The options after validation and defaults. */
export interface ResolvedOptions {
  readonly issuer: string;
  readonly audiences: readonly string[];
  readonly jwksUri: string | undefined;
  readonly discoveryUri: string | undefined;
  readonly secret: Buffer | undefined;
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
}

const SILENT: SigilLogger = Object.freeze({ warn() {}, debug() {} });
const DEFAULT_ASYMMETRIC: readonly Algorithm[] = ['RS256', 'ES256', 'EdDSA'];

/**
 * Validates `options` once and returns them frozen with defaults applied. `defaults` holds what
 * differs between `requireAuth` and `createVerifier`.
 */
export function resolveOptions(
  options: RequireAuthOptions,
  defaults: { offloadSignatures: boolean } = { offloadSignatures: false },
): ResolvedOptions {
  if (typeof options !== 'object' || options === null) throw new TypeError('requireAuth: options must be an object');
  const issuer = nonEmptyString(options.issuer, 'issuer');
  const audiences = typeof options.audience === 'string' ? [options.audience] : options.audience;
  if (!Array.isArray(audiences) || audiences.length === 0 || !audiences.every((a) => typeof a === 'string' && a !== '')) {
    throw new TypeError('requireAuth: audience must be a non-empty string or array of strings');
  }

  if (options.secret !== undefined && options.jwksUri !== undefined) {
    throw new TypeError('requireAuth: give either secret or jwksUri, not both');
  }
  const secret = options.secret === undefined ? undefined : toSecret(options.secret);
  const jwksUri = options.jwksUri === undefined ? undefined : httpUrl(options.jwksUri, 'jwksUri');
  let discoveryUri: string | undefined;
  if (secret === undefined && jwksUri === undefined) {
    discoveryUri = `${httpUrl(issuer, 'issuer (used for discovery when jwksUri is absent)').replace(/\/+$/, '')}/.well-known/openid-configuration`;
  }

  const algorithms = options.algorithms ?? (secret ? ['HS256' as const] : DEFAULT_ASYMMETRIC);
  if (!Array.isArray(algorithms) || algorithms.length === 0) throw new TypeError('requireAuth: algorithms must be a non-empty array');
  for (const alg of algorithms) {
    if (!isAlgorithm(alg))
      throw new TypeError(`requireAuth: unsupported algorithm ${JSON.stringify(alg)} (supported: ${Object.keys(ALGORITHMS).join(', ')})`);
    // Mixing HMAC with public keys is how algorithm-confusion attacks work: refuse it outright.
    if (isSymmetric(alg) !== (secret !== undefined)) {
      throw new TypeError(
        secret
          ? `requireAuth: with secret only HS256/HS384/HS512 are allowed, not ${alg}`
          : `requireAuth: ${alg} needs a secret; a key set only verifies asymmetric algorithms`,
      );
    }
  }

  const cache = options.tokenCache ?? true;
  let tokenCacheMaxEntries = 0;
  if (cache === true) tokenCacheMaxEntries = 1_000;
  else if (typeof cache === 'object' && cache !== null)
    tokenCacheMaxEntries = positiveInt(cache.maxEntries ?? 1_000, 'tokenCache.maxEntries');
  else if (cache !== false) throw new TypeError('requireAuth: tokenCache must be a boolean or { maxEntries }');

  const typ = options.typ ?? 'at+jwt';
  if (typ !== false && (typeof typ !== 'string' || typ === '')) throw new TypeError('requireAuth: typ must be a non-empty string or false');

  const onError = options.onError ?? 'respond';
  if (onError !== 'respond' && onError !== 'next') throw new TypeError("requireAuth: onError must be 'respond' or 'next'");
  const logger = options.logger ?? SILENT;
  if (typeof logger.warn !== 'function') throw new TypeError('requireAuth: logger must have a warn(data, message) method');
  const realm = options.realm ?? 'sigil';
  if (typeof realm !== 'string' || /["\\\r\n]/.test(realm))
    throw new TypeError('requireAuth: realm must be a string without quotes, backslashes or newlines');
  const cookie = options.cookie === undefined ? undefined : nonEmptyString(options.cookie, 'cookie');

  const jwks = options.jwks ?? {};
  return Object.freeze({
    issuer,
    audiences: Object.freeze([...audiences]),
    jwksUri,
    discoveryUri,
    secret,
    algorithms: new Set(algorithms),
    clockToleranceMs: nonNegative(options.clockTolerance ?? 5, 'clockTolerance') * 1000,
    cookie,
    typ: typ === false ? false : normaliseTyp(typ),
    credentialsRequired: bool(options.credentialsRequired ?? true, 'credentialsRequired'),
    tokenCacheMaxEntries,
    maxTokenLength: positiveInt(options.maxTokenLength ?? 8_192, 'maxTokenLength'),
    // Pointless without asymmetric keys: HMAC costs less than the hand-off.
    offloadSignatures: secret === undefined && bool(options.offloadSignatures ?? defaults.offloadSignatures, 'offloadSignatures'),
    realm,
    onError,
    jwks: Object.freeze({
      cooldown: nonNegative(jwks.cooldown ?? 10_000, 'jwks.cooldown'),
      timeout: positiveInt(jwks.timeout ?? 5_000, 'jwks.timeout'),
      cacheMaxAge: nonNegative(jwks.cacheMaxAge ?? 600_000, 'jwks.cacheMaxAge'),
      maxCacheMaxAge: nonNegative(jwks.maxCacheMaxAge ?? 86_400_000, 'jwks.maxCacheMaxAge'),
    }),
    logger,
  });
}

/** `typ` values compare case-insensitively and without the optional `application/` prefix (RFC 7515 4.1.9). */
export function normaliseTyp(typ: string): string {
  const lower = typ.toLowerCase();
  return lower.startsWith('application/') ? lower.slice(12) : lower;
}

function toSecret(secret: string | Uint8Array): Buffer {
  const bytes = typeof secret === 'string' ? Buffer.from(secret, 'utf8') : secret instanceof Uint8Array ? Buffer.from(secret) : undefined;
  if (!bytes) throw new TypeError('requireAuth: secret must be a string or Uint8Array');
  // RFC 7518 3.2: an HMAC key must be at least as long as the hash output; DESIGN.md asks 32 bytes.
  if (bytes.length < 32) throw new TypeError('requireAuth: secret must be at least 32 bytes');
  return bytes;
}

function httpUrl(value: unknown, name: string): string {
  const text = nonEmptyString(value, name);
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new TypeError(`requireAuth: ${name} must be an absolute http(s) URL`);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new TypeError(`requireAuth: ${name} must be an http(s) URL`);
  return text;
}

function nonEmptyString(value: unknown, name: string): string {
  if (typeof value !== 'string' || value === '') throw new TypeError(`requireAuth: ${name} must be a non-empty string`);
  return value;
}

function positiveInt(value: unknown, name: string): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value <= 0)
    throw new TypeError(`requireAuth: ${name} must be a positive integer`);
  return value;
}

function nonNegative(value: unknown, name: string): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0)
    throw new TypeError(`requireAuth: ${name} must be a non-negative number`);
  return value;
}

function bool(value: unknown, name: string): boolean {
  if (typeof value !== 'boolean') throw new TypeError(`requireAuth: ${name} must be a boolean`);
  return value;
}
