/**
 * A new Angular app as a user makes one: `ng new` with the Angular CLI 22 from the registry
 * (standalone, zoneless, no SSR, no git), then its `npm install`, in `dir`/`name`.
 *
 * @example
 * const appDir = await ngNew(run.dir, 'consumer-app', node24);
 */
import path from 'node:path';
import { NPM_INSTALL_FLAGS, runOk, type Runtime } from './commands.ts';

export async function ngNew(dir: string, name: string, runtime: Runtime): Promise<string> {
  const ng = [
    '--yes',
    '@angular/cli@22',
    'new',
    name,
    '--defaults',
    '--skip-git',
    '--skip-install',
    '--ssr=false',
    '--style=css',
    '--interactive=false',
  ];
  await runOk('npx', ng, { cwd: dir, runtime });
  const appDir = path.join(dir, name);
  await runOk('npm', ['install', ...NPM_INSTALL_FLAGS], { cwd: appDir, runtime });
  return appDir;
}

/** `ng build` (production, the default configuration); returns the folder of the browser files. */
export async function ngBuild(appDir: string, name: string, runtime: Runtime): Promise<string> {
  await runOk('npx', ['ng', 'build'], { cwd: appDir, runtime, timeoutMs: 420_000 });
  return path.join(appDir, 'dist', name, 'browser');
}
