/**
 * Child process: the real Sigil auth server (`createAuthServer`, in-memory PGlite or a PostgreSQL
 * schema, silent logs) with seeded users and, as part of this harness only, an event-loop delay
 * histogram (`perf_hooks.monitorEventLoopDelay`, 1 ms resolution) read and reset over IPC. Its
 * tokens carry the issuer servers/api.ts expects, so an API target can verify them.
 * argv[2]: JSON `{ users, alg?, hs256Secret?, databaseUrl?, databaseSchema?, hashThreads? }`.
 */
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { createAuthServer } from '@sigil/server';
import { answerParent } from '../lib/child.ts';
import { ISSUER } from '../lib/keys.ts';
import { BENCH_PASSWORD, benchEmail } from '../lib/targets.ts';

const config = JSON.parse(process.argv[2] ?? '{}') as {
  users?: number;
  alg?: 'RS256' | 'ES256' | 'EdDSA' | 'HS256';
  hs256Secret?: string;
  /** PostgreSQL instead of the in-memory PGlite, in its own schema (the parent drops it). */
  databaseUrl?: string;
  databaseSchema?: string;
  hashThreads?: number;
};

const auth = await createAuthServer({
  dataDir: 'memory://',
  ...(config.databaseUrl ? { databaseUrl: config.databaseUrl, databaseSchema: config.databaseSchema } : {}),
  logLevel: 'silent',
  issuer: ISSUER,
  alg: config.alg ?? 'RS256',
  ...(config.hs256Secret ? { hs256Secret: config.hs256Secret } : {}),
  // The load comes from one IP: lift the per-IP budgets (the per-account lockout stays).
  ipRequestsPerMinute: 100_000_000,
  signupsPerHour: 100_000_000,
  cookieMode: 'off',
  ...(config.hashThreads ? { hashThreads: config.hashThreads } : {}),
});
for (let i = 0; i < (config.users ?? 8); i++)
  await auth.createUser({ email: benchEmail(i), password: BENCH_PASSWORD, name: `Bench ${i}`, roles: ['user'] });

const delay = monitorEventLoopDelay({ resolution: 1 });
delay.enable();
const ms = (ns: number) => ns / 1e6;

answerParent({
  'eld-reset': () => void delay.reset(),
  eld: () => ({
    count: delay.count,
    min: ms(delay.min),
    mean: ms(delay.mean),
    p50: ms(delay.percentile(50)),
    p90: ms(delay.percentile(90)),
    p99: ms(delay.percentile(99)),
    max: ms(delay.max),
  }),
  memory: () => {
    globalThis.gc?.();
    return process.memoryUsage();
  },
});
const { port } = await auth.listen(0, '127.0.0.1');
process.send!({ type: 'listening', port });
