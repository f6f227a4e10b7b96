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
    [{ SIGIL_SMTP_URL: 'http://mail.example' }, /SIGIL_SMTP_URL: expected smtp:/],
    [{ SIGIL_MAIL_FROM: 'nobody' }, /SIGIL_MAIL_FROM/],
    [{ SIGIL_MAIL_SUBJECTS: 'not json' }, /SIGIL_MAIL_SUBJECTS: expected a JSON object/],
    [{ SIGIL_MAIL_SUBJECTS: '{"welcome":"Hi"}' }, /SIGIL_MAIL_SUBJECTS: .*welcome/],
    [{ SIGIL_MAIL_SUBJECTS: '{"password_reset":"Reset\\nBcc: everyone@example.com"}' }, /SIGIL_MAIL_SUBJECTS: must be one line/],
    [{ SIGIL_PRODUCT_NAME: 'Acme\r\nX-Injected: 1' }, /SIGIL_PRODUCT_NAME: must be one line/],
    [{ SIGIL_MAIL_MAX_ATTEMPTS: '0' }, /SIGIL_MAIL_MAX_ATTEMPTS/],
    [{ SIGIL_MAIL_RETRY_BASE: 'soon' }, /SIGIL_MAIL_RETRY_BASE: expected a duration/],
    [{ SIGIL_MAIL_RETRY_BASE: '10m', SIGIL_MAIL_RETRY_MAX: '1m' }, /SIGIL_MAIL_RETRY_MAX must be at least SIGIL_MAIL_RETRY_BASE/],
    [{ SIGIL_MAIL_SEND_TIMEOUT: '0' }, /SIGIL_MAIL_SEND_TIMEOUT/],
    [{ SIGIL_MAIL_POLL_INTERVAL: '1ms' }, /SIGIL_MAIL_POLL_INTERVAL/],
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

  it('reads the mail settings, with documented defaults', () => {
    const defaults = loadConfigFromEnv({});
    expect(defaults.smtpUrl).toBeUndefined();
    expect(defaults).toMatchObject({
      mailFrom: 'Sigil <no-reply@localhost>',
      productName: 'Sigil',
      mailSubjects: {},
      mailMaxAttempts: 8,
      mailRetryBase: 5,
      mailRetryMax: 3600,
      mailSendTimeout: 30,
      mailPollInterval: 1,
    });
    expect(
      loadConfigFromEnv({
        SIGIL_SMTP_URL: 'smtps://mailer:s3cret@smtp.example.com:465',
        SIGIL_MAIL_FROM: 'Acme <no-reply@acme.example>',
        SIGIL_PRODUCT_NAME: 'Acme',
        SIGIL_MAIL_SUBJECTS: '{"password_reset":"Reset your {product} password"}',
        SIGIL_MAIL_MAX_ATTEMPTS: '3',
        SIGIL_MAIL_RETRY_BASE: '30s',
        SIGIL_MAIL_RETRY_MAX: '2h',
        SIGIL_MAIL_SEND_TIMEOUT: '10',
        SIGIL_MAIL_POLL_INTERVAL: '5s',
      }),
    ).toMatchObject({
      smtpUrl: 'smtps://mailer:s3cret@smtp.example.com:465',
      mailFrom: 'Acme <no-reply@acme.example>',
      productName: 'Acme',
      mailSubjects: { password_reset: 'Reset your {product} password' },
      mailMaxAttempts: 3,
      mailRetryBase: 30,
      mailRetryMax: 7200,
      mailSendTimeout: 10,
      mailPollInterval: 5,
    });
  });

  it('never echoes the SMTP password of a bad SIGIL_SMTP_URL', () => {
    expect(() => loadConfigFromEnv({ SIGIL_SMTP_URL: 'smtpx://user:hunter2-password@mail.example' })).toThrow(
      expect.objectContaining({ message: expect.not.stringContaining('hunter2') }),
    );
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
