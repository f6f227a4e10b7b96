/**
 * Phase 2, rate limits across instances (counters in the shared Redis prefix):
 * - failed logins for one account from one IP, sent through nginx so they alternate between the
 *   two auth instances, lock out after `maxFailures` (429 with Retry-After), and the right
 *   password is refused during the lockout;
 * - `ipPerMinute` auth requests per IP hold across instances: request ipPerMinute+1 is a 429.
 */
import type { Cluster } from '../lib/cluster.ts';
import { answeredBy, call } from '../lib/http.ts';
import { newStats, newUser, signup, nextIp, type LoadContext } from '../lib/users.ts';
import { Counter } from '../lib/util.ts';
import type { PhaseResult } from './types.ts';

export interface RateLimitOptions {
  maxFailures: number;
  ipPerMinute: number;
}

export async function rateLimits(cluster: Cluster, options: RateLimitOptions): Promise<PhaseResult> {
  const failures: string[] = [];
  const ctx: LoadContext = { url: cluster.url, stats: newStats(), revokedKids: new Set(), refreshMarginMs: 1_000, thinkMs: 0 };
  const user = newUser('rl');
  if (!(await signup(ctx, user))) return { name: 'rate limits', lines: [], failures: ['could not sign up the test account'] };

  // Lockout: maxFailures wrong passwords, then two more wrong ones and the right one.
  const seq: string[] = [];
  const servedBeforeLockout = new Set<string>();
  let firstLockedAt = 0;
  let retryAfter: string | null = null;
  const attempts = options.maxFailures + 3;
  for (let i = 1; i <= attempts; i++) {
    const right = i === attempts;
    const reply = await call(`${cluster.url}/auth/login`, {
      json: { email: user.email, password: right ? user.password : `${user.password}-wrong` },
      ip: user.ip,
      timeoutMs: 15_000,
    });
    const by = answeredBy(reply) ?? '?';
    const name = cluster.auth.find((a) => a.addr === by)?.name ?? by;
    seq.push(`${i}${right ? '(right pw)' : ''}:${reply.status}@${name}`);
    if (reply.status === 429 && !firstLockedAt) {
      firstLockedAt = i;
      retryAfter = reply.retryAfter;
    }
    if (!firstLockedAt) servedBeforeLockout.add(by);
  }
  const statuses = seq.map((s) => Number(s.split(':')[1]!.split('@')[0]));
  const expected = [...Array(options.maxFailures).fill(401), 429, 429, 429];
  if (statuses.join() !== expected.join()) failures.push(`login lockout: got ${statuses.join(',')}, expected ${expected.join(',')}`);
  if (servedBeforeLockout.size < 2) failures.push('the failed logins did not reach both instances');
  if (!retryAfter || !(Number(retryAfter) >= 1)) failures.push(`429 without a usable Retry-After (${retryAfter})`);

  // Per-IP limit: cheap requests (logout of an unknown token answers 204) from one fresh IP.
  const ip = nextIp();
  const perIp = new Counter();
  const byInstance = new Counter();
  let first429 = 0;
  for (let i = 1; i <= options.ipPerMinute + 5; i++) {
    const reply = await call(`${cluster.url}/auth/logout`, { json: { refresh_token: `unknown-${i}` }, ip, timeoutMs: 10_000 });
    perIp.add(String(reply.status));
    byInstance.add(cluster.auth.find((a) => a.addr === answeredBy(reply))?.name ?? 'none');
    if (reply.status === 429 && !first429) first429 = i;
  }
  if (first429 !== options.ipPerMinute + 1)
    failures.push(`per-IP limit: first 429 at request ${first429}, expected ${options.ipPerMinute + 1}`);
  if (byInstance.counts.size < 2) failures.push('per-IP requests did not reach both instances');

  return {
    name: 'rate limits',
    lines: [
      `login lockout (limit ${options.maxFailures} failures, per account+IP): ${seq.join(' ')}`,
      `first 429 at attempt ${firstLockedAt}, Retry-After: ${retryAfter} s; failures before the lockout were answered by ${servedBeforeLockout.size} instances`,
      `per-IP limit (${options.ipPerMinute}/min): ${options.ipPerMinute + 5} requests from one IP -> ${perIp}; first 429 at request ${first429}; answered by ${byInstance}`,
    ],
    failures,
  };
}
