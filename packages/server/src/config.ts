import { z } from 'zod';
import { checkMailConfig, MAIL_ENV_NAMES, mailConfigShape } from './mail/config.ts';
import { PASSKEY_ENV_NAMES, passkeyConfigShape } from './passkeys/config.ts';

/** Signing algorithms Sigil issues. `HS256` only in shared-secret mode. */
export const SIGNING_ALGORITHMS = ['RS256', 'ES256', 'EdDSA', 'HS256'] as const;
export type SigningAlgorithm = (typeof SIGNING_ALGORITHMS)[number];

export const COOKIE_MODES = ['allow', 'off', 'only'] as const;
export type CookieMode = (typeof COOKIE_MODES)[number];

/** `off`: no mail at signup; `optional`: mailed, login allowed; `required`: no session before the link is followed. */
export const EMAIL_VERIFICATION_MODES = ['off', 'optional', 'required'] as const;
export type EmailVerificationMode = (typeof EMAIL_VERIFICATION_MODES)[number];

/** Parses `900`, `900s`, `15m`, `12h`, `30d` into seconds. */
export function parseDuration(value: string | number): number | undefined {
  if (typeof value === 'number') return Number.isInteger(value) && value > 0 ? value : undefined;
  const match = /^\s*(\d+)\s*(s|m|h|d)?\s*$/.exec(value);
  if (!match) return undefined;
  const amount = Number(match[1]);
  const unit = { s: 1, m: 60, h: 3600, d: 86400 }[(match[2] ?? 's') as 's' | 'm' | 'h' | 'd'];
  const seconds = amount * unit;
  return seconds > 0 && Number.isSafeInteger(seconds) ? seconds : undefined;
}

const durationValue = z.union([z.string(), z.number()]).transform((value, ctx) => {
  const seconds = parseDuration(value);
  if (seconds === undefined) {
    ctx.addIssue({ code: 'custom', message: 'expected a duration such as 900, 15m, 12h or 30d' });
    return z.NEVER;
  }
  return seconds;
});
const duration = (fallback: string) => z.union([z.string(), z.number()]).default(fallback).pipe(durationValue);

const origin = z.string().transform((value, ctx) => {
  try {
    const url = new URL(value);
    if ((url.protocol !== 'http:' && url.protocol !== 'https:') || url.origin === 'null') throw new Error();
    return url.origin;
  } catch {
    ctx.addIssue({ code: 'custom', message: `not an http(s) origin: ${value}` });
    return z.NEVER;
  }
});

/**
 * A shared HS256 secret must carry at least 256 bits. We cannot measure entropy, but we refuse
 * short secrets and obviously repetitive ones ("aaaa…", "changeme…").
 */
export function isStrongSecret(secret: string): boolean {
  return Buffer.byteLength(secret, 'utf8') >= 32 && new Set(secret).size >= 16;
}

export const configSchema = z
  .object({
    /** Public base URL; the `iss` claim. @default http://localhost:4000 */
    issuer: z
      .url()
      .default('http://localhost:4000')
      .transform((v) => v.replace(/\/+$/, '')),
    /** `aud` claim of access tokens. @default 'sigil' */
    audience: z.string().min(1).default('sigil'),
    port: z.coerce.number().int().min(0).max(65535).default(4000),
    /** @default 127.0.0.1 (set 0.0.0.0 in containers) */
    host: z.string().min(1).default('127.0.0.1'),
    /** PostgreSQL server; when unset the embedded PGlite database in `dataDir` is used. */
    databaseUrl: z
      .string()
      .regex(/^postgres(ql)?:\/\//, 'expected postgres://...')
      .optional(),
    /** PostgreSQL schema holding Sigil's tables. @default public */
    databaseSchema: z
      .string()
      .regex(/^[a-z_][a-z0-9_]{0,62}$/, 'expected a lower-case SQL identifier')
      .default('public'),
    /** Embedded database directory, or `memory://` for an in-memory PGlite. @default ./.sigil/data */
    dataDir: z.string().min(1).default('./.sigil/data'),
    /** Redis for rate-limit counters shared between instances. */
    redisUrl: z
      .string()
      .regex(/^rediss?:\/\//, 'expected redis://...')
      .optional(),
    redisPrefix: z.string().default('sigil:'),
    alg: z.enum(SIGNING_ALGORITHMS).default('RS256'),
    hs256Secret: z.string().optional(),
    /** Encrypts private signing keys at rest. */
    keySecret: z.string().min(32, 'SIGIL_KEY_SECRET must be at least 32 characters').optional(),
    accessTtl: duration('15m'),
    refreshTtl: duration('30d'),
    /** Hard cap on a session's life, however often it refreshes. @default 90d */
    sessionMaxTtl: duration('90d'),
    /** How long a just-rotated refresh token still yields its successor. @default 10s */
    refreshGrace: duration('10s'),
    /** JWKS `Cache-Control: max-age`. @default 5m */
    jwksMaxAge: duration('5m'),
    /** Automatic signing-key rotation period. @default 30d */
    keyRotationInterval: duration('30d'),
    /** A new key is published this long before it signs (>= jwksMaxAge). @default jwksMaxAge + 60s */
    keyPublishLead: durationValue.optional(),
    allowedOrigins: z
      .union([z.string(), z.array(z.string())])
      .default('http://localhost:4200')
      .transform((v) => (Array.isArray(v) ? v : v.split(',')).map((s) => s.trim()).filter(Boolean))
      .pipe(z.array(origin)),
    cookieMode: z.enum(COOKIE_MODES).default('allow'),
    /** Express `trust proxy`: false, a hop count, or a list of subnets. @default false */
    trustProxy: z
      .union([z.boolean(), z.number().int().min(0), z.string()])
      .default(false)
      .transform((v) => {
        if (typeof v !== 'string') return v;
        if (v === 'true') return true;
        if (v === 'false' || v === '') return false;
        return /^\d+$/.test(v) ? Number(v) : v;
      }),
    loginMaxFailures: z.coerce.number().int().min(1).default(5),
    /** First lockout after `loginMaxFailures` failures; each further lockout doubles (max 1 h). @default 30s */
    loginLockout: duration('30s'),
    ipRequestsPerMinute: z.coerce.number().int().min(1).default(100),
    signupsPerHour: z.coerce.number().int().min(1).default(30),
    /** argon2id threads (low priority, so hashing never starves the event loop). @default os.availableParallelism() */
    hashThreads: z.coerce.number().int().min(1).max(256).optional(),
    /** Password hashes allowed to wait for a thread; beyond it logins and signups get 503 + Retry-After. @default 256 */
    hashQueue: z.coerce.number().int().min(0).default(256),
    /** Whether signup mails a verification link, and whether login waits for it. @default optional */
    emailVerification: z.enum(EMAIL_VERIFICATION_MODES).default('optional'),
    /** Lifetime of the link that verifies an address (signup, resend, email change). @default 24h */
    verifyEmailTtl: duration('24h'),
    /** Lifetime of a password-reset link. @default 30m */
    passwordResetTtl: duration('30m'),
    /** An app origin (one of `allowedOrigins`) whose own /email/verify and /password/reset routes the mailed links open. */
    appLinks: origin.optional(),
    /** Mails about one address per hour (verification, reset, email change). @default 5 */
    mailsPerEmailPerHour: z.coerce.number().int().min(1).default(5),
    /** Mail-sending requests per client IP per hour. @default 30 */
    mailsPerIpPerHour: z.coerce.number().int().min(1).default(30),
    /** Wrong, used or expired link tokens per client IP per hour before 429 (token guessing). @default 20 */
    linkFailuresPerHour: z.coerce.number().int().min(1).default(20),
    /** Mail delivery: SMTP, sender, subjects, retries (mail/config.ts). */
    ...mailConfigShape(duration),
    /** Passkeys: the relying party ID and the sign-in budget (passkeys/config.ts). */
    ...passkeyConfigShape(),
    logLevel: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  })
  .superRefine((c, ctx) => {
    if (c.alg === 'HS256') {
      if (!c.hs256Secret)
        ctx.addIssue({ code: 'custom', path: ['hs256Secret'], message: 'SIGIL_HS256_SECRET is required when SIGIL_ALG=HS256' });
      else if (!isStrongSecret(c.hs256Secret))
        ctx.addIssue({
          code: 'custom',
          path: ['hs256Secret'],
          message: 'SIGIL_HS256_SECRET must be at least 32 random bytes (e.g. openssl rand -base64 48)',
        });
    }
    if (c.appLinks !== undefined && !c.allowedOrigins.includes(c.appLinks))
      ctx.addIssue({ code: 'custom', path: ['appLinks'], message: 'SIGIL_APP_LINKS must be one of SIGIL_ALLOWED_ORIGINS' });
    if (c.keyPublishLead !== undefined && c.keyPublishLead < c.jwksMaxAge)
      ctx.addIssue({ code: 'custom', path: ['keyPublishLead'], message: 'SIGIL_KEY_PUBLISH_LEAD must be at least SIGIL_JWKS_MAX_AGE' });
    checkMailConfig(c, ctx);
  })
  .transform((c) => ({ ...c, keyPublishLead: c.keyPublishLead ?? c.jwksMaxAge + 60 }));

export type ConfigInput = z.input<typeof configSchema>;
export type Config = Readonly<z.output<typeof configSchema>>;

/** Environment variable for each config field (documented in docs/server.md). */
export const ENV_NAMES: Record<keyof ConfigInput, string> = {
  issuer: 'SIGIL_ISSUER',
  audience: 'SIGIL_AUDIENCE',
  port: 'PORT',
  host: 'HOST',
  databaseUrl: 'DATABASE_URL',
  databaseSchema: 'SIGIL_DATABASE_SCHEMA',
  dataDir: 'SIGIL_DATA_DIR',
  redisUrl: 'REDIS_URL',
  redisPrefix: 'SIGIL_REDIS_PREFIX',
  alg: 'SIGIL_ALG',
  hs256Secret: 'SIGIL_HS256_SECRET',
  keySecret: 'SIGIL_KEY_SECRET',
  accessTtl: 'SIGIL_ACCESS_TTL',
  refreshTtl: 'SIGIL_REFRESH_TTL',
  sessionMaxTtl: 'SIGIL_SESSION_MAX_TTL',
  refreshGrace: 'SIGIL_REFRESH_GRACE',
  jwksMaxAge: 'SIGIL_JWKS_MAX_AGE',
  keyRotationInterval: 'SIGIL_KEY_ROTATION_INTERVAL',
  keyPublishLead: 'SIGIL_KEY_PUBLISH_LEAD',
  allowedOrigins: 'SIGIL_ALLOWED_ORIGINS',
  cookieMode: 'SIGIL_COOKIE_MODE',
  trustProxy: 'SIGIL_TRUST_PROXY',
  loginMaxFailures: 'SIGIL_LOGIN_MAX_FAILURES',
  loginLockout: 'SIGIL_LOGIN_LOCKOUT',
  ipRequestsPerMinute: 'SIGIL_IP_REQUESTS_PER_MINUTE',
  signupsPerHour: 'SIGIL_SIGNUPS_PER_HOUR',
  hashThreads: 'SIGIL_HASH_THREADS',
  hashQueue: 'SIGIL_HASH_QUEUE',
  emailVerification: 'SIGIL_EMAIL_VERIFICATION',
  verifyEmailTtl: 'SIGIL_VERIFY_EMAIL_TTL',
  passwordResetTtl: 'SIGIL_PASSWORD_RESET_TTL',
  appLinks: 'SIGIL_APP_LINKS',
  mailsPerEmailPerHour: 'SIGIL_MAILS_PER_EMAIL_PER_HOUR',
  mailsPerIpPerHour: 'SIGIL_MAILS_PER_IP_PER_HOUR',
  linkFailuresPerHour: 'SIGIL_LINK_FAILURES_PER_HOUR',
  ...MAIL_ENV_NAMES,
  ...PASSKEY_ENV_NAMES,
  logLevel: 'LOG_LEVEL',
};

/** A configuration problem, phrased as one line naming the environment variable. */
export class ConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConfigError';
  }
}

function formatIssues(error: z.ZodError, useEnvNames: boolean): string {
  return error.issues
    .map((issue) => {
      const key = String(issue.path[0] ?? '');
      const name = useEnvNames ? (ENV_NAMES[key as keyof ConfigInput] ?? key) : issue.path.join('.');
      return `${name}: ${issue.message}`;
    })
    .join('; ');
}

/** Validates a programmatic configuration. Throws `ConfigError` with every problem on one line. */
export function parseConfig(input: ConfigInput = {}): Config {
  const result = configSchema.safeParse(input);
  if (!result.success) throw new ConfigError(`Invalid Sigil configuration: ${formatIssues(result.error, false)}`);
  return Object.freeze(result.data);
}

/** Reads the configuration from environment variables (empty values count as unset). */
export function loadConfigFromEnv(env: NodeJS.ProcessEnv = process.env, overrides: ConfigInput = {}): Config {
  const input: Record<string, unknown> = {};
  for (const [key, name] of Object.entries(ENV_NAMES)) {
    const value = env[name];
    if (value !== undefined && value !== '') input[key] = value;
  }
  const result = configSchema.safeParse({ ...input, ...overrides });
  if (!result.success) throw new ConfigError(`Invalid configuration: ${formatIssues(result.error, true)}`);
  return Object.freeze(result.data);
}
