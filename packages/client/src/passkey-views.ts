import { unexpectedAnswer } from './errors.ts';
import { isRecord } from './session.ts';

/** One of the account's passkeys, as `listPasskeys()` gives it. */
export interface Passkey {
  readonly id: string;
  /** The name the user gave it (or `Passkey N`). */
  readonly name: string;
  readonly createdAt: Date;
  /** When it last signed in, or null. */
  readonly lastUsedAt: Date | null;
}

/** `GET /auth/passkeys`'s `{passkeys: [...]}`; `invalid_response` when it is not that. */
export function parsePasskeys(body: Record<string, unknown> | undefined): Passkey[] {
  const list = body?.['passkeys'];
  if (!Array.isArray(list)) throw unexpectedAnswer();
  return list.map(parsePasskey);
}

/** One `{id, name, created_at, last_used_at}`; `invalid_response` when it is not that. */
export function parsePasskey(value: unknown): Passkey {
  const { id, name, created_at, last_used_at = null } = isRecord(value) ? value : {};
  const createdAt = time(created_at);
  const lastUsedAt = last_used_at === null ? null : time(last_used_at);
  if (typeof id !== 'string' || typeof name !== 'string' || !createdAt || lastUsedAt === undefined) throw unexpectedAnswer();
  return { id, name, createdAt, lastUsedAt };
}

function time(value: unknown): Date | undefined {
  const date = typeof value === 'string' ? new Date(value) : undefined;
  return date && !isNaN(date.getTime()) ? date : undefined;
}
