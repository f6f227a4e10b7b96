/**
 * `npm run pack`: one tarball per published package in ./dist-packages, named as `npm pack` names
 * them (sigil-core-0.1.0.tgz, ...). The TypeScript packages are packed by npm from their folders,
 * so their own `prepack` builds them and swaps in the published manifest (manifest.ts);
 * @sigil/angular is packed from ng-packagr's output (the Angular Package Format), not its folder.
 *
 * @example
 * npm run pack && ls dist-packages
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, readdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import { PUBLISHED_PACKAGES } from './packages.ts';

const root = path.resolve(import.meta.dirname, '../..');
const destination = path.join(root, 'dist-packages');
const npm = process.env.npm_execpath;

/** npm itself, as the script was started by it (npm run pack), else the `npm` on PATH. */
function runNpm(args: string[]): void {
  const [command, prefix] = npm ? [process.execPath, [npm]] : ['npm', []];
  execFileSync(command, [...prefix, ...args], { cwd: root, stdio: ['ignore', 'inherit', 'inherit'] });
}

rmSync(destination, { recursive: true, force: true });
mkdirSync(destination);

for (const pkg of PUBLISHED_PACKAGES) {
  if (pkg.packFrom === 'folder') {
    runNpm(['pack', '--workspace', pkg.name, '--pack-destination', destination, '--loglevel', 'warn']);
  } else {
    runNpm(['run', 'build', '--workspace', pkg.name, '--silent']);
    runNpm(['pack', path.join(root, pkg.dir, pkg.packFrom), '--pack-destination', destination, '--loglevel', 'warn']);
  }
}

const tarballs = readdirSync(destination).filter((file) => file.endsWith('.tgz'));
if (tarballs.length !== PUBLISHED_PACKAGES.length) {
  throw new Error(`expected ${PUBLISHED_PACKAGES.length} tarballs in dist-packages, found ${tarballs.join(', ') || 'none'}`);
}
process.stdout.write(`\n${tarballs.length} tarballs in dist-packages/: ${tarballs.join(', ')}\n`);
