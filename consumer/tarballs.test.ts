/**
 * The tarballs themselves: what each ships (and never ships), its published manifest, publint and
 * arethetypeswrong with no error, `npm publish --dry-run` through the release script, and the
 * completeness check failing clearly on a tarball that lacks a file.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { publint } from 'publint';
import { formatMessage } from 'publint/utils';
import { describe, expect, inject, it } from 'vitest';
import { run } from './support/commands.ts';
import { assertComplete, findTarballs, listFiles, PACKAGE_NAMES, readFile, readManifest, type PackageName } from './support/tarballs.ts';

const root = path.resolve(import.meta.dirname, '..');
const { tarballs, runtimes, dir } = inject('consumer');
const require = createRequire(import.meta.url);
const attw = path.join(path.dirname(require.resolve('@arethetypeswrong/cli/package.json')), 'dist/index.js');

/** A package with a CommonJS build answers `require`; the others are ESM only, on purpose. */
function isDual(manifest: Record<string, unknown>): boolean {
  return JSON.stringify(manifest['exports'] ?? {}).includes('"require"');
}

describe.each(PACKAGE_NAMES.map((name) => ({ name })))('$name tarball', ({ name }: { name: PackageName }) => {
  const tarball = tarballs[name];

  it('ships its build, README and LICENSE, and no source, test, map of a missing source or build info', () => {
    const files = listFiles(tarball);
    expect(files).toContain('package.json');
    expect(files).toContain('README.md');
    expect(readFile(tarball, 'LICENSE')).toBe(readFileSync(path.join(root, 'LICENSE'), 'utf8'));
    const unwanted = files.filter(
      (file) =>
        /(^|\/)(src|test)\//.test(file) ||
        /\.(test|spec)\.|tsbuildinfo|(^|\/)test-[\w-]+\.|package\.workspace\.json/.test(file) ||
        (/\.ts$/.test(file) && !/\.d\.[cm]?ts$/.test(file)),
    );
    expect(unwanted).toEqual([]);
  });

  it('is complete: every file its manifest and its code point at is in it', () => {
    expect(() => assertComplete({ name, file: tarball })).not.toThrow();
  });

  it('publishes a manifest without the workspace-only sigil-source condition or scripts', () => {
    const manifest = readManifest(tarball);
    expect(JSON.stringify(manifest)).not.toContain('sigil-source');
    expect(manifest['scripts']).toBeUndefined();
    expect(manifest['devDependencies']).toBeUndefined();
    expect(manifest['license']).toBe('MIT');
    expect(manifest['sideEffects']).toBeDefined();
    // Resolvers older than `exports` (node10) read these (publint checks the order of `exports`).
    expect(manifest['main'] ?? manifest['module']).toBeDefined();
    expect(manifest['types'] ?? manifest['typings']).toBeDefined();
  });

  it('passes publint with no error or warning', async () => {
    const buffer = readFileSync(tarball);
    const arrayBuffer = buffer.buffer.slice(buffer.byteOffset, buffer.byteOffset + buffer.byteLength) as ArrayBuffer;
    const { messages, pkg } = await publint({ pack: { tarball: arrayBuffer }, level: 'suggestion', strict: true });
    const problems = messages.filter((message) => message.type !== 'suggestion').map((message) => formatMessage(message, pkg));
    expect(problems).toEqual([]);
  });

  it('passes arethetypeswrong (node10, node16 CJS and ESM, bundler) with no problem', async () => {
    const manifest = readManifest(tarball);
    // ESM-only packages (the browser client, Angular's APF, the server) cannot be require()d by
    // design; every other rule applies to them as to the dual packages.
    const rules = isDual(manifest) ? [] : ['--ignore-rules', 'cjs-resolves-to-esm'];
    const result = await run('node', [attw, tarball, '--profile', 'strict', '--format', 'ascii', '--no-color', ...rules], {
      cwd: dir,
      runtime: runtimes['24'],
    });
    expect(result.code, `${result.stdout}\n${result.stderr}`).toBe(0);
  });
});

describe('release', () => {
  it('npm publish --dry-run succeeds for every tarball (npm run release -- --dry-run)', async () => {
    const result = await run(process.execPath, [path.join(root, 'scripts/packaging/publish.ts'), '--dry-run'], {
      cwd: root,
      runtime: runtimes['24'],
    });
    const output = `${result.stdout}\n${result.stderr}`;
    expect(result.code, output).toBe(0);
    for (const name of PACKAGE_NAMES) {
      const { version } = readManifest(tarballs[name]) as { version: string };
      expect(output).toContain(`+ ${name}@${version}`);
    }
  });
});

describe('a broken tarball', () => {
  it('fails with a message naming the package and the file it lacks', () => {
    const scratch = mkdtempSync(path.join(tmpdir(), 'sigil-broken-'));
    try {
      execFileSync('tar', ['-xzf', tarballs['@sigil/express'], '-C', scratch]);
      rmSync(path.join(scratch, 'package/dist/cjs/errors.js'));
      const broken = path.join(scratch, 'sigil-express-0.1.0.tgz');
      execFileSync('tar', ['-czf', broken, '-C', scratch, 'package']);
      expect(() => assertComplete({ name: '@sigil/express', file: broken })).toThrow(
        /^@sigil\/express: its tarball sigil-express-0\.1\.0\.tgz lacks 1 file\(s\) it needs:\n {2}dist\/cjs\/errors\.js \(needed by dist\/cjs\/\S+\.js \("\.\/errors\.js"\), .* and \d+ more\)$/,
      );
    } finally {
      rmSync(scratch, { recursive: true, force: true });
    }
  });

  it('fails naming the package whose tarball is missing from dist-packages', () => {
    const scratch = mkdtempSync(path.join(tmpdir(), 'sigil-packed-'));
    try {
      for (const name of PACKAGE_NAMES.filter((name) => name !== '@sigil/angular')) {
        writeFileSync(path.join(scratch, path.basename(tarballs[name])), readFileSync(tarballs[name]));
      }
      expect(() => findTarballs(scratch)).toThrow(/no tarball for @sigil\/angular/);
    } finally {
      rmSync(scratch, { recursive: true, force: true });
    }
  });
});
