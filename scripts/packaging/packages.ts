/**
 * The published packages, in dependency order (a package comes after what it depends on), which
 * is the order they are built, packed and published in. They are versioned together
 * (.changeset/config.json `fixed`).
 *
 * @example
 * for (const pkg of PUBLISHED_PACKAGES) console.log(tarballName(pkg.name, '0.1.0'));
 */
export interface PublishedPackage {
  name: string;
  /** The workspace folder, relative to the repository root. */
  dir: string;
  /** `folder`: npm packs the workspace folder; otherwise the subfolder a build writes the package to. */
  packFrom: 'folder' | 'dist';
}

export const PUBLISHED_PACKAGES: readonly PublishedPackage[] = [
  { name: '@sigil/core', dir: 'packages/core', packFrom: 'folder' },
  { name: '@sigil/express', dir: 'packages/express', packFrom: 'folder' },
  { name: '@sigil/client', dir: 'packages/client', packFrom: 'folder' },
  { name: '@sigil/server', dir: 'packages/server', packFrom: 'folder' },
  { name: '@sigil/angular', dir: 'packages/angular', packFrom: 'dist' },
];

/** The file name `npm pack` gives a package's tarball: `@sigil/core` 0.1.0 -> `sigil-core-0.1.0.tgz`. */
export function tarballName(name: string, version: string): string {
  return `${name.replace(/^@/, '').replace('/', '-')}-${version}.tgz`;
}
