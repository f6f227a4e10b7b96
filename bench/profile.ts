/**
 * Where the time goes in Sigil's middleware: runs it in a tight loop under the V8 CPU profiler
 * (node:inspector) and prints the functions with the most self time.
 *
 *   node --conditions=sigil-source bench/profile.ts [hot|cold|miss] [RS256|ES256|EdDSA|HS256] [seconds]
 *
 * hot: same token (cache hit); cold: token cache off; miss: cache on, 1 200 distinct tokens.
 *
 *   node bench/profile.ts summarize FILE.cpuprofile
 *
 * prints the same summary for a profile written by `--cpu-prof` (e.g. a target server run with
 * BENCH_CHILD_ARGS="--cpu-prof --cpu-prof-dir=/tmp/prof").
 */
import { readFileSync } from 'node:fs';
import { Session, type Profiler } from 'node:inspector/promises';
import { requireAuth } from '@sigil/express';
import { startJwksServer } from './lib/jwks-server.ts';
import { ALGS, AUDIENCE, createKeyRing, HS256_SECRET, ISSUER, jwksOf, signToken, signTokens, type Alg } from './lib/keys.ts';

function summarize(profile: Profiler.Profile, title: string): void {
  const self = new Map<string, number>();
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const deltas = profile.timeDeltas ?? [];
  (profile.samples ?? []).forEach((id, i) => {
    const f = byId.get(id)!.callFrame;
    const where = f.url ? `${f.url.replace(/^.*\/(packages|bench|node_modules)\//, '$1/')}:${f.lineNumber + 1}` : '';
    const key = `${f.functionName || '(anonymous)'} ${where}`.trim();
    self.set(key, (self.get(key) ?? 0) + (deltas[i] ?? 0));
  });
  const total = [...self.values()].reduce((a, b) => a + b, 0);
  console.log(`${title}; self time:`);
  for (const [key, t] of [...self.entries()].sort((a, b) => b[1] - a[1]).slice(0, 25))
    console.log(`${((100 * t) / total).toFixed(1).padStart(5)}%  ${key}`);
}

if (process.argv[2] === 'summarize') {
  summarize(JSON.parse(readFileSync(process.argv[3]!, 'utf8')) as Profiler.Profile, process.argv[3]!);
  process.exit(0);
}

const mode = (process.argv[2] ?? 'cold') as 'hot' | 'cold' | 'miss';
const alg = (process.argv[3] ?? 'RS256') as Alg;
const seconds = Number(process.argv[4] ?? 3);
if (!ALGS.includes(alg) || !['hot', 'cold', 'miss'].includes(mode))
  throw new TypeError('usage: profile.ts [hot|cold|miss] [RS256|ES256|EdDSA|HS256] [seconds]');

const ring = await createKeyRing();
const jwks = await startJwksServer(jwksOf(ring));
const tokens = mode === 'miss' ? await signTokens(ring[alg], 1_200) : [await signToken(ring[alg])];
const headers = tokens.map((t) => `Bearer ${t}`);
const middleware = requireAuth({
  issuer: ISSUER,
  audience: AUDIENCE,
  algorithms: [alg],
  ...(alg === 'HS256' ? { secret: HS256_SECRET } : { jwksUri: jwks.jwksUri }),
  tokenCache: mode !== 'cold',
  onError: 'next',
});
await new Promise<void>((resolve, reject) =>
  middleware({ headers: { authorization: headers[0] } } as never, {} as never, (e?: unknown) => (e ? reject(e) : resolve())),
);

const session = new Session();
session.connect();
await session.post('Profiler.enable');
await session.post('Profiler.setSamplingInterval', { interval: 50 });
await session.post('Profiler.start');
let ops = 0;
const end = performance.now() + seconds * 1000;
const next = (error?: unknown) => {
  if (error) throw error;
};
while (performance.now() < end) {
  for (let i = 0; i < 256; i++) middleware({ headers: { authorization: headers[ops++ % headers.length] } } as never, {} as never, next);
}
const { profile } = await session.post('Profiler.stop');
session.disconnect();
await jwks.close();

summarize(profile, `${mode} ${alg}: ${Math.round(ops / seconds).toLocaleString('en-US')} ops/s under the profiler`);
