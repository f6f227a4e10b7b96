/**
 * The package.json a package is published with. In the workspace every export carries a
 * `sigil-source` condition pointing at src/*.ts (DEVELOPERS.md), which the tarball does not ship:
 * a consumer that enabled a condition of that name would resolve to a missing file. `prepack`
 * swaps in the published manifest (no `sigil-source`, no scripts, no devDependencies) and keeps
 * the workspace one beside it; `postpack` puts the workspace one back.
 *
 * @example
 * node ../../scripts/packaging/manifest.ts publish   # prepack
 * node ../../scripts/packaging/manifest.ts restore   # postpack
 */
import { copyFileSync, existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';

/** The workspace-only export condition (tsconfig.base.json `customConditions`). */
export const SOURCE_CONDITION = 'sigil-source';

/** Where `publish` keeps the workspace manifest until `restore` (ignored by git and by npm's `files`). */
export const WORKSPACE_MANIFEST = 'package.workspace.json';

export type Manifest = Record<string, unknown>;

/** `exports` / `imports` without the `sigil-source` condition, at any depth. */
export function withoutSourceCondition(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withoutSourceCondition);
  if (value === null || typeof value !== 'object') return value;
  return Object.fromEntries(
    Object.entries(value)
      .filter(([key]) => key !== SOURCE_CONDITION)
      .map(([key, inner]) => [key, withoutSourceCondition(inner)]),
  );
}

/** The `types` a resolver without `exports` support should take for one export's conditions. */
function node10Types(target: unknown): string | undefined {
  if (typeof target === 'string') return target.endsWith('.d.ts') ? target : undefined;
  if (target === null || typeof target !== 'object' || Array.isArray(target)) return undefined;
  const conditions = target as Record<string, unknown>;
  // node10 resolves like `require`, so the CommonJS declarations when there are two kinds.
  for (const key of ['require', 'types', 'default', 'import']) {
    const found = key === 'types' ? conditions.types : node10Types(conditions[key]);
    if (typeof found === 'string') return found;
  }
  return undefined;
}

/**
 * `typesVersions` for the subpath exports (`@sigil/client/internal`): TypeScript's `node10`
 * resolution ignores `exports`, and finds a subpath's declarations only through this map (the
 * package root has `types`). Undefined when there is no subpath.
 */
export function node10TypesVersions(exports: unknown): Record<string, Record<string, string[]>> | undefined {
  if (exports === null || typeof exports !== 'object' || Array.isArray(exports)) return undefined;
  const paths: Record<string, string[]> = {};
  for (const [subpath, target] of Object.entries(exports)) {
    if (!subpath.startsWith('./') || subpath === './package.json' || subpath.includes('*')) continue;
    const types = node10Types(target);
    if (types) paths[subpath.slice(2)] = [types];
  }
  return Object.keys(paths).length > 0 ? { '*': paths } : undefined;
}

/** The manifest as published: what a consumer's npm and resolvers read. */
export function publishedManifest(workspace: Manifest): Manifest {
  const { scripts: _scripts, devDependencies: _devDependencies, ...published } = workspace;
  for (const field of ['exports', 'imports'] as const) {
    if (field in published) published[field] = withoutSourceCondition(published[field]);
  }
  const typesVersions = node10TypesVersions(published.exports);
  if (typesVersions && !('typesVersions' in published)) published.typesVersions = typesVersions;
  return published;
}

function write(file: string, manifest: Manifest): void {
  writeFileSync(file, `${JSON.stringify(manifest, null, 2)}\n`);
}

/** prepack: the published manifest in place, the workspace one kept in package.workspace.json. */
export function swapInPublished(packageDir: string): void {
  const file = path.join(packageDir, 'package.json');
  const kept = path.join(packageDir, WORKSPACE_MANIFEST);
  // A pack that died between prepack and postpack left the published manifest in place: the kept
  // one is the real one.
  if (existsSync(kept)) renameSync(kept, file);
  // Byte for byte, so that postpack leaves no diff behind.
  copyFileSync(file, kept);
  const workspace = JSON.parse(readFileSync(file, 'utf8')) as Manifest;
  write(file, publishedManifest(workspace));
}

/** postpack: the workspace manifest back. */
export function restoreWorkspace(packageDir: string): void {
  const kept = path.join(packageDir, WORKSPACE_MANIFEST);
  if (existsSync(kept)) renameSync(kept, path.join(packageDir, 'package.json'));
}

if (import.meta.main) {
  const command = process.argv[2];
  if (command === 'publish') swapInPublished(process.cwd());
  else if (command === 'restore') restoreWorkspace(process.cwd());
  else {
    process.stderr.write('usage: manifest.ts publish|restore (in a package folder)\n');
    process.exit(2);
  }
}
