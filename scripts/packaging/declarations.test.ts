import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { expect, it } from 'vitest';
import { rewriteDeclarationExtensions } from './declarations.ts';

it('gives .d.ts files the .js specifiers of their JavaScript, relative ones only', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'sigil-declarations-'));
  try {
    mkdirSync(path.join(dir, 'cjs'));
    const source = [
      "export { a } from './a.ts';",
      'export * from "../b.ts";',
      "import type { C } from './c/d.ts';",
      "export type E = import('./e.ts').E;",
      "import type { F } from 'some-package/f.ts';",
      '',
    ].join('\n');
    writeFileSync(path.join(dir, 'cjs', 'index.d.ts'), source);
    writeFileSync(path.join(dir, 'index.js'), "export { a } from './a.ts';\n");
    rewriteDeclarationExtensions(dir);
    expect(readFileSync(path.join(dir, 'cjs', 'index.d.ts'), 'utf8')).toBe(
      [
        "export { a } from './a.js';",
        'export * from "../b.js";',
        "import type { C } from './c/d.js';",
        "export type E = import('./e.js').E;",
        "import type { F } from 'some-package/f.ts';",
        '',
      ].join('\n'),
    );
    // JavaScript is tsc's to rewrite, and it does.
    expect(readFileSync(path.join(dir, 'index.js'), 'utf8')).toBe("export { a } from './a.ts';\n");
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
