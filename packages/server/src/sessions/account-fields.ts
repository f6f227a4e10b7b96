import { z } from 'zod';

/**
 * The fields of an account as every way of creating one validates them (signup, `sigil users
 * create`, `sigil users import`).
 *
 * @example
 * const schema = z.object({ email: emailSchema, name: displayNameSchema, roles: rolesSchema });
 */
export const emailSchema = z
  .string()
  .trim()
  .max(254)
  .pipe(z.email({ error: 'email must be a valid email address' }));

/** A display name: 1–200 characters after trimming, or absent/null. */
export const displayNameSchema = z.string().trim().min(1).max(200).nullish();

/** Up to 32 lower-case roles (letters, digits, `_:.-`); absent means none. */
export const rolesSchema = z
  .array(z.string().regex(/^[a-z0-9_:.-]{1,64}$/, 'roles are lower-case words'))
  .max(32)
  .default([]);
