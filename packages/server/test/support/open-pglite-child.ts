/**
 * Child process for the PGlite directory-lock test: tries to open `dataDir` and reports, on one
 * line of JSON, whether it could. Exits 0 when it opened (and closed) the database, 3 when refused.
 *
 *   node --conditions=sigil-source open-pglite-child.ts <dataDir>
 */
import { openPGlite } from '../../src/storage/pglite.ts';

const dataDir = process.argv[2];
if (!dataDir) {
  process.stderr.write('usage: open-pglite-child.ts <dataDir>\n');
  process.exit(2);
}
try {
  const db = await openPGlite({ dataDir, schema: 'public' });
  await db.close();
  process.stdout.write(`${JSON.stringify({ opened: true, pid: process.pid })}\n`);
} catch (error) {
  process.stdout.write(`${JSON.stringify({ opened: false, pid: process.pid, message: (error as Error).message })}\n`);
  process.exitCode = 3;
}
