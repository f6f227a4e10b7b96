/**
 * Child process for the PGlite directory-lock tests: tries to open `dataDir` and reports, on one
 * line of JSON, whether it could. Exits 0 when it opened (and closed) the database, 3 when refused.
 * With `--hold` it keeps the database open until its stdin ends.
 *
 *   node --conditions=sigil-source open-pglite-child.ts <dataDir> [--hold]
 */
import { once } from 'node:events';
import { openPGlite } from '../../src/storage/pglite.ts';

const [dataDir, mode] = process.argv.slice(2);
if (!dataDir) {
  process.stderr.write('usage: open-pglite-child.ts <dataDir> [--hold]\n');
  process.exit(2);
}
let db;
try {
  db = await openPGlite({ dataDir, schema: 'public' });
} catch (error) {
  process.stdout.write(`${JSON.stringify({ opened: false, pid: process.pid, message: (error as Error).message })}\n`);
  process.exit(3);
}
process.stdout.write(`${JSON.stringify({ opened: true, pid: process.pid })}\n`);
if (mode === '--hold') {
  process.stdin.resume();
  await once(process.stdin, 'end');
}
await db.close();
