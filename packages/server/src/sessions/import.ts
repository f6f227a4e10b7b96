import { createHash, type Hash } from 'node:crypto';
import { SigilError } from '../errors.ts';
import { parseFirebaseHashConfig, type FirebaseHashConfig, type FirebaseHashConfigInput } from '../passwords/import-hash.ts';
import { InvalidHashError, NO_PASSWORD_HASH, type StoredHashFormat } from '../passwords/stored-hash.ts';
import { UniqueViolationError, type Queryable } from '../storage/index.ts';
import * as users from '../storage/users.ts';
import { parseImportLine, type ImportLineUser } from './import-line.ts';
import type { AuthServiceDeps } from './types.ts';

/** Lines checked against the database, and accounts inserted, per query. */
const BATCH_SIZE = 500;
/** Bad lines listed in a report; the rest are counted. */
export const MAX_LISTED_PROBLEMS = 1000;

/**
 * Where an import reads its lines: read twice, once to check every line and once to insert, so
 * that a file of any size is never held in memory.
 *
 * @example
 * const source: UserImportSource = { lines: () => readline.createInterface({ input: createReadStream(file), crlfDelay: Infinity }) };
 */
export interface UserImportSource {
  /** The lines from the first, without line endings. */
  lines(): AsyncIterable<string>;
}

export interface UserImportOptions {
  /** Check every line and report, but write nothing. */
  dryRun?: boolean;
  /** The Firebase project's hash parameters, when not given in the file's first line. */
  firebase?: FirebaseHashConfigInput;
}

/** A hash format of an imported account; `none` for an account without a password. */
export type ImportedHashFormat = StoredHashFormat | 'none';

export interface UserImportProblem {
  /** 1-based line number in the file. */
  line: number;
  message: string;
}

/**
 * What an import found and did. Never contains a hash.
 *
 * @example
 * const report = await service.importUsers(source, { dryRun: true });
 * if (report.problemCount === 0) console.log(`${report.users} accounts, bcrypt: ${report.formats.bcrypt ?? 0}`);
 */
export interface UserImportReport {
  dryRun: boolean;
  /** Valid account lines. */
  users: number;
  /** Accounts written: `users`, or 0 on a dry run or when any line is bad. */
  imported: number;
  /** Valid accounts per password hash format. */
  formats: Partial<Record<ImportedHashFormat, number>>;
  /** Valid accounts with `email_verified: true`. */
  emailVerified: number;
  /** The first {@link MAX_LISTED_PROBLEMS} bad lines, in file order. */
  problems: UserImportProblem[];
  /** Every bad line, listed or not. */
  problemCount: number;
}

/**
 * `sigil users import` as a use case (docs/server.md, "Importing users"): every line is checked
 * first (JSON, fields, hash format and parameters, duplicates in the file and in the database);
 * if any is bad nothing is written, otherwise every account is inserted in one transaction.
 * Imported hashes stay as they are until the account's first successful login rehashes them with
 * argon2id (auth-service.ts, login).
 *
 * @example
 * const { importUsers } = createUserImport(deps);
 * const report = await importUsers(source, { firebase: { signerKey, saltSeparator: 'Bw==', rounds: 8, memCost: 14 } });
 */
export function createUserImport(deps: Pick<AuthServiceDeps, 'db' | 'logger' | 'now'>) {
  const { db, logger, now } = deps;

  return {
    async importUsers(source: UserImportSource, options: UserImportOptions = {}): Promise<UserImportReport> {
      const givenFirebase = options.firebase && firebaseFromOptions(options.firebase);
      const checked = await check(source, givenFirebase);
      const report: UserImportReport = { ...checked.report, dryRun: options.dryRun === true };
      if (options.dryRun || report.problemCount > 0 || report.users === 0) return report;

      const at = now();
      await db.transaction(async (tx) => {
        const digest = createHash('sha256');
        let batch: users.ImportedUser[] = [];
        let inserted = 0;
        const flush = async () => {
          await insertBatch(tx, batch, at);
          inserted += batch.length;
          batch = [];
        };
        for await (const entry of readEntries(source, givenFirebase, digest)) {
          // The first pass found no bad line: one now means the file changed in between.
          if (entry.kind === 'problem') throw fileChanged();
          batch.push(toImportedUser(entry.user, at));
          if (batch.length >= BATCH_SIZE) await flush();
        }
        await flush();
        if (inserted !== report.users || digest.digest('hex') !== checked.digest) throw fileChanged();
      });
      logger.info({ event: 'users_imported', count: report.users, formats: report.formats }, 'users imported');
      return { ...report, imported: report.users };
    },
  };

  /** The first pass: every line parsed, every email checked; nothing written. */
  async function check(source: UserImportSource, givenFirebase: FirebaseHashConfig | undefined) {
    const report: UserImportReport = { dryRun: true, users: 0, imported: 0, formats: {}, emailVerified: 0, problems: [], problemCount: 0 };
    const firstLineOf = new Map<string, number>();
    const digest = createHash('sha256');
    const addProblem = (line: number, message: string) => {
      report.problemCount += 1;
      if (report.problems.length < MAX_LISTED_PROBLEMS) report.problems.push({ line, message });
    };
    let batch: Entry[] = [];
    // Per batch, so that bad lines are reported in file order and the database sees one query per batch.
    const flush = async () => {
      const candidates = batch.flatMap((entry) => (entry.kind === 'user' ? [entry.user.email] : []));
      const taken = await users.findTakenEmails(db, candidates);
      for (const entry of batch) {
        if (entry.kind === 'problem') {
          addProblem(entry.line, entry.message);
          continue;
        }
        const { user } = entry;
        const key = users.normalizeEmail(user.email);
        const first = firstLineOf.get(key);
        if (first !== undefined) {
          addProblem(entry.line, `email ${user.email} is also on line ${first}`);
          continue;
        }
        firstLineOf.set(key, entry.line);
        if (taken.has(key)) {
          addProblem(entry.line, `email ${user.email} already has an account`);
          continue;
        }
        report.users += 1;
        const format = user.hash?.format ?? 'none';
        report.formats[format] = (report.formats[format] ?? 0) + 1;
        if (user.emailVerified) report.emailVerified += 1;
      }
      batch = [];
    };
    for await (const entry of readEntries(source, givenFirebase, digest)) {
      batch.push(entry);
      if (batch.length >= BATCH_SIZE) await flush();
    }
    await flush();
    return { report, digest: digest.digest('hex') };
  }

  async function insertBatch(tx: Queryable, batch: users.ImportedUser[], at: Date) {
    try {
      await users.insertImportedUsers(tx, batch, at);
    } catch (error) {
      if (error instanceof UniqueViolationError) {
        throw new SigilError(
          'email_taken',
          'An email of the file got an account while the import ran: nothing was imported; run it again',
          {
            cause: error,
          },
        );
      }
      throw error;
    }
  }
}

type Entry = { kind: 'user'; line: number; user: ImportLineUser } | { kind: 'problem'; line: number; message: string };

/**
 * The source's account lines and bad lines, numbered from 1; blank lines are skipped, and a first
 * line `{"firebase_hash_config": …}` sets the Firebase parameters of the lines after it. Every
 * line read goes into `digest`, so the second pass can tell that it read the same file.
 */
async function* readEntries(source: UserImportSource, givenFirebase: FirebaseHashConfig | undefined, digest: Hash): AsyncGenerator<Entry> {
  let firebase = givenFirebase;
  let line = 0;
  let seenContent = false;
  for await (const raw of source.lines()) {
    line += 1;
    digest.update(raw).update('\n');
    // A byte order mark some editors write at the start of a UTF-8 file.
    const text = line === 1 ? raw.replace(/^\uFEFF/, '') : raw;
    if (text.trim() === '') continue;
    const first = !seenContent;
    seenContent = true;
    const parsed = parseImportLine(text, firebase);
    if (parsed.kind === 'user') {
      yield { kind: 'user', line, user: parsed.user };
    } else if (parsed.kind === 'problem') {
      yield { kind: 'problem', line, message: parsed.message };
    } else if (!first) {
      yield { kind: 'problem', line, message: 'firebase_hash_config must be the first line' };
    } else if (givenFirebase) {
      yield { kind: 'problem', line, message: 'the Firebase hash parameters are given both here and on the command line: give them once' };
    } else {
      try {
        firebase = parseFirebaseHashConfig(parsed.config);
      } catch (error) {
        if (!(error instanceof InvalidHashError)) throw error;
        yield { kind: 'problem', line, message: `firebase_hash_config: ${error.message}` };
      }
    }
  }
}

function firebaseFromOptions(input: FirebaseHashConfigInput): FirebaseHashConfig {
  try {
    return parseFirebaseHashConfig(input);
  } catch (error) {
    if (error instanceof InvalidHashError) {
      throw new SigilError('invalid_request', `Firebase hash parameters: ${error.message}`, {
        errors: [{ path: 'firebase', message: error.message }],
      });
    }
    throw error;
  }
}

function toImportedUser(user: ImportLineUser, at: Date): users.ImportedUser {
  return {
    email: user.email,
    name: user.name,
    roles: user.roles,
    passwordHash: user.hash?.stored ?? NO_PASSWORD_HASH,
    createdAt: user.createdAt ?? at,
    emailVerifiedAt: user.emailVerified ? at : null,
  };
}

function fileChanged(): SigilError {
  return new SigilError('invalid_request', 'The file changed while it was imported: nothing was imported; run the import again');
}
