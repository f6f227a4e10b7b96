/**
 * `npm run release`: publishes the tarballs in dist-packages (from `npm run pack`), in dependency
 * order, exactly as the consumer suite tested them. Each must be the current version of its
 * package. Extra arguments go to every `npm publish` (`-- --dry-run`, `-- --otp 123456`).
 * The whole procedure is in DEVELOPERS.md "Releasing".
 *
 * @example
 * npm run pack && npm run release -- --dry-run
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { PUBLISHED_PACKAGES, tarballName } from './packages.ts';

const root = path.resolve(import.meta.dirname, '../..');
const extra = process.argv.slice(2);
const npm = process.env.npm_execpath;

const tarballs = PUBLISHED_PACKAGES.map((pkg) => {
  const { version } = JSON.parse(readFileSync(path.join(root, pkg.dir, 'package.json'), 'utf8')) as { version: string };
  const file = path.join(root, 'dist-packages', tarballName(pkg.name, version));
  if (!existsSync(file)) throw new Error(`${pkg.name}@${version}: ${path.relative(root, file)} is missing (run npm run pack first)`);
  return { name: pkg.name, file };
});

for (const { name, file } of tarballs) {
  process.stdout.write(`publishing ${name} from ${path.relative(root, file)}\n`);
  const [command, prefix] = npm ? [process.execPath, [npm]] : ['npm', []];
  execFileSync(command, [...prefix, 'publish', file, '--access', 'public', ...extra], { cwd: root, stdio: 'inherit' });
}
