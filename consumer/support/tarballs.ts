/**
 * The tarballs of `npm run pack` and what each must contain. A tarball is complete when every file
 * its manifest points at (`main`, `types`, `bin`, every `exports` / `typesVersions` target) and
 * every file its shipped code reaches by a relative path (`import`, `require`, `export ... from`,
 * `new URL('...', import.meta.url)`, source maps) is in it, with its README and LICENSE. A
 * missing one fails with a message naming the package and the file, before any app installs it.
 *
 * @example
 * const tarballs = findTarballs(path.join(root, 'dist-packages'));
 * for (const tarball of Object.values(tarballs)) assertComplete(tarball);
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

/** The five published packages, in dependency order. */
export const PACKAGE_NAMES = ['@sigil/core', '@sigil/express', '@sigil/client', '@sigil/server', '@sigil/angular'] as const;
export type PackageName = (typeof PACKAGE_NAMES)[number];

export interface Tarball {
  name: PackageName;
  file: string;
}

/** `@sigil/core` -> `sigil-core-`: how `npm pack` starts the file name. */
function tarballPrefix(name: string): string {
  return `${name.replace(/^@/, '').replace('/', '-')}-`;
}

/** One tarball per package in `dir`; throws naming each package that has none (or several). */
export function findTarballs(dir: string): Record<PackageName, Tarball> {
  const files = readdirSync(dir).filter((file) => file.endsWith('.tgz'));
  const found: Partial<Record<PackageName, Tarball>> = {};
  const problems: string[] = [];
  for (const name of PACKAGE_NAMES) {
    // The version follows the prefix: `sigil-core-0.1.0.tgz`, never `sigil-core-extra-...`.
    const matches = files.filter((file) => file.startsWith(tarballPrefix(name)) && /^\d/.test(file.slice(tarballPrefix(name).length)));
    if (matches.length === 1) found[name] = { name, file: path.join(dir, matches[0]!) };
    else problems.push(matches.length === 0 ? `no tarball for ${name}` : `several tarballs for ${name}: ${matches.join(', ')}`);
  }
  if (problems.length > 0) throw new Error(`${dir}: ${problems.join('; ')} (npm run pack writes one per package)`);
  return found as Record<PackageName, Tarball>;
}

/** The files in a tarball, relative to its `package/` folder. */
export function listFiles(file: string): string[] {
  return execFileSync('tar', ['-tzf', file], { encoding: 'utf8' })
    .split('\n')
    .filter((entry) => entry && !entry.endsWith('/'))
    .map((entry) => entry.replace(/^package\//, ''));
}

/** One file of a tarball as text. */
export function readFile(file: string, inner: string): string {
  return execFileSync('tar', ['-xzOf', file, `package/${inner}`], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
}

export type Manifest = Record<string, unknown>;

export function readManifest(file: string): Manifest {
  return JSON.parse(readFile(file, 'package.json')) as Manifest;
}

/** A file the package needs, and who needs it. */
export interface Need {
  file: string;
  neededBy: string;
}

/** Every string leaf of an `exports` / `typesVersions` value, with the condition path to it. */
function leaves(value: unknown, where: string): Need[] {
  if (typeof value === 'string') return [{ file: value, neededBy: where }];
  if (Array.isArray(value)) return value.flatMap((inner, index) => leaves(inner, `${where}[${index}]`));
  if (value === null || typeof value !== 'object') return [];
  return Object.entries(value).flatMap(([key, inner]) => leaves(inner, `${where}.${key}`));
}

/** What the manifest points at. */
function manifestNeeds(manifest: Manifest): Need[] {
  const needs: Need[] = [
    { file: 'README.md', neededBy: 'the package page' },
    { file: 'LICENSE', neededBy: 'the MIT license' },
  ];
  for (const field of ['main', 'types', 'typings', 'module']) {
    if (typeof manifest[field] === 'string') needs.push({ file: manifest[field], neededBy: `package.json "${field}"` });
  }
  const bin = manifest['bin'];
  if (typeof bin === 'string') needs.push({ file: bin, neededBy: 'package.json "bin"' });
  else if (bin && typeof bin === 'object') needs.push(...leaves(bin, 'package.json "bin"'));
  needs.push(...leaves(manifest['exports'], 'package.json "exports"'));
  needs.push(...leaves(manifest['typesVersions'], 'package.json "typesVersions"'));
  return needs;
}

const SPECIFIERS = [
  /\bfrom\s*['"](\.{1,2}\/[^'"]+)['"]/g,
  /\bimport\s*\(\s*['"](\.{1,2}\/[^'"]+)['"]\s*\)/g,
  /\bimport\s+['"](\.{1,2}\/[^'"]+)['"]/g,
  /\brequire\s*\(\s*['"](\.{1,2}\/[^'"]+)['"]\s*\)/g,
  /\bnew URL\(\s*['"](\.{1,2}\/[^'"]+)['"]\s*,\s*import\.meta\.url\s*\)/g,
  /\/\/# sourceMappingURL=([^\s'"]+\.map)\s*$/gm,
];

/** The files a shipped .js / .mjs / .cjs / .d.ts file reaches by a relative path. */
function codeNeeds(file: string, text: string): Need[] {
  const needs: Need[] = [];
  const dir = path.posix.dirname(file);
  for (const pattern of SPECIFIERS) {
    for (const match of text.matchAll(pattern)) {
      const specifier = match[1]!;
      const target = path.posix.normalize(path.posix.join(dir, specifier));
      // A declaration file's `./x.js` names the declarations of x.js.
      const needed = file.endsWith('.d.ts') && /\.[cm]?js$/.test(target) ? target.replace(/\.([cm]?)js$/, '.d.$1ts') : target;
      needs.push({ file: needed, neededBy: `${file} ("${specifier}")` });
    }
  }
  return needs;
}

/** A manifest path (`./dist/*.js` allowed) present among `files`. */
function present(files: ReadonlySet<string>, wanted: string): boolean {
  const normal = path.posix.normalize(wanted).replace(/^\.\//, '');
  if (!normal.includes('*')) return files.has(normal) || files.has(`${normal}.js`) || files.has(`${normal}/index.js`);
  const pattern = new RegExp(
    `^${normal
      .split('*')
      .map((part) => part.replace(/[.+?^${}()|[\]\\]/g, '\\$&'))
      .join('.+')}$`,
  );
  return [...files].some((file) => pattern.test(file));
}

/** What `tarball` needs and does not contain. */
export function missingFiles(tarball: Tarball): Need[] {
  const files = listFiles(tarball.file);
  const shipped = new Set(files);
  const unpacked = mkdtempSync(path.join(tmpdir(), 'sigil-tarball-'));
  try {
    execFileSync('tar', ['-xzf', tarball.file, '-C', unpacked]);
    const needs = manifestNeeds(readManifest(tarball.file));
    for (const file of files) {
      if (/\.(m|c)?js$|\.d\.(m|c)?ts$/.test(file))
        needs.push(...codeNeeds(file, readFileSync(path.join(unpacked, 'package', file), 'utf8')));
    }
    return needs.filter((need) => !present(shipped, need.file));
  } finally {
    rmSync(unpacked, { recursive: true, force: true });
  }
}

/** Throws, naming the package, the files and who needs them, when the tarball lacks any. */
export function assertComplete(tarball: Tarball): void {
  const missing = new Map<string, string[]>();
  for (const need of missingFiles(tarball)) missing.set(need.file, [...(missing.get(need.file) ?? []), need.neededBy]);
  if (missing.size === 0) return;
  const list = [...missing].map(([file, neededBy]) => {
    const shown = neededBy.slice(0, 3).join(', ');
    return `  ${file} (needed by ${shown}${neededBy.length > 3 ? ` and ${neededBy.length - 3} more` : ''})`;
  });
  throw new Error(
    `${tarball.name}: its tarball ${path.basename(tarball.file)} lacks ${missing.size} file(s) it needs:\n${list.join('\n')}`,
  );
}
