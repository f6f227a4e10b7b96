import { unexpectedAnswer } from './errors.ts';
import { isRecord } from './session.ts';

/** One of the account's sessions (a signed-in device or browser), from `sessions()`. */
export interface AccountSession {
  readonly id: string;
  /** When it signed in. */
  readonly createdAt: Date;
  /** When it last renewed its tokens. */
  readonly lastUsedAt: Date;
  /** The `User-Agent` it signed in with, when it sent one. */
  readonly userAgent: string | null;
  /** Whether it is the session of the client that asked. */
  readonly current: boolean;
}

/** `GET /auth/sessions`'s `{sessions: [...]}`; `invalid_response` when it is not that. */
export function parseSessions(body: Record<string, unknown> | undefined): AccountSession[] {
  const list = body?.['sessions'];
  if (!Array.isArray(list)) throw unexpectedAnswer();
  return list.map(parseSession);
}

function parseSession(value: unknown): AccountSession {
  const { id, created_at, last_used_at, user_agent = null, current } = isRecord(value) ? value : {};
  const createdAt = time(created_at);
  const lastUsedAt = time(last_used_at);
  if (
    typeof id !== 'string' ||
    !createdAt ||
    !lastUsedAt ||
    !(user_agent === null || typeof user_agent === 'string') ||
    typeof current !== 'boolean'
  ) {
    throw unexpectedAnswer();
  }
  return { id, createdAt, lastUsedAt, userAgent: user_agent, current };
}

/** An ISO timestamp as a Date; undefined for anything else. */
function time(value: unknown): Date | undefined {
  const date = typeof value === 'string' ? new Date(value) : undefined;
  return date && !isNaN(date.getTime()) ? date : undefined;
}
