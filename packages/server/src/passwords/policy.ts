import { z } from 'zod';

export const PASSWORD_MIN_LENGTH = 10;
/** 1 KiB cap so that an attacker cannot make us hash megabytes (argon2 cost grows with input). */
export const PASSWORD_MAX_BYTES = 1024;

/** zod schema for a new password: 10+ characters, at most 1 KiB of UTF-8, not only whitespace. */
export const newPasswordSchema = z
  .string({ error: 'password must be a string' })
  // Characters as people count them (code points), not UTF-16 units: 5 emoji are 5, not 10.
  .refine((value) => [...value].length >= PASSWORD_MIN_LENGTH, `password must be at least ${PASSWORD_MIN_LENGTH} characters`)
  .refine((value) => Buffer.byteLength(value, 'utf8') <= PASSWORD_MAX_BYTES, `password must be at most ${PASSWORD_MAX_BYTES} bytes`)
  .refine((value) => value.trim().length > 0, 'password must not be only whitespace');

/** A password presented at login: bounded but otherwise unchecked (old accounts may predate the policy). */
export const presentedPasswordSchema = z
  .string({ error: 'password must be a string' })
  .min(1, 'password is required')
  .refine((value) => Buffer.byteLength(value, 'utf8') <= PASSWORD_MAX_BYTES, `password must be at most ${PASSWORD_MAX_BYTES} bytes`);
