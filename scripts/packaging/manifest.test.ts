import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { publishedManifest, restoreWorkspace, swapInPublished, WORKSPACE_MANIFEST } from './manifest.ts';

const workspace = {
  name: '@sigil/example',
  version: '1.0.0',
  exports: {
    '.': {
      'sigil-source': './src/index.ts',
      import: { types: './dist/index.d.ts', default: './dist/index.js' },
      require: { types: './dist/cjs/index.d.ts', default: './dist/cjs/index.js' },
    },
    './internal': { 'sigil-source': './src/internal.ts', types: './dist/internal.d.ts', default: './dist/internal.js' },
    './package.json': './package.json',
  },
  main: './dist/cjs/index.js',
  types: './dist/cjs/index.d.ts',
  scripts: { prepack: 'npm run build' },
  dependencies: { '@sigil/core': '1.0.0' },
  devDependencies: { vitest: '^5.0.0' },
};

describe('publishedManifest', () => {
  const published = publishedManifest(workspace);

  it('drops the sigil-source condition at any depth, and scripts and devDependencies', () => {
    expect(JSON.stringify(published)).not.toContain('sigil-source');
    expect(published['exports']).toEqual({
      '.': {
        import: { types: './dist/index.d.ts', default: './dist/index.js' },
        require: { types: './dist/cjs/index.d.ts', default: './dist/cjs/index.js' },
      },
      './internal': { types: './dist/internal.d.ts', default: './dist/internal.js' },
      './package.json': './package.json',
    });
    expect(published['scripts']).toBeUndefined();
    expect(published['devDependencies']).toBeUndefined();
    expect(published['dependencies']).toEqual(workspace.dependencies);
  });

  it('maps every subpath export for node10 resolution (typesVersions)', () => {
    expect(published['typesVersions']).toEqual({ '*': { internal: ['./dist/internal.d.ts'] } });
    expect(publishedManifest({ ...workspace, exports: { '.': workspace.exports['.'] } })['typesVersions']).toBeUndefined();
  });
});

describe('swapInPublished and restoreWorkspace', () => {
  it('put the published manifest in place and the workspace one back, byte for byte', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'sigil-manifest-'));
    try {
      const original = `${JSON.stringify(workspace, null, 2)}\n  `;
      writeFileSync(path.join(dir, 'package.json'), original);
      swapInPublished(dir);
      expect(readFileSync(path.join(dir, 'package.json'), 'utf8')).not.toContain('sigil-source');
      // A pack that died before postpack: the next prepack starts from the kept workspace manifest.
      swapInPublished(dir);
      expect(readFileSync(path.join(dir, WORKSPACE_MANIFEST), 'utf8')).toBe(original);
      restoreWorkspace(dir);
      expect(readFileSync(path.join(dir, 'package.json'), 'utf8')).toBe(original);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
