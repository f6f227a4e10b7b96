import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { PASSWORD, request, uniqueEmail } from './helpers/auth-server.ts';
import { TEST_DATABASE_URL, dropSchema, uniqueSchema } from './support/database.ts';

const script = fileURLToPath(new URL('./helpers/serve-child.ts', import.meta.url));

async function startChild(env: Record<string, string>): Promise<{ child: ChildProcess; url: string }> {
  const child = spawn(process.execPath, ['--conditions=sigil-source', script], {
    env: {
      ...process.env,
      NODE_OPTIONS: '',
      SIGIL_ISSUER: 'http://sigil.test',
      SIGIL_IP_REQUESTS_PER_MINUTE: '100000',
      SIGIL_SIGNUPS_PER_HOUR: '100000',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr!.on('data', (chunk) => (stderr += chunk));
  const url = await new Promise<string>((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (chunk) => {
      out += chunk;
      const line = out.split('\n').find((l) => l.startsWith('{'));
      if (line) resolve((JSON.parse(line) as { url: string }).url);
    });
    child.once('exit', (code) => reject(new Error(`server exited with ${code}: ${stderr}`)));
  });
  return { child, url };
}

function killHard(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    child.once('exit', () => resolve());
    child.kill('SIGKILL');
  });
}

const variants: Array<{ name: string; env: () => Promise<Record<string, string>>; cleanup: () => Promise<void> }> = [];
const tmpDirs: string[] = [];
variants.push({
  name: 'PGlite',
  env: async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'sigil-crash-'));
    tmpDirs.push(dir);
    return { SIGIL_DATA_DIR: path.join(dir, 'data') };
  },
  cleanup: async () => {
    for (const dir of tmpDirs) await rm(dir, { recursive: true, force: true });
  },
});
if (TEST_DATABASE_URL) {
  const schema = uniqueSchema('crash');
  variants.push({
    name: 'PostgreSQL',
    env: async () => ({ DATABASE_URL: TEST_DATABASE_URL!, SIGIL_DATABASE_SCHEMA: schema }),
    cleanup: () => dropSchema(schema),
  });
}

describe.each(variants)('kill -9 of the auth server ($name)', (variant) => {
  afterAll(() => variant.cleanup());

  it('every user acknowledged with 201 and every rotated refresh token survive', { timeout: 240_000 }, async () => {
    const env = await variant.env();
    const first = await startChild(env);
    const acknowledged: string[] = [];
    const rotated: string[] = [];
    let stop = false;

    // Signups from 4 concurrent clients; the server is killed while requests are in flight.
    const writer = async () => {
      while (!stop) {
        const email = uniqueEmail();
        try {
          const res = await request(`${first.url}/auth/signup`, { body: { email, password: PASSWORD } });
          if (res.status === 201) {
            acknowledged.push(email);
            const refreshed = await request(`${first.url}/auth/refresh`, { body: { refresh_token: res.body.refresh_token } });
            if (refreshed.status === 200) rotated.push(refreshed.body.refresh_token);
          }
        } catch {
          return; // connection dropped by the kill
        }
      }
    };
    const writers = Array.from({ length: 4 }, writer);
    while (acknowledged.length < 12) await new Promise((resolve) => setTimeout(resolve, 20));
    await killHard(first.child);
    stop = true;
    await Promise.all(writers);

    const second = await startChild(env);
    try {
      for (const email of acknowledged) {
        const res = await request(`${second.url}/auth/login`, { body: { email, password: PASSWORD } });
        expect(res.status, `user ${email} acknowledged before the crash`).toBe(200);
      }
      // A successor acknowledged before the crash must still be accepted (no session left refusing a valid token).
      for (const token of rotated) {
        expect((await request(`${second.url}/auth/refresh`, { body: { refresh_token: token } })).status).toBe(200);
      }
    } finally {
      await killHard(second.child);
    }
    expect(acknowledged.length).toBeGreaterThanOrEqual(12);
  });
});
