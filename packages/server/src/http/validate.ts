import type { z } from 'zod';
import { SigilError, type FieldError } from '../errors.ts';

/** Validates a request body; every problem is listed in a 400 `invalid_request`. */
export function parseBody<Schema extends z.ZodType>(schema: Schema, body: unknown): z.output<Schema> {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw new SigilError('invalid_request', 'The request body must be a JSON object');
  }
  const result = schema.safeParse(body);
  if (result.success) return result.data;
  const errors: FieldError[] = result.error.issues.map((issue) => ({
    path: issue.path.join('.') || '(body)',
    message: issue.message,
  }));
  throw new SigilError('invalid_request', errors.map((e) => `${e.path}: ${e.message}`).join('; '), { errors });
}
