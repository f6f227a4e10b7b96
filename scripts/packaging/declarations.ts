/**
 * tsc rewrites `./x.ts` to `./x.js` in the JavaScript it emits (rewriteRelativeImportExtensions)
 * but not in the .d.ts files: those would name source files that the package does not ship. This
 * gives them the specifiers of the JavaScript next to them.
 *
 * @example
 * rewriteDeclarationExtensions('packages/core/dist'); // `from './problem.ts'` -> `from './problem.js'`
 */
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';

/** `from './a.ts'`, `import('../b.ts')`, `export * from "./c.ts"`: relative specifiers only. */
const RELATIVE_TS_SPECIFIER = /((?:from|import)\s*\(?\s*)(['"])(\.{1,2}\/[^'"]*?)\.ts\2/g;

/** Rewrites every .d.ts below `dir` in place. */
export function rewriteDeclarationExtensions(dir: string): void {
  for (const entry of readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (!entry.isFile() || !entry.name.endsWith('.d.ts')) continue;
    const file = path.join(entry.parentPath, entry.name);
    const text = readFileSync(file, 'utf8');
    const rewritten = text.replace(RELATIVE_TS_SPECIFIER, '$1$2$3.js$2');
    if (rewritten !== text) writeFileSync(file, rewritten);
  }
}
