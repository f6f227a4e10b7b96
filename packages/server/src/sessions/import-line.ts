import { z } from 'zod';
import { importHash, type FirebaseHashConfig, type FirebaseHashConfigInput, type ImportedHash } from '../passwords/import-hash.ts';
import { InvalidHashError } from '../passwords/stored-hash.ts';
import { displayNameSchema, emailSchema, rolesSchema } from './account-fields.ts';

/** Longer lines are refused: no real account needs 64 KiB of JSON. */
export const MAX_IMPORT_LINE_CHARS = 65_536;

/** One account of an import file, validated; its hash already in the form Sigil stores. */
export interface ImportLineUser {
  email: string;
  name: string | null;
  roles: string[];
  /** `email_verified` as given (undefined when absent). */
  emailVerified: boolean | undefined;
  /** undefined: the account has no password (it cannot log in until a reset). */
  hash: ImportedHash | undefined;
  createdAt: Date | undefined;
}

/** What one line of an import file is. */
export type ImportLine =
  | { kind: 'user'; user: ImportLineUser }
  | { kind: 'firebase-config'; config: FirebaseHashConfigInput }
  | { kind: 'problem'; message: string };

const userLineSchema = z.strictObject({
  email: emailSchema,
  name: displayNameSchema,
  roles: rolesSchema,
  email_verified: z.boolean({ error: 'must be true or false' }).optional(),
  // Checked by importHash, which knows the formats; null or absent means no password.
  password_hash: z.union([z.string(), z.record(z.string(), z.unknown())], { error: 'must be a string or an object' }).nullish(),
  created_at: z.iso.datetime({ offset: true, error: 'must be an ISO 8601 date-time with Z or an offset' }).optional(),
});

// The Firebase console's "Password hash parameters", field names as it shows them.
const firebaseConfigLineSchema = z.strictObject({
  firebase_hash_config: z.strictObject({
    algorithm: z.literal('SCRYPT').optional(),
    base64_signer_key: z.string(),
    base64_salt_separator: z.string(),
    rounds: z.int(),
    mem_cost: z.int(),
  }),
});

/**
 * Parses one non-blank line of an import file (docs/server.md, "Importing users"). A problem's
 * message names the field and the reason, never a hash.
 *
 * @example
 * parseImportLine('{"email":"ada@example.com","password_hash":"$2b$10$…"}', undefined);
 * // { kind: 'user', user: { email: 'ada@example.com', hash: { format: 'bcrypt', stored: '$2b$10$…' }, … } }
 */
export function parseImportLine(text: string, firebase: FirebaseHashConfig | undefined): ImportLine {
  if (text.length > MAX_IMPORT_LINE_CHARS) return problem(`longer than ${MAX_IMPORT_LINE_CHARS} characters`);
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    // Not the parser's message: it quotes the line, and the line may hold a hash.
    return problem('not valid JSON');
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return problem('not a JSON object');
  if ('firebase_hash_config' in value) return parseFirebaseConfigLine(value);

  const parsed = userLineSchema.safeParse(value);
  if (!parsed.success) return problem(describeIssues(parsed.error));
  const line = parsed.data;
  let hash: ImportedHash | undefined;
  if (line.password_hash !== undefined && line.password_hash !== null) {
    try {
      hash = importHash(line.password_hash, firebase);
    } catch (error) {
      if (error instanceof InvalidHashError) return problem(`password_hash: ${error.message}`);
      throw error;
    }
  }
  return {
    kind: 'user',
    user: {
      email: line.email,
      name: line.name ?? null,
      roles: line.roles,
      emailVerified: line.email_verified,
      hash,
      createdAt: line.created_at === undefined ? undefined : new Date(line.created_at),
    },
  };
}

function parseFirebaseConfigLine(value: object): ImportLine {
  const parsed = firebaseConfigLineSchema.safeParse(value);
  if (!parsed.success) return problem(describeIssues(parsed.error));
  const config = parsed.data.firebase_hash_config;
  return {
    kind: 'firebase-config',
    config: {
      signerKey: config.base64_signer_key,
      saltSeparator: config.base64_salt_separator,
      rounds: config.rounds,
      memCost: config.mem_cost,
    },
  };
}

function describeIssues(error: z.ZodError): string {
  return error.issues.map((issue) => (issue.path.length > 0 ? `${issue.path.join('.')}: ${issue.message}` : issue.message)).join('; ');
}

function problem(message: string): ImportLine {
  return { kind: 'problem', message };
}
