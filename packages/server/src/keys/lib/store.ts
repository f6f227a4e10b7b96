import type { Queryable } from '../../storage/index.ts';

// Two writes the revocation fallback needs that storage/signing-keys.ts does not offer yet.
// They belong there (asked for in the keys module's report); they live here until then.

/** Makes a staged key sign from `at` (revocation of the signing key while one is pending). */
export async function activateSigningKeyAt(db: Queryable, kid: string, at: Date): Promise<void> {
  await db.query('UPDATE signing_keys SET activates_at = $2 WHERE kid = $1 AND revoked_at IS NULL', [kid, at]);
}

/** Lets a retired key sign again (its successor was revoked). */
export async function unretireSigningKey(db: Queryable, kid: string): Promise<void> {
  await db.query('UPDATE signing_keys SET retired_at = NULL WHERE kid = $1 AND revoked_at IS NULL', [kid]);
}
