#!/usr/bin/env node
// Launcher of the `sigil` CLI: runs the compiled CLI (dist/cli.js) that the package ships. In the
// repository, `npm run sigil` runs the TypeScript sources instead (DEVELOPERS.md).
import { existsSync } from 'node:fs';

const [major = 0, minor = 0] = process.versions.node.split('.').map(Number);
if (major < 24 || (major === 24 && minor < 15)) {
  process.stderr.write(`sigil: needs Node 24.15 or later (this is Node ${process.versions.node})\n`);
  process.exit(2);
}

const cli = new URL('../dist/cli.js', import.meta.url);
if (!existsSync(cli)) {
  process.stderr.write(
    'sigil: dist/cli.js is missing: this copy of @sigil/server is not built (in the repository: npm run build -w @sigil/server)\n',
  );
  process.exit(2);
}
await import(cli.href);
