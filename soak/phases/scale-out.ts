/**
 * Phase 1, scale-out: N users sign up and loop (API call, refresh before expiry) through nginx
 * while a signup stream keeps creating accounts. At 40% of the phase one auth instance gets
 * `kill -9`; at 60% it is restarted on its port. Afterwards every user whose signup got a 201 must
 * log in: no lost users, no spurious logouts, no valid token refused.
 */
import type { Cluster } from '../lib/cluster.ts';
import { call } from '../lib/http.ts';
import { login, newStats, newUser, refresh, runUser, signup, type LoadContext, type SimUser } from '../lib/users.ts';
import { percentile, sleep } from '../lib/util.ts';
import type { PhaseResult } from './types.ts';

const BURST = 8;
const KILL_AFTER_BURST_MS = 15;

export interface ScaleOutOptions {
  users: number;
  durationMs: number;
  thinkMs: number;
  /** SIGIL_ACCESS_TTL of the auth instances (first refreshes are spread over it). */
  accessTtlS: number;
  log: (line: string) => void;
}

/** Runs `fn` over `items` with at most `limit` at once. */
async function pool<T>(items: T[], limit: number, fn: (item: T) => Promise<unknown>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(limit, items.length) }, async () => {
      while (next < items.length) await fn(items[next++]!);
    }),
  );
}

export async function scaleOut(cluster: Cluster, options: ScaleOutOptions): Promise<PhaseResult & { users: SimUser[] }> {
  const { log } = options;
  const stats = newStats();
  const ctx: LoadContext = {
    url: cluster.url,
    stats,
    revokedKids: new Set(),
    refreshMarginMs: 1_500,
    thinkMs: options.thinkMs,
    staggerMs: options.accessTtlS * 1000 - 1_500,
  };
  const failures: string[] = [];

  const users = Array.from({ length: options.users }, (_, i) => newUser(`u${i}`));
  // Burst users: at the kill, each fires a refresh and a new account a signup, so requests are
  // in flight on the killed instance (it answers them in milliseconds; a random kill rarely hits one).
  const burstCtx: LoadContext = { ...ctx, stats: newStats() };
  const burst = Array.from({ length: BURST }, (_, i) => newUser(`b${i}`));
  const burstSignups = Array.from({ length: BURST }, (_, i) => newUser(`k${i}`));
  const t0 = Date.now();
  await pool(users, 4, (u) => signup(ctx, u));
  await pool(burst, 4, (u) => signup(burstCtx, u));
  burstCtx.stats = newStats();
  log(`  ${users.filter((u) => u.created).length}/${users.length} users signed up in ${((Date.now() - t0) / 1000).toFixed(1)} s`);

  const start = Date.now();
  const deadline = start + options.durationMs;
  const victim = cluster.auth[1]!;
  const events: string[] = [];
  const streamUsers: SimUser[] = [];

  let burstDone: Promise<unknown> = Promise.resolve();
  const chaos = (async () => {
    await sleep(options.durationMs * 0.4);
    burstDone = Promise.all([
      ...burst.filter((u) => u.created).map((u) => refresh(burstCtx, u)),
      ...burstSignups.map((u) => signup(burstCtx, u)),
    ]);
    await sleep(KILL_AFTER_BURST_MS);
    cluster.kill9(victim);
    events.push(
      `kill -9 ${victim.name} (${victim.addr}) at ${((Date.now() - start) / 1000).toFixed(1)} s, ${KILL_AFTER_BURST_MS} ms after a burst of ${burst.length} refreshes and ${burstSignups.length} signups`,
    );
    log(`  ${events.at(-1)}`);
    await sleep(Math.max(0, start + options.durationMs * 0.6 - Date.now()));
    const t = Date.now();
    await cluster.restart(victim);
    events.push(
      `restarted ${victim.name} on ${victim.addr} at ${((Date.now() - start) / 1000).toFixed(1)} s (start took ${((Date.now() - t) / 1000).toFixed(1)} s)`,
    );
    log(`  ${events.at(-1)}`);
  })();

  // Accounts keep being created across the crash: a signup the killed instance acknowledged must survive.
  const signupStream = (async () => {
    for (let i = 0; i < 10_000 && Date.now() < deadline; i++) {
      const user = newUser(`s${i}`);
      streamUsers.push(user);
      await signup(ctx, user);
      await sleep(250);
    }
  })();

  await Promise.all([...users.filter((u) => u.created).map((u) => runUser(ctx, u, deadline)), signupStream, chaos]);
  await burstDone;
  // Every burst session must still work: its latest refresh token rotates and its access token passes.
  let burstBroken = 0;
  for (const u of burst.filter((b) => b.created)) {
    const r = await call(`${cluster.url}/auth/refresh`, { json: { refresh_token: u.refresh }, ip: u.ip, timeoutMs: 10_000 });
    const a = r.status === 200 ? await call(`${cluster.url}/api/lessons`, { token: r.body.access_token }) : undefined;
    if (r.status !== 200 || a?.status !== 200) burstBroken++;
  }
  const b = burstCtx.stats;
  const elapsed = (Date.now() - start) / 1000;

  // The restarted instance must serve again through nginx (which retries a failed upstream
  // after fail_timeout): health checks until it answers, at most 10 s.
  let restartedServes = 0;
  let restartedAfterMs = -1;
  const checkStart = Date.now();
  for (let i = 0; i < 100 && Date.now() - checkStart < 10_000 && restartedServes < 3; i++) {
    const r = await fetch(`${cluster.url}/healthz`, { signal: AbortSignal.timeout(5_000) }).catch(() => undefined);
    if (r?.headers.get('x-upstream')?.split(',').at(-1)?.trim() === victim.addr) {
      restartedServes++;
      if (restartedAfterMs < 0) restartedAfterMs = Date.now() - checkStart;
    }
    await r?.body?.cancel();
    await sleep(100);
  }

  // No lost users: every 201 logs in (the login check runs after the phase, both instances up).
  const created = [...users, ...streamUsers, ...burst, ...burstSignups].filter((u) => u.created);
  const checkCtx: LoadContext = { ...ctx, stats: newStats() };
  let lost = 0;
  await pool(created, 4, async (u) => {
    if (!(await login(checkCtx, u))) lost++;
  });

  const apiOk = stats.statuses.get('api 200');
  const lines = [
    `clients: ${users.length} users looping + signup stream (${streamUsers.length} attempted, ${streamUsers.filter((u) => u.created).length} created), ${elapsed.toFixed(1)} s`,
    `requests: ${stats.requests.total()} (${stats.requests}) = ${(stats.requests.total() / elapsed).toFixed(0)} req/s`,
    `statuses: ${stats.statuses}`,
    `API 200 latency through nginx: p50 ${percentile(stats.apiLatencies, 50).toFixed(1)} ms, p99 ${percentile(stats.apiLatencies, 99).toFixed(1)} ms`,
    `answered by: ${stats.upstreams}`,
    `failovers: ${stats.nginxFailovers} by nginx (second upstream answered), ${stats.clientRetries} client retries after 5xx/timeout`,
    `faults: ${events.join('; ')}`,
    `burst at the kill: ${b.statuses}; ${b.clientRetries} resent after a 5xx/no answer, ${b.notes.filter((n) => n.startsWith('signup: a retried')).length} signups confirmed after a lost answer; ${burstBroken} burst sessions broken afterwards`,
    `restarted instance answered health checks through nginx ${restartedAfterMs < 0 ? 'never (10 s)' : `${(restartedAfterMs / 1000).toFixed(1)} s after the phase`}; requests it answered during the phase are in "answered by"`,
    `access tokens received: ${stats.kidsSeen.total()}, refresh gave up: ${stats.refreshGaveUp}`,
    `spurious logouts: ${stats.spuriousLogouts + b.spuriousLogouts}, valid tokens refused: ${stats.validTokenFailures}`,
    `lost users: ${lost} of ${created.length} acknowledged signups (each logged in after the phase)`,
  ];
  if (stats.spuriousLogouts + b.spuriousLogouts > 0) failures.push(`${stats.spuriousLogouts + b.spuriousLogouts} spurious logouts`);
  if (burstBroken > 0) failures.push(`${burstBroken} sessions refreshed during the kill no longer work`);
  if (b.refreshGaveUp > 0) failures.push(`${b.refreshGaveUp} burst refreshes gave up`);
  if (stats.validTokenFailures > 0) failures.push(`${stats.validTokenFailures} valid tokens refused by the API`);
  if (stats.refreshGaveUp > 0) failures.push(`${stats.refreshGaveUp} refreshes gave up (no answer within 8 s)`);
  if (lost > 0) failures.push(`${lost} acknowledged users cannot log in`);
  if (created.length === 0 || apiOk === 0) failures.push('no load ran');
  if (events.length < 2) failures.push('the kill/restart did not happen');
  for (const a of cluster.auth) if (stats.upstreams.get(`auth ${a.addr}`) === 0) failures.push(`${a.name} served nothing`);
  for (const a of cluster.apiAddrs) if (stats.upstreams.get(`api ${a}`) === 0) failures.push(`API ${a} served nothing`);
  if (restartedServes === 0) failures.push('the restarted instance does not serve through nginx');
  const notes = [...new Set([...stats.notes, ...b.notes])].slice(0, 10);
  return { name: 'scale-out', lines: [...lines, ...notes.map((n) => `note: ${n}`)], failures, users: created };
}
