/**
 * @sigil/express in fresh apps, written as docs/express.md shows them: the quick start as an
 * Express 5 TypeScript app (strict, built with `moduleResolution` nodenext and node10, `req.auth`
 * typed), and the CommonJS Express 4 app. Each accepts a token of the tarball auth server, answers
 * 401 to a forged one and 403 without the role, on Node 20, 22 and 24.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { beforeAll, describe, expect, inject, it } from 'vitest';
import { accessToken, forge } from './support/auth-server.ts';
import { runOk, type Runtime } from './support/commands.ts';
import { expressApp, installedPackages } from './support/docs.ts';
import { installPackages } from './support/install.ts';
import { freePort, startProcess } from './support/processes.ts';

const { dir, tarballs, runtimes, server } = inject('consumer');
const NODES = [runtimes['24'], runtimes['22'], runtimes['20']];

/** Not from the guide: proves `req.auth` is typed (neither missing nor `any`) in a consumer app. */
const TYPING_CHECK = `import type { Request } from 'express';
import type { SigilClaims } from '@sigil/express';

export function claims(req: Request): SigilClaims | undefined {
  return req.auth;
}

export function subject(req: Request): string | undefined {
  return req.auth?.sub;
}

// @ts-expect-error -- req.auth is SigilClaims, not any: its sub is no number
export const notANumber = (req: Request): number | undefined => req.auth?.sub;
`;

let adminToken = '';
let memberToken = '';

beforeAll(async () => {
  adminToken = await accessToken(server.issuer, server.admin);
  memberToken = await accessToken(server.issuer, server.member);
});

async function json(file: string, value: unknown): Promise<void> {
  await writeFile(file, `${JSON.stringify(value, null, 2)}\n`);
}

/** Starts `entry` on `runtime` and checks what an API user sees; stops it. */
async function expectApi(appDir: string, entry: string, runtime: Runtime): Promise<void> {
  const port = await freePort();
  const api = await startProcess('node', [entry], { cwd: appDir, runtime, env: { PORT: String(port) }, ready: /API on / });
  try {
    const base = `http://127.0.0.1:${port}`;
    const me = await fetch(`${base}/api/me`, { headers: { Authorization: `Bearer ${adminToken}` } });
    expect(me.status).toBe(200);
    expect(await me.json()).toMatchObject({ sub: expect.any(String), roles: ['admin'] });

    const anonymous = await fetch(`${base}/api/me`);
    expect(anonymous.status).toBe(401);
    expect(anonymous.headers.get('www-authenticate')).toBe('Bearer realm="sigil"');

    const forged = await fetch(`${base}/api/me`, { headers: { Authorization: `Bearer ${forge(memberToken)}` } });
    expect(forged.status).toBe(401);
    expect(forged.headers.get('www-authenticate')).toContain('error="invalid_token"');
    expect(forged.headers.get('content-type')).toContain('application/problem+json');

    const member = await fetch(`${base}/api/lessons`, { method: 'POST', headers: { Authorization: `Bearer ${memberToken}` } });
    expect(member.status).toBe(403);
    const created = await fetch(`${base}/api/lessons`, { method: 'POST', headers: { Authorization: `Bearer ${adminToken}` } });
    expect(created.status).toBe(201);
  } finally {
    await api.stop();
  }
  expect(api.output()).not.toMatch(/Error|Warning/);
}

describe('an Express 5 app in TypeScript, as docs/express.md quick start shows', () => {
  const app = path.join(dir, 'express5-app');

  beforeAll(async () => {
    await mkdir(path.join(app, 'src'), { recursive: true });
    await json(path.join(app, 'package.json'), {
      name: 'express5-app',
      private: true,
      type: 'module',
      devDependencies: { typescript: '~6.0.3', '@types/express': '^5.0.0', '@types/node': '^24.0.0' },
    });
    // The guide's install line, with the Sigil packages from their tarballs.
    await installPackages(app, runtimes['24'], tarballs, installedPackages('express.md', 'express-install'));
    await writeFile(path.join(app, 'src/server.ts'), expressApp('express-quickstart', server.issuer));
    await writeFile(path.join(app, 'src/typing.ts'), TYPING_CHECK);
    const strict = { strict: true, target: 'es2022', skipLibCheck: false, types: ['node'], rootDir: 'src' };
    await json(path.join(app, 'tsconfig.json'), {
      compilerOptions: { ...strict, module: 'nodenext', moduleResolution: 'nodenext', outDir: 'dist' },
      include: ['src'],
    });
    await json(path.join(app, 'tsconfig.node10.json'), {
      compilerOptions: {
        ...strict,
        module: 'commonjs',
        moduleResolution: 'node10',
        esModuleInterop: true,
        ignoreDeprecations: '6.0',
        outDir: 'dist-node10',
      },
      include: ['src'],
    });
  });

  it('typechecks and builds with moduleResolution nodenext (ESM)', async () => {
    await runOk('npx', ['tsc', '-p', 'tsconfig.json'], { cwd: app, runtime: runtimes['24'] });
  });

  it('typechecks and builds with moduleResolution node10 (CommonJS)', async () => {
    await runOk('npx', ['tsc', '-p', 'tsconfig.node10.json'], { cwd: app, runtime: runtimes['24'] });
    // The app's package.json says ESM; the node10 build is CommonJS.
    await json(path.join(app, 'dist-node10/package.json'), { type: 'commonjs' });
  });

  it.each(NODES.map((runtime) => ({ runtime, major: runtime.major })))(
    'accepts the server token and refuses a forged one, on Node $major (ESM build)',
    async ({ runtime }) => {
      await expectApi(app, 'dist/server.js', runtime);
    },
  );

  it('runs its node10 (CommonJS) build on Node 20', async () => {
    await expectApi(app, 'dist-node10/server.js', runtimes['20']);
  });
});

describe('a CommonJS Express 4 app, as docs/express.md "Express 4" shows', () => {
  const app = path.join(dir, 'express4-app');

  beforeAll(async () => {
    await mkdir(app, { recursive: true });
    await json(path.join(app, 'package.json'), { name: 'express4-app', private: true });
    await installPackages(app, runtimes['20'], tarballs, ['@sigil/express', 'express@4']);
    await writeFile(path.join(app, 'server.js'), expressApp('express4-commonjs', server.issuer));
  });

  it.each(NODES.map((runtime) => ({ runtime, major: runtime.major })))(
    'requires @sigil/express, accepts the server token and refuses a forged one, on Node $major',
    async ({ runtime }) => {
      await expectApi(app, 'server.js', runtime);
    },
  );
});
