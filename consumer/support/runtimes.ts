/**
 * Node 20, 22 and 24 for the consumer apps, each installed from the npm registry's `node` package
 * into the run's folder (its binary comes from the registry too), so the suite does not depend
 * on which Node the machine or the repository has. npm's cache makes later runs fast.
 *
 * @example
 * const node20 = await installRuntime(path.join(runDir, 'runtimes'), '20');
 */
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { NPM_INSTALL_FLAGS, runOk, type Runtime } from './commands.ts';

/** Installs `node@<major>` into `<parent>/node<major>` and checks that it runs. */
export async function installRuntime(parent: string, major: string): Promise<Runtime> {
  const dir = path.join(parent, `node${major}`);
  await mkdir(dir, { recursive: true });
  await writeFile(path.join(dir, 'package.json'), `${JSON.stringify({ name: `runtime-node${major}`, private: true }, null, 2)}\n`);
  // A registry download can stall with no answer: one more try after a time-out.
  const install = () => runOk('npm', ['install', `node@${major}`, ...NPM_INSTALL_FLAGS], { cwd: dir, runtime: null, timeoutMs: 150_000 });
  await install().catch(install);
  const runtime: Runtime = { major, binDir: path.join(dir, 'node_modules', 'node', 'bin') };
  const { stdout } = await runOk('node', ['--version'], { cwd: dir, runtime });
  if (!stdout.startsWith(`v${major}.`)) throw new Error(`node@${major} from the registry reports ${stdout.trim()}`);
  return runtime;
}
