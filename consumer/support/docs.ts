/**
 * The code the consumer apps are made of, read from the guides: a fenced block right after an
 * HTML comment `<!-- consumer-test: NAME -->` in docs/express.md or docs/angular.md. Everything the
 * suite assumes about the guides' shape is here: the marker, the example URLs and port it swaps
 * for the run's own, the `// file.ts` first line of the Angular blocks, and the install lines.
 * A guide whose example changed so that these no longer hold fails here, by name.
 *
 * @example
 * const quickStart = docBlock('express.md', 'express-quickstart');
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';

const DOCS = path.resolve(import.meta.dirname, '../../docs');

/** The guides' example addresses, replaced with the run's servers. */
export const DOC_ISSUER = 'http://localhost:4000';
export const DOC_ANGULAR_ISSUER = 'https://auth.example.com';
export const DOC_ANGULAR_API = 'https://api.example.com';
/** The guides' Express apps listen with `app.listen(3000, ...)`. */
const DOC_LISTEN = 'app.listen(3000';

/** The fenced code block after `<!-- consumer-test: name -->` in docs/<doc>. */
export function docBlock(doc: string, name: string): string {
  const text = readFileSync(path.join(DOCS, doc), 'utf8');
  const marker = `<!-- consumer-test: ${name} -->`;
  const at = text.indexOf(marker);
  if (at < 0) throw new Error(`docs/${doc}: no "${marker}" (the consumer suite builds its app from that block)`);
  const block = /^\s*```[a-z]*\n([\s\S]*?)\n```/.exec(text.slice(at + marker.length));
  if (!block) throw new Error(`docs/${doc}: "${marker}" is not followed by a fenced code block`);
  return `${block[1]}\n`;
}

/** `code` with `from` replaced by `to`; throws when the guide no longer contains `from`. */
export function replaceInDoc(code: string, from: string, to: string, where: string): string {
  if (!code.includes(from)) throw new Error(`${where} no longer contains ${JSON.stringify(from)}: update consumer/support/docs.ts`);
  return code.split(from).join(to);
}

/**
 * An Express app of docs/express.md, for the run: the run's issuer, and the port from `PORT` so
 * that one build serves on several Node versions side by side.
 */
export function expressApp(name: 'express-quickstart' | 'express4-commonjs', issuer: string): string {
  const where = `docs/express.md block ${name}`;
  const code = replaceInDoc(docBlock('express.md', name), `'${DOC_ISSUER}'`, `'${issuer}'`, where);
  return replaceInDoc(code, DOC_LISTEN, 'app.listen(Number(process.env.PORT)', where);
}

/** The packages a guide's install line (`npm install a b`) names. */
export function installedPackages(doc: string, name: string): string[] {
  const line = docBlock(doc, name).trim();
  const match = /^npm install ((?:[@\w./-]+ ?)+)$/.exec(line);
  if (!match) throw new Error(`docs/${doc} block ${name} is not a single "npm install <packages>" line: ${line}`);
  return match[1]!.trim().split(/\s+/);
}

/** One Angular file of docs/angular.md: its name (the block's `// name.ts` first line) and code. */
export interface AngularFile {
  name: string;
  code: string;
}

/** The Angular blocks, for an `ng new` app's src/app, with the run's issuer and API origin. */
export function angularFiles(issuer: string, apiOrigin: string): AngularFile[] {
  return ['angular-app-config', 'angular-app-routes', 'angular-login', 'angular-home'].map((block) => {
    let code = docBlock('angular.md', block);
    const first = /^\/\/ ([\w.-]+\.ts)\n/.exec(code);
    if (!first) throw new Error(`docs/angular.md block ${block} does not start with a "// <file>.ts" line naming its file`);
    if (block === 'angular-app-config') {
      const where = `docs/angular.md block ${block}`;
      code = replaceInDoc(code, `'${DOC_ANGULAR_ISSUER}'`, `'${issuer}'`, where);
      code = replaceInDoc(code, `'${DOC_ANGULAR_API}'`, `'${apiOrigin}'`, where);
    }
    return { name: first[1]!, code };
  });
}
