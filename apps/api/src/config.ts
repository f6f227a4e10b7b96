/**
 * Demo API configuration from the environment, validated once at startup: a bad value stops the
 * process with one clear line (no stack trace).
 */

/** Settings of the demo API. */
export interface ApiConfig {
  /** Auth server issuer; its discovery document names the JWKS. */
  issuer: string;
  audience: string;
  /** Browser origins allowed by CORS. */
  allowedOrigins: string[];
  port: number;
  host: string;
}

/** A configuration value is unusable; `message` is the one line to print. */
export class ConfigError extends Error {
  override name = 'ConfigError';
}

/**
 * Reads `SIGIL_ISSUER` (default http://localhost:4000), `SIGIL_AUDIENCE` (default `sigil`),
 * `API_ALLOWED_ORIGINS` (comma-separated, default http://localhost:4200), `PORT` (default 3000)
 * and `HOST` (default 127.0.0.1).
 *
 * @example
 * const config = loadApiConfig(process.env);
 */
export function loadApiConfig(env: Record<string, string | undefined>): ApiConfig {
  const issuer = url(env.SIGIL_ISSUER || 'http://localhost:4000', 'SIGIL_ISSUER');
  const audience = (env.SIGIL_AUDIENCE || 'sigil').trim();
  if (audience === '') throw new ConfigError('SIGIL_AUDIENCE must not be empty');
  const allowedOrigins = (env.API_ALLOWED_ORIGINS || 'http://localhost:4200')
    .split(',')
    .map((o) => o.trim())
    .filter(Boolean)
    .map((o) => {
      const parsed = new URL(url(o, 'API_ALLOWED_ORIGINS'));
      if (parsed.origin !== o.replace(/\/$/, ''))
        throw new ConfigError(`API_ALLOWED_ORIGINS: ${o} is not an origin (scheme://host[:port], no path)`);
      return parsed.origin;
    });
  const port = Number(env.PORT || 3000);
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    throw new ConfigError(`PORT must be an integer between 0 and 65535, got ${JSON.stringify(env.PORT)}`);
  return { issuer, audience, allowedOrigins, port, host: env.HOST || '127.0.0.1' };
}

function url(value: string, name: string): string {
  try {
    const parsed = new URL(value);
    if (parsed.protocol === 'http:' || parsed.protocol === 'https:') return value;
  } catch {
    // fall through to the one-line error
  }
  throw new ConfigError(`${name} must be an http(s) URL, got ${JSON.stringify(value)}`);
}
