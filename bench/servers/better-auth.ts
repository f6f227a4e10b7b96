/**
 * Child process: Better Auth (email and password) in an Express app, on PostgreSQL in a schema of
 * its own (created and dropped by the parent). Its handler serves `/api/auth/*`; `GET /api/lessons`
 * answers only with a session, found by `auth.api.getSession` from the session cookie.
 * argv[2]: JSON {@link BetterAuthServerConfig}.
 */
import type { AddressInfo } from 'node:net';
import { hash, verify, type Algorithm } from '@node-rs/argon2';
import { betterAuth } from 'better-auth';
import { getMigrations } from 'better-auth/db/migration';
import { fromNodeHeaders, toNodeHandler } from 'better-auth/node';
import express from 'express';
import pg from 'pg';
import { answerParent } from '../lib/child.ts';
import { BENCH_PASSWORD, benchEmail, LESSONS } from '../lib/targets.ts';

export interface BetterAuthServerConfig {
  databaseUrl: string;
  schema: string;
  /** `argon2id`: Sigil's password parameters; `scrypt`: Better Auth's default. */
  hashing: 'argon2id' | 'scrypt';
  users: number;
}

const config = JSON.parse(process.argv[2]!) as BetterAuthServerConfig;

// Sigil's argon2id parameters (OWASP's minimum, docs/server.md#passwords), so both sides pay the
// same for a password. `Algorithm` is a const enum in the binding's typings; 2 is Argon2id.
const ARGON2ID = { algorithm: 2 as Algorithm, memoryCost: 19_456, timeCost: 2, parallelism: 1 };
const sigilHashing = {
  hash: (password: string) => hash(password, ARGON2ID),
  verify: ({ hash: stored, password }: { hash: string; password: string }) => verify(stored, password),
};

const pool = new pg.Pool({ connectionString: config.databaseUrl, options: `-c search_path=${config.schema}` });
const options = {
  database: pool,
  secret: 'bench-better-auth-secret-7c1e9a4f2d8b6e0a3c5f',
  baseURL: 'http://127.0.0.1',
  emailAndPassword: { enabled: true, ...(config.hashing === 'argon2id' ? { password: sigilHashing } : {}) },
  // The load comes from one address: no rate limit, as the Sigil server's per-IP budgets are lifted.
  rateLimit: { enabled: false },
  telemetry: { enabled: false },
};
const auth = betterAuth(options);
await (await getMigrations(options)).runMigrations();
for (let i = 0; i < config.users; i++)
  await auth.api.signUpEmail({ body: { email: benchEmail(i), password: BENCH_PASSWORD, name: `Bench ${i}` } });

const app = express();
app.all('/api/auth/*splat', toNodeHandler(auth));
app.get('/api/lessons', async (req, res) => {
  const session = await auth.api.getSession({ headers: fromNodeHeaders(req.headers) });
  if (!session) return void res.status(401).end();
  res.json(LESSONS);
});
const server = app.listen(0, '127.0.0.1');
await new Promise((resolve) => server.once('listening', resolve));
answerParent({});
process.send!({ type: 'listening', port: (server.address() as AddressInfo).port });
