/**
 * `npm run build` of a TypeScript package (run in its folder): a clean dist/ from its sources,
 * as published. `--cjs` adds the CommonJS twin in dist/cjs (for `require`, see docs/express.md
 * "Express 4"). Every package's `prepack` runs it, so a tarball never holds a stale build.
 *
 * @example
 * node ../../scripts/packaging/build-package.ts --cjs
 */
import { execFileSync } from 'node:child_process';
import { existsSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { checkDeclarations } from './check-declarations.ts';
import { rewriteDeclarationExtensions } from './declarations.ts';

const packageDir = process.cwd();
const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
const withCjs = process.argv.includes('--cjs');

function run(args: string[]): void {
  execFileSync(process.execPath, [tsc, ...args], { cwd: packageDir, stdio: 'inherit' });
}

// `tsc -b` trusts its build info over the outputs: removing dist/ alone would leave it "up to
// date" and emit nothing, so both go.
rmSync(path.join(packageDir, 'dist'), { recursive: true, force: true });
rmSync(path.join(packageDir, 'tsconfig.tsbuildinfo'), { force: true });

run(['-b', 'tsconfig.json']);
if (withCjs) {
  if (!existsSync(path.join(packageDir, 'tsconfig.cjs.json'))) throw new Error(`${packageDir}: --cjs needs a tsconfig.cjs.json`);
  run(['-p', 'tsconfig.cjs.json']);
  // dist/ is ESM (the package's "type": "module"); this scope makes dist/cjs CommonJS, its .d.ts included.
  writeFileSync(path.join(packageDir, 'dist/cjs/package.json'), `${JSON.stringify({ type: 'commonjs' }, null, 2)}\n`);
}
rewriteDeclarationExtensions(path.join(packageDir, 'dist'));
checkDeclarations(path.join(packageDir, 'dist'));
