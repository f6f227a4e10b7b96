#!/usr/bin/env node
// Launcher of the `sigil` CLI: the published build (dist/cli.js) when there is one, else the
// TypeScript sources, run by Node 24's type stripping with the `sigil-source` condition.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const built = new URL('../dist/cli.js', import.meta.url);
const source = new URL('../src/cli.ts', import.meta.url);

if (existsSync(built)) {
  await import(built.href);
} else if (process.execArgv.some((arg) => arg.includes('sigil-source'))) {
  await import(source.href);
} else {
  const [major] = process.versions.node.split('.').map(Number);
  if (major < 24) {
    process.stderr.write(
      `sigil: running from sources needs Node 24 (this is Node ${process.versions.node}): use npx sigil or npm run sigil, or build with npm run build\n`,
    );
    process.exit(2);
  }
  const child = spawn(process.execPath, ['--conditions=sigil-source', fileURLToPath(source), ...process.argv.slice(2)], {
    stdio: 'inherit',
  });
  // The child handles SIGTERM/SIGINT itself (graceful shutdown); forward the ones sent to us only.
  for (const signal of ['SIGTERM', 'SIGINT', 'SIGHUP']) process.on(signal, () => child.kill(signal));
  child.on('exit', (code, signal) => {
    if (signal) process.kill(process.pid, signal);
    else process.exit(code ?? 1);
  });
}
