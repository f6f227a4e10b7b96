import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createAuthServer } from '@sigil/server';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { seedDemoClient } from './demo-client.ts';

// What `npm start` registers for the demo web app, in an embedded database of its own, as
// scripts/start.ts does before the auth server starts.

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'sigil-demo-client-'));
});
afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

async function storedClients(dataDir: string) {
  const auth = await createAuthServer({ dataDir, logLevel: 'error', hashThreads: 1 });
  try {
    return await auth.clients.list();
  } finally {
    await auth.close(0);
  }
}

it('registers sigil-demo (public, first-party, both loopback spellings), and again over a changed copy', async () => {
  const env = { SIGIL_DATA_DIR: path.join(dir, 'data') };
  await seedDemoClient(env, 4200);
  const [seeded, ...others] = await storedClients(env.SIGIL_DATA_DIR);
  expect(others).toEqual([]);
  expect(seeded).toMatchObject({
    clientId: 'sigil-demo',
    confidential: false,
    firstParty: true,
    redirectUris: ['http://localhost:4200/auth/callback', 'http://127.0.0.1:4200/auth/callback'],
    postLogoutRedirectUris: [
      'http://localhost:4200/auth/callback',
      'http://127.0.0.1:4200/auth/callback',
      'http://localhost:4200/',
      'http://127.0.0.1:4200/',
    ],
    resources: [],
  });

  // Someone changed it (or an older start registered less): the next start puts it back.
  const auth = await createAuthServer({ dataDir: env.SIGIL_DATA_DIR, logLevel: 'error', hashThreads: 1 });
  try {
    await auth.clients.seed({ clientId: 'sigil-demo', name: 'Changed', redirectUris: ['http://localhost:9999/cb'] });
  } finally {
    await auth.close(0);
  }
  await seedDemoClient(env, 4200);
  expect(await storedClients(env.SIGIL_DATA_DIR)).toEqual([seeded]);
}, 120_000);
