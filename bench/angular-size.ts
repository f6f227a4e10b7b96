/**
 * Benchmark 5: what @sigil/angular adds to an app's JavaScript, gzip-compressed. The library's
 * built FESM bundle (packages/angular/dist, from ng-packagr) and the @sigil/client it pulls in are
 * bundled with esbuild, minified, with Angular, rxjs and tslib external (the app has them anyway),
 * and gzip -9 compressed. The entry imports everything an app uses (provideSigilAuth, AuthService,
 * authInterceptor, authGuard, roleGuard), so this is an upper bound of the app's growth; so is
 * counting the bundle's `import` statements for the externals (~0.2 kB gzip), which an app's own
 * bundle, where Angular is inlined, does not have.
 *
 * The FESM holds Angular's partial declarations (`ɵɵngDeclareInjectable`, ...). An app's production
 * build first runs the Angular linker over them and then defines `ngDevMode` (and `ngJitMode`) as
 * false, which drops dev-only code such as signal debug names and `ɵsetClassMetadata`. The headline
 * numbers do the same: the FESM goes through `@angular/compiler-cli/linker/babel` before esbuild,
 * with both flags defined as false.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { brotliCompressSync, gzipSync, constants } from 'node:zlib';
import { transformAsync } from '@babel/core';
import linkerPlugin from '@angular/compiler-cli/linker/babel';
import { build, type Plugin } from 'esbuild';

export interface AngularSizeResult {
  available: boolean;
  reason?: string;
  fesmBuiltAt?: string;
  /** bytes */
  total?: { minified: number; gzip: number; brotli: number };
  angularOnly?: { minified: number; gzip: number };
  clientOnly?: { minified: number; gzip: number };
  demoApp?: { files: number; gzip: number };
  /**
   * What Sigil adds to a built app: two minimal Angular apps (router with guarded routes,
   * HttpClient with interceptors) built by the Angular CLI, without and with Sigil wired in.
   */
  appDelta?: { gzip: number; minified: number; without: { gzip: number; minified: number }; withSigil: { gzip: number; minified: number } };
}

/**
 * The target: what an app with the login + interceptor + guard path (bench/size-app's with-sigil
 * app: `provideSigilAuth` in cookie mode, `authInterceptor`, `authGuard`, `roleGuard`) grows by,
 * gzip, built by the Angular CLI. Later features get entry points of their own, so an app pays only
 * for what it imports.
 */
export const ANGULAR_BUDGET_BYTES = 6000;

const root = fileURLToPath(new URL('..', import.meta.url));
const FESM = `${root}packages/angular/dist/fesm2022/sigil-angular.mjs`;
const EXTERNAL = ['@angular/*', 'rxjs', 'rxjs/*', 'tslib'];

/** Feeds esbuild the FESM after the Angular linker, as an app's production build sees it. */
function angularLinker(): Plugin {
  let linked: Promise<string> | undefined;
  return {
    name: 'angular-linker',
    setup(builder) {
      builder.onLoad({ filter: /\.mjs$/ }, async (args) => {
        if (args.path !== FESM) return undefined;
        linked ??= link(args.path);
        return { contents: await linked, loader: 'js' };
      });
    },
  };
}

async function link(filename: string): Promise<string> {
  const result = await transformAsync(readFileSync(filename, 'utf8'), {
    filename,
    plugins: [linkerPlugin],
    configFile: false,
    babelrc: false,
  });
  if (typeof result?.code !== 'string') throw new Error(`the Angular linker returned no code for ${filename}`);
  return result.code;
}

async function bundle(contents: string, external: string[], plugins: Plugin[]): Promise<string> {
  const out = await build({
    stdin: { contents, resolveDir: root, loader: 'js' },
    bundle: true,
    write: false,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    minify: true,
    legalComments: 'none',
    conditions: ['sigil-source'],
    external,
    // What an Angular production build defines: dev-mode-only code is dropped.
    define: { ngDevMode: 'false', ngJitMode: 'false' },
    plugins,
    logLevel: 'silent',
  });
  return out.outputFiles[0]!.text;
}

const gzip = (text: string | Buffer) => gzipSync(text, { level: 9 }).length;

export async function runAngularSize(log: (line: string) => void): Promise<AngularSizeResult> {
  if (!existsSync(FESM)) {
    const reason = 'packages/angular/dist is not built (npm run build -w @sigil/angular)';
    log(`angular ${reason}`);
    return { available: false, reason };
  }
  // cookieSession(): the recommended storage mode (the default, memory, ships less).
  const entry = `export { provideSigilAuth, AuthService, authInterceptor, authGuard, roleGuard, cookieSession } from ${JSON.stringify(FESM)};`;
  const linker = angularLinker();
  const all = await bundle(entry, EXTERNAL, [linker]);
  const angularOnly = await bundle(entry, [...EXTERNAL, '@sigil/client'], [linker]);
  const clientOnly = await bundle(`export * from '@sigil/client';`, EXTERNAL, []);
  const result: AngularSizeResult = {
    available: true,
    fesmBuiltAt: statSync(FESM).mtime.toISOString(),
    total: {
      minified: Buffer.byteLength(all),
      gzip: gzip(all),
      brotli: brotliCompressSync(all, { params: { [constants.BROTLI_PARAM_QUALITY]: 11 } }).length,
    },
    angularOnly: { minified: Buffer.byteLength(angularOnly), gzip: gzip(angularOnly) },
    clientOnly: { minified: Buffer.byteLength(clientOnly), gzip: gzip(clientOnly) },
  };
  result.appDelta = await measureAppDelta();
  const demoDir = `${root}apps/web/dist/browser`;
  if (existsSync(demoDir)) {
    const files = readdirSync(demoDir).filter((f) => f.endsWith('.js'));
    result.demoApp = { files: files.length, gzip: files.reduce((sum, f) => sum + gzip(readFileSync(`${demoDir}/${f}`)), 0) };
  }
  log(
    `angular added to an app (bundle with Sigil − bundle without): ${result.appDelta.gzip} B gzip (${result.appDelta.withSigil.gzip} − ${result.appDelta.without.gzip}), target <= ${ANGULAR_BUDGET_BYTES} B`,
  );
  log(
    `angular @sigil/angular + @sigil/client: ${result.total!.gzip} B gzip (${result.total!.minified} B minified); angular part ${result.angularOnly!.gzip} B, client ${result.clientOnly!.gzip} B`,
  );
  return result;
}

/**
 * The app-delta measurement: bench/size-app holds two Angular apps, the same but for Sigil (see
 * their sources), built by the Angular CLI's production application builder exactly as an app is:
 * AOT templates, the build optimizer, tree shaking, minification. The difference of their gzip
 * JavaScript is what a user downloads because of Sigil, compressed together with the app.
 */
async function measureAppDelta(): Promise<NonNullable<AngularSizeResult['appDelta']>> {
  const appDir = `${root}bench/size-app`;
  const ng = createRequire(import.meta.url).resolve('@angular/cli/bin/ng.js');
  const sizes = [];
  for (const project of ['without-sigil', 'with-sigil']) {
    rmSync(`${appDir}/dist/${project}`, { recursive: true, force: true });
    const built = spawnSync(process.execPath, [ng, 'build', project], {
      cwd: appDir,
      encoding: 'utf8',
      env: { ...process.env, NG_CLI_ANALYTICS: 'false' },
    });
    if (built.status !== 0) throw new Error(`ng build ${project} failed:\n${built.stdout}\n${built.stderr}`);
    const dir = `${appDir}/dist/${project}/browser`;
    const files = readdirSync(dir)
      .filter((f) => f.endsWith('.js'))
      .map((f) => readFileSync(`${dir}/${f}`));
    sizes.push({ gzip: files.reduce((sum, f) => sum + gzip(f), 0), minified: files.reduce((sum, f) => sum + f.length, 0) });
  }
  const [without, withSigil] = sizes as [{ gzip: number; minified: number }, { gzip: number; minified: number }];
  return { gzip: withSigil.gzip - without.gzip, minified: withSigil.minified - without.minified, without, withSigil };
}
