import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { createInterface } from 'node:readline';
import { Command, InvalidArgumentError } from 'commander';
import type { FirebaseHashConfigInput } from '../passwords/import-hash.ts';
import type { ImportedHashFormat, UserImportReport, UserImportSource } from '../sessions/import.ts';
import { CliError, EXIT, withAuthServer } from './context.ts';
import { print, printJson, printTable } from './output.ts';

interface ImportOptions {
  dryRun?: boolean;
  json?: boolean;
  firebaseSignerKey?: string;
  firebaseSaltSeparator?: string;
  firebaseRounds?: number;
  firebaseMemCost?: number;
}

/** Report order and wording of the formats. */
const FORMAT_LABELS: Record<ImportedHashFormat, string> = {
  bcrypt: 'bcrypt',
  argon2id: 'argon2id',
  argon2i: 'argon2i',
  argon2d: 'argon2d',
  'pbkdf2-sha256': 'PBKDF2-SHA256',
  scrypt: 'scrypt',
  'firebase-scrypt': 'Firebase scrypt',
  none: 'no password',
};

const EXAMPLES = `
Each line: {"email": "...", "name"?: "...", "roles"?: [...], "email_verified"?: true, "password_hash"?: ..., "created_at"?: "2024-01-31T12:00:00Z"}
password_hash: "$2b$10$..." (bcrypt), "$argon2id$..." (argon2), "pbkdf2_sha256$..." (Django), "$pbkdf2-sha256$..." or
"$scrypt$..." (passlib), or {"algorithm": "firebase-scrypt", "hash": "...", "salt": "..."} with the --firebase-* options
(see docs/server.md, "Importing users").

Examples:
  sigil users import users.jsonl --dry-run
  sigil users import firebase-users.jsonl --firebase-signer-key "$SIGNER_KEY" --firebase-salt-separator Bw== --firebase-rounds 8 --firebase-mem-cost 14`;

function integerOption(value: string): number {
  if (!/^\d+$/.test(value)) throw new InvalidArgumentError('expected an integer');
  return Number(value);
}

/** The four --firebase-* options together, or none of them. */
function firebaseOptions(options: ImportOptions): FirebaseHashConfigInput | undefined {
  const { firebaseSignerKey, firebaseSaltSeparator, firebaseRounds, firebaseMemCost } = options;
  const given = [firebaseSignerKey, firebaseSaltSeparator, firebaseRounds, firebaseMemCost].filter((value) => value !== undefined);
  if (given.length === 0) return undefined;
  if (given.length < 4) {
    throw new CliError(
      '--firebase-signer-key, --firebase-salt-separator, --firebase-rounds and --firebase-mem-cost go together',
      EXIT.usage,
    );
  }
  return { signerKey: firebaseSignerKey!, saltSeparator: firebaseSaltSeparator!, rounds: firebaseRounds!, memCost: firebaseMemCost! };
}

async function requireFile(file: string): Promise<void> {
  const info = await stat(file).catch(() => undefined);
  if (!info?.isFile()) throw new CliError(`Cannot read ${file}: no such file`, EXIT.usage);
}

/** The file's lines, streamed: the import reads it once to check and once to insert. */
function fileSource(file: string): UserImportSource {
  return { lines: () => createInterface({ input: createReadStream(file, { encoding: 'utf8' }), crlfDelay: Infinity }) };
}

function printCounts(report: UserImportReport): void {
  const rows = (Object.keys(FORMAT_LABELS) as ImportedHashFormat[])
    .filter((format) => (report.formats[format] ?? 0) > 0)
    .map((format) => [`  ${FORMAT_LABELS[format]}`, String(report.formats[format])]);
  if (rows.length > 0) printTable(['  PASSWORD HASH', 'USERS'], rows);
  if (report.emailVerified > 0) print(`${report.emailVerified} of them marked email_verified.`);
}

function printProblems(report: UserImportReport): void {
  print('Bad lines:');
  for (const problem of report.problems) print(`  line ${problem.line}: ${problem.message}`);
  const unlisted = report.problemCount - report.problems.length;
  if (unlisted > 0) print(`  … and ${unlisted} more`);
}

/** `sigil users import FILE`. */
export function importCommand(): Command {
  return new Command('import')
    .description(
      'import users from a JSON lines file, keeping their password hashes (bcrypt, argon2, PBKDF2-SHA256, scrypt, Firebase scrypt)',
    )
    .argument('<file>', 'JSON lines, one user per line')
    .option('--dry-run', 'check every line and report what would be imported; write nothing')
    .option('--json', 'print the report as JSON')
    .option('--firebase-signer-key <base64>', "the Firebase project's base64_signer_key")
    .option('--firebase-salt-separator <base64>', "the Firebase project's base64_salt_separator")
    .option('--firebase-rounds <n>', "the Firebase project's rounds", integerOption)
    .option('--firebase-mem-cost <n>', "the Firebase project's mem_cost", integerOption)
    .addHelpText('after', EXAMPLES)
    .action(async (file: string, options: ImportOptions) => {
      const firebase = firebaseOptions(options);
      await requireFile(file);
      const report = await withAuthServer((server) =>
        server.service.importUsers(fileSource(file), { dryRun: options.dryRun === true, ...(firebase ? { firebase } : {}) }),
      );
      if (options.json) printJson(report);
      else if (report.problemCount > 0) printProblems(report);
      else if (report.users === 0) print(`No users in ${file}: nothing to import.`);
      else if (report.dryRun) {
        print(`Dry run: ${report.users} users in ${file} would be imported; nothing was written.`);
        printCounts(report);
      } else {
        print(`Imported ${report.users} users from ${file}.`);
        printCounts(report);
        print('Each signs in with their old password; its hash is redone with argon2id at their first login.');
        if ((report.formats.none ?? 0) > 0) print('Users without a password cannot sign in until they reset it.');
      }
      if (report.problemCount > 0) {
        const lines = report.problemCount === 1 ? '1 bad line' : `${report.problemCount} bad lines`;
        throw new CliError(`${lines} in ${file}: nothing was imported`);
      }
    });
}
