/**
 * `npm install` of Sigil packages in a consumer app, from the run's tarballs: a `@sigil/*` name
 * becomes the relative path of its tarball, together with the tarballs of the `@sigil/*` packages
 * it depends on (they are not on the registry yet, as for a user who installs from tarballs);
 * anything else comes from the registry.
 *
 * @example
 * await installPackages(app, runtime, tarballs, ['@sigil/express', 'express@5']);
 */
import { lstatSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { NPM_INSTALL_FLAGS, runOk, type Runtime } from './commands.ts';
import { PACKAGE_NAMES, readManifest, type PackageName } from './tarballs.ts';

function isSigil(name: string): name is PackageName {
  return (PACKAGE_NAMES as readonly string[]).includes(name);
}

/** The Sigil packages `names` need, themselves included, in dependency order. */
export function withSigilDependencies(names: readonly PackageName[], tarballs: Record<PackageName, string>): PackageName[] {
  const needed = new Set<PackageName>();
  const visit = (name: PackageName) => {
    if (needed.has(name)) return;
    needed.add(name);
    const dependencies = (readManifest(tarballs[name])['dependencies'] ?? {}) as Record<string, string>;
    for (const dependency of Object.keys(dependencies)) if (isSigil(dependency)) visit(dependency);
  };
  names.forEach(visit);
  return PACKAGE_NAMES.filter((name) => needed.has(name));
}

/**
 * Installs `specs` (package names, `name@range`) into `dir`, with whatever its package.json
 * already lists (an app's devDependencies), in one `npm install`.
 */
export async function installPackages(
  dir: string,
  runtime: Runtime,
  tarballs: Record<PackageName, string>,
  specs: readonly string[],
): Promise<void> {
  const sigil = withSigilDependencies(specs.filter(isSigil), tarballs);
  const fromTarballs = sigil.map((name) => path.relative(dir, tarballs[name]));
  const fromRegistry = specs.filter((spec) => !isSigil(spec));
  await runOk('npm', ['install', ...fromTarballs, ...fromRegistry, ...NPM_INSTALL_FLAGS], { cwd: dir, runtime });
  assertOutsideWorkspace(dir);
}

const workspace = path.resolve(import.meta.dirname, '../..');

/** The app's lockfile names no workspace path, and its @sigil packages are real folders, not links. */
export function assertOutsideWorkspace(dir: string): void {
  const lock = readFileSync(path.join(dir, 'package-lock.json'), 'utf8');
  if (lock.includes(workspace)) throw new Error(`${dir}/package-lock.json refers to the workspace (${workspace})`);
  const scope = path.join(dir, 'node_modules', '@sigil');
  for (const entry of readdirSync(scope)) {
    if (lstatSync(path.join(scope, entry)).isSymbolicLink()) throw new Error(`${scope}/${entry} is a link, not an installed tarball`);
  }
}
