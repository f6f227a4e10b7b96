/**
 * Child process for the durability test: opens a database through `openDatabase`, then inserts
 * users one at a time and prints each id only after its insert resolved (the "201"). The test
 * SIGKILLs it mid-stream and checks every printed id survived.
 *
 *   node --conditions=sigil-source insert-users-child.ts pglite <dataDir>
 *   node --conditions=sigil-source insert-users-child.ts postgres <url> <schema>
 */
import { writeSync } from 'node:fs';
import { openDatabase } from '../../src/storage/index.ts';
import { insertUser } from '../../src/storage/users.ts';

const [driver, target, schema = 'public'] = process.argv.slice(2);
if ((driver !== 'pglite' && driver !== 'postgres') || !target) {
  process.stderr.write('usage: insert-users-child.ts pglite <dataDir> | postgres <url> <schema>\n');
  process.exit(2);
}

const db = await openDatabase(
  driver === 'pglite'
    ? { dataDir: target, databaseSchema: schema, databaseUrl: undefined }
    : { dataDir: 'memory://', databaseSchema: schema, databaseUrl: target },
);
// writeSync: the line reaches the pipe before the next insert starts, never buffered in-process.
writeSync(1, 'ready\n');
for (let i = 0; ; i++) {
  const user = await insertUser(db, { email: `durable-${i}@example.test`, passwordHash: '$argon2id$test' }, new Date());
  writeSync(1, `${user.id}\n`);
}
