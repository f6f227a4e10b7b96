import { pino, type Logger } from 'pino';

export type { Logger } from 'pino';

/**
 * Paths pino censors in every log line. Sigil never passes secrets to the logger on purpose;
 * this is the second line of defence for request bodies and headers logged by mistake.
 */
export const REDACTED_PATHS = [
  'password',
  'new_password',
  'current_password',
  'refresh_token',
  'access_token',
  'token',
  'passwordHash',
  'password_hash',
  'privateKey',
  'private_key',
  'secret',
  'mfa_token',
  'recovery_codes',
  'otpauth_url',
  '*.password',
  '*.new_password',
  '*.current_password',
  '*.refresh_token',
  '*.access_token',
  '*.token',
  '*.passwordHash',
  '*.password_hash',
  '*.privateKey',
  '*.secret',
  '*.mfa_token',
  '*.recovery_codes',
  '*.otpauth_url',
  'req.headers.authorization',
  'req.headers.cookie',
  'req.headers["x-csrf-token"]',
  'res.headers["set-cookie"]',
  'headers.authorization',
  'headers.cookie',
];

export interface LoggerOptions {
  level: string;
  /** Where lines go; defaults to stdout. Tests pass a stream to assert on what was logged. */
  destination?: NodeJS.WritableStream;
}

export function createLogger(options: LoggerOptions): Logger {
  return pino(
    {
      name: 'sigil',
      level: options.level,
      redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
      base: { pid: process.pid },
    },
    options.destination ?? pino.destination({ dest: 1, sync: false }),
  );
}
