import { execFile } from 'node:child_process';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
const project = fileURLToPath(new URL('./express4/tsconfig.json', import.meta.url));

describe('Express 4 compatibility', () => {
  it('typechecks an Express 4 app using requireAuth, requireRole, requireScope, requireAuthLevel, createSigil and sigilErrorHandler', async () => {
    // The Express 5 twin (test/express5-types.ts) is checked by the package's own tsconfig.
    // execFile rejects on a non-zero exit: the exit code and tsc's diagnostics are both checked.
    const result = await promisify(execFile)(process.execPath, [tsc, '-p', project], { encoding: 'utf8' }).then(
      ({ stdout }) => ({ code: 0, stdout }),
      (error: { stdout: string; code: number }) => ({ code: error.code, stdout: error.stdout }),
    );
    expect(result.stdout).toBe('');
    expect(result.code).toBe(0);
  }, 60_000);
});
