import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfigFromEnv, parseConfig, parseDuration } from './config.ts';

describe('configuration', () => {
  it('has the documented defaults', () => {
    const config = loadConfigFromEnv({});
    expect(config).toMatchObject({
      issuer: 'http://localhost:4000',
      port: 4000,
      alg: 'RS256',
      accessTtl: 900,
      refreshTtl: 30 * 86400,
      allowedOrigins: ['http://localhost:4200'],
      cookieMode: 'allow',
      dataDir: './.sigil/data',
      loginMaxFailures: 5,
      ipRequestsPerMinute: 100,
      signupsPerHour: 30,
      jwksMaxAge: 300,
      keyPublishLead: 360,
      emailVerification: 'optional',
      verifyEmailTtl: 86_400,
      passwordResetTtl: 1800,
      mailsPerEmailPerHour: 5,
      mailsPerIpPerHour: 30,
      linkFailuresPerHour: 20,
    });
    expect(config.appLinks).toBeUndefined();
  });

  it('reads the account lifecycle settings; SIGIL_APP_LINKS must be an allowed origin', () => {
    const config = loadConfigFromEnv({
      SIGIL_EMAIL_VERIFICATION: 'required',
      SIGIL_VERIFY_EMAIL_TTL: '2h',
      SIGIL_PASSWORD_RESET_TTL: '10m',
      SIGIL_ALLOWED_ORIGINS: 'https://app.example.com',
      SIGIL_APP_LINKS: 'https://app.example.com/',
    });
    expect(config).toMatchObject({
      emailVerification: 'required',
      verifyEmailTtl: 7200,
      passwordResetTtl: 600,
      appLinks: 'https://app.example.com',
    });
    expect(() => loadConfigFromEnv({ SIGIL_APP_LINKS: 'https://elsewhere.example' })).toThrow(/SIGIL_APP_LINKS must be one of/);
    expect(() => loadConfigFromEnv({ SIGIL_EMAIL_VERIFICATION: 'sometimes' })).toThrow(/SIGIL_EMAIL_VERIFICATION/);
  });

  it('reads environment variables, with durations and lists', () => {
    const config = loadConfigFromEnv({
      SIGIL_ISSUER: 'https://auth.example.com/',
      SIGIL_ACCESS_TTL: '5m',
      SIGIL_REFRESH_TTL: '7d',
      SIGIL_ALLOWED_ORIGINS: 'https://app.example.com, https://admin.example.com/',
      SIGIL_COOKIE_MODE: 'only',
      PORT: '8080',
      DATABASE_URL: 'postgres://u@db/sigil',
      REDIS_URL: '',
    });
    expect(config).toMatchObject({
      issuer: 'https://auth.example.com',
      accessTtl: 300,
      refreshTtl: 7 * 86400,
      allowedOrigins: ['https://app.example.com', 'https://admin.example.com'],
      cookieMode: 'only',
      port: 8080,
      databaseUrl: 'postgres://u@db/sigil',
    });
    expect(config.redisUrl).toBeUndefined();
  });

  it.each([
    [{ SIGIL_ALG: 'none' }, /SIGIL_ALG/],
    [{ SIGIL_ALG: 'HS512' }, /SIGIL_ALG/],
    [{ SIGIL_ACCESS_TTL: 'forever' }, /SIGIL_ACCESS_TTL: expected a duration/],
    [{ SIGIL_ALLOWED_ORIGINS: 'ftp://x' }, /SIGIL_ALLOWED_ORIGINS/],
    [{ DATABASE_URL: 'mysql://x' }, /DATABASE_URL/],
    [{ SIGIL_ALG: 'HS256' }, /SIGIL_HS256_SECRET is required/],
    [{ SIGIL_ALG: 'HS256', SIGIL_HS256_SECRET: 'short' }, /SIGIL_HS256_SECRET must be at least 32 random bytes/],
    [{ SIGIL_KEY_SECRET: 'short' }, /SIGIL_KEY_SECRET/],
    [{ SIGIL_JWKS_MAX_AGE: '10m', SIGIL_KEY_PUBLISH_LEAD: '1m' }, /SIGIL_KEY_PUBLISH_LEAD must be at least/],
    [{ PORT: '70000' }, /PORT/],
  ])('refuses %j with one line naming the variable', (env, message) => {
    let error: unknown;
    try {
      loadConfigFromEnv(env);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as Error).message).toMatch(message);
    expect((error as Error).message).not.toContain('\n');
  });

  it('never echoes a secret value in an error', () => {
    expect(() => loadConfigFromEnv({ SIGIL_ALG: 'HS256', SIGIL_HS256_SECRET: 'my-secret-value-that-is-weak' })).toThrow(
      expect.objectContaining({ message: expect.not.stringContaining('my-secret-value') }),
    );
  });

  it('parses durations', () => {
    expect(parseDuration('90')).toBe(90);
    expect(parseDuration('15m')).toBe(900);
    expect(parseDuration('2h')).toBe(7200);
    expect(parseDuration('0')).toBeUndefined();
    expect(parseDuration('-5')).toBeUndefined();
    expect(parseDuration('1y')).toBeUndefined();
    expect(parseConfig({ accessTtl: 60 }).accessTtl).toBe(60);
  });
});
