/**
 * Typechecks a package's emitted .d.ts files as a consumer's compiler would with `skipLibCheck`
 * off. It catches what a build can emit without an error: a re-export of a declaration that
 * `stripInternal` removed (the export then silently becomes `any` for consumers that skip lib
 * checks, and an error for those that do not), or a specifier naming a file that is not shipped.
 *
 * @example
 * checkDeclarations('packages/core/dist');
 */
import { execFileSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { createRequire } from 'node:module';

const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');

/** Throws with tsc's report when a .d.ts below `dist` does not typecheck. */
export function checkDeclarations(dist: string): void {
  const files = readdirSync(dist, { recursive: true, encoding: 'utf8' }).filter((file) => file.endsWith('.d.ts'));
  if (files.length === 0) throw new Error(`${dist}: no .d.ts files were emitted`);
  // nodenext reads each file's format from the nearest package.json, so dist/ (ESM) and dist/cjs
  // (CommonJS) are each checked as what they are.
  const options = ['--ignoreConfig', '--noEmit', '--skipLibCheck', 'false', '--strict', '--module', 'nodenext'];
  const platform = ['--target', 'es2024', '--lib', 'es2024,dom,dom.iterable', '--types', 'node'];
  let report = '';
  try {
    execFileSync(process.execPath, [tsc, ...options, ...platform, ...files], { cwd: dist, encoding: 'utf8', stdio: 'pipe' });
  } catch (error) {
    report = (error as { stdout?: string }).stdout ?? String(error);
  }
  // Dependencies' own declarations are theirs to fix (and a consumer's skipLibCheck covers them):
  // only errors located in this package's files count, and errors of the run itself (bad options).
  const ours = report
    .split('\n')
    .filter((line) => /^[^.\s][^(]*\.d\.ts\(\d+,\d+\): error|^error /.test(line))
    .join('\n');
  if (ours) {
    throw new Error(
      `${dist}: the emitted declarations do not typecheck. An entry point re-exports something marked @internal (removed by stripInternal), or a .d.ts names a file that is not emitted:\n${ours}`,
    );
  }
}
