/**
 * Phase 3, key rotation under load. While users loop (API calls, refreshes):
 * 1. stage a key X on auth-1 and revoke it before it ever signs (an unused key), reload auth-2;
 * 2. stage K2 on auth-1 (`rotate()`, signs after the publish lead), reload auth-2 (the documented
 *    step after a rotation on a cluster; otherwise the 30 s periodic reload picks it up);
 * 3. just before K2 activates, take a probe token P signed by the old key K1; after activation
 *    check both instances sign with K2 and that P (retired key, still published) still works;
 * 4. revoke K1 and measure how long each API instance keeps accepting P: the documented bound is
 *    the API's key-set refresh, max(JWKS max-age, the middleware's 10 s refetch cooldown), plus
 *    one request.
 * Valid tokens refused (401 for an unexpired token whose key was not revoked) must be 0; a token
 * signed by X must never appear.
 */
import type { Cluster } from '../lib/cluster.ts';
import { answeredBy, call } from '../lib/http.ts';
import { login, newStats, runUser, type LoadContext, type SimUser } from '../lib/users.ts';
import { kidOf, percentile, sleep } from '../lib/util.ts';
import type { PhaseResult } from './types.ts';

export interface KeyRotationOptions {
  users: SimUser[];
  durationMs: number;
  thinkMs: number;
  /** SIGIL_ACCESS_TTL of the auth instances (first refreshes are spread over it). */
  accessTtlS: number;
  jwksMaxAgeS: number;
  /** SIGIL_KEY_PUBLISH_LEAD of the auth instances. */
  publishLeadS: number;
  /** The API middleware's unknown-kid / background refetch cooldown (apps/api uses the default). */
  jwksCooldownS: number;
}

const s = (ms: number) => (ms / 1000).toFixed(1);

export async function keyRotation(cluster: Cluster, options: KeyRotationOptions): Promise<PhaseResult> {
  const failures: string[] = [];
  const lines: string[] = [];
  const stats = newStats();
  const revokedKids = new Set<string>();
  const ctx: LoadContext = {
    url: cluster.url,
    stats,
    revokedKids,
    refreshMarginMs: 1_500,
    thinkMs: options.thinkMs,
    staggerMs: options.accessTtlS * 1000 - 1_500,
  };
  const [a1, a2] = cluster.auth as [(typeof cluster.auth)[0], (typeof cluster.auth)[0]];
  // + 5 s: one key-set fetch and one poll on a loaded machine.
  const boundMs = Math.max(options.jwksMaxAgeS, options.jwksCooldownS) * 1000 + 5_000;

  // Long enough for the schedule: 2 s, the publish lead, the revocation bound, a margin.
  const durationMs = Math.max(options.durationMs, 2_000 + options.publishLeadS * 1000 + boundMs + 8_000);
  const start = Date.now();
  const deadline = start + durationMs;
  // users[0] is the probe, kept out of the load so nothing else rotates its refresh token.
  const loops = options.users.slice(1).map((u) => runUser(ctx, u, deadline));

  const probe = options.users[0]!;
  const probeCtx: LoadContext = { ...ctx, stats: newStats() };
  const keysBefore: Array<{ kid: string; state: string }> = await a1.admin('list');
  const k1 = keysBefore.find((k) => k.state === 'active')?.kid;
  if (!k1) failures.push('no active key before the rotation');

  await sleep(2_000);
  // 1. An unused key: staged, then revoked before it signs.
  const x = await a1.admin('rotate');
  const xRevoked = await a1.admin('revoke', { kid: x.kid });
  await a2.admin('reload');
  lines.push(`unused key ${x.kid.slice(0, 12)}… staged and revoked at ${s(Date.now() - start)} s (revoke -> ${xRevoked})`);

  // 2. Staged rotation to K2.
  const k2 = await a1.admin('rotate');
  await a2.admin('reload');
  const leadMs = k2.activatesAt - Date.now();
  lines.push(
    `rotation: K2 ${k2.kid.slice(0, 12)}… staged at ${s(Date.now() - start)} s on ${a1.name}, signs in ${s(leadMs)} s (publish lead); ${a2.name} reloaded`,
  );
  // 3. Probe token from the old key, just before K2 activates.
  await sleep(Math.max(0, k2.activatesAt - Date.now() - 1_500));
  await login(probeCtx, probe, 'probe');
  const p = probe.access!;
  const pExp = probe.expMs;
  if (kidOf(p) !== k1) failures.push(`probe token signed by ${kidOf(p)} before K2's activation (expected K1)`);
  await sleep(Math.max(0, k2.activatesAt - Date.now() + 500));
  const signers = new Map<string, Set<string>>();
  for (let i = 0; i < 6; i++) {
    const r = await call(`${cluster.url}/auth/refresh`, { json: { refresh_token: probe.refresh }, ip: probe.ip, timeoutMs: 10_000 });
    if (r.status !== 200) {
      failures.push(`probe refresh after activation answered ${r.status}`);
      break;
    }
    probe.refresh = r.body.refresh_token;
    const by = cluster.auth.find((a) => a.addr === answeredBy(r))?.name ?? '?';
    if (!signers.has(by)) signers.set(by, new Set());
    signers.get(by)!.add(kidOf(r.body.access_token) ?? '?');
  }
  const signerText = [...signers]
    .map(([by, kids]) => `${by}: ${[...kids].map((k) => (k === k2.kid ? 'K2' : k === k1 ? 'K1' : k.slice(0, 8))).join(',')}`)
    .join('; ');
  lines.push(`after activation, tokens signed by ${signerText}`);
  if (signers.size < 2 || [...signers.values()].some((kids) => kids.size !== 1 || !kids.has(k2.kid)))
    failures.push(`not every instance signs with K2 after activation (${signerText})`);
  const pBefore = await call(`${cluster.url}/api/lessons`, { token: p });
  if (pBefore.status !== 200) failures.push(`a K1 token (retired, still published) was refused before K1's revocation: ${pBefore.status}`);

  // 4. Revoke K1; measure until every API instance refuses P.
  const tRevoke = Date.now();
  revokedKids.add(k1!);
  await a1.admin('revoke', { kid: k1 });
  await a2.admin('reload');
  const jwksKids = new Set<string>();
  for (let i = 0; i < 4; i++) {
    const r = await call(`${cluster.url}/.well-known/jwks.json`);
    for (const k of (r.body?.keys ?? []) as Array<{ kid: string }>) jwksKids.add(k.kid);
  }
  if (jwksKids.has(k1!) || jwksKids.has(x.kid)) failures.push('a revoked key is still in the JWKS after the revoke and reload');
  const refusedAt = new Map<string, number>();
  const pollAnswers = new Map<string, number>();
  const flips: string[] = [];
  let polls = 0;
  for (; polls < 400 && Date.now() < pExp - 500 && refusedAt.size < cluster.apiAddrs.length; polls++) {
    const r = await call(`${cluster.url}/api/lessons`, { token: p, timeoutMs: 5_000 });
    const by = answeredBy(r) ?? '?';
    pollAnswers.set(`${by} ${r.status}`, (pollAnswers.get(`${by} ${r.status}`) ?? 0) + 1);
    if (r.status === 401 && !refusedAt.has(by)) refusedAt.set(by, Date.now() - tRevoke);
    else if (r.status === 200 && refusedAt.has(by)) flips.push(by);
    await sleep(200);
  }
  const refusal = cluster.apiAddrs.map((a) => `${a}: ${refusedAt.has(a) ? `${s(refusedAt.get(a)!)} s` : 'still accepted'}`).join(', ');
  lines.push(
    `revoked K1 at ${s(tRevoke - start)} s; the probe token (K1) was refused after ${refusal} (${polls} polls: ${[...pollAnswers].map(([k, n]) => `${k}=${n}`).join(' ')}; bound ${s(boundMs)} s = max(JWKS max-age ${options.jwksMaxAgeS} s, API refetch cooldown ${options.jwksCooldownS} s) + 5 s)`,
  );
  // When each API refetched its key set around the revocation (from the instances' debug logs).
  const fetches = cluster.apiEvents
    .filter((e) => e.event === 'jwks_refreshed' && e.at >= tRevoke - 15_000)
    .map((e) => `${e.api} ${e.at >= tRevoke ? '+' : ''}${s(e.at - tRevoke)} s (${e.keys} keys)`);
  const newTokens = stats.tokenTimes
    .filter((t) => t >= tRevoke - 10_000 && t <= tRevoke + 20_000)
    .map((t) => Math.round((t - tRevoke) / 1000));
  lines.push(`API key-set fetches from 15 s before the revocation: ${fetches.join(', ') || 'none'}`);
  lines.push(`new access tokens (cache misses) by second relative to the revocation: ${newTokens.join(' ')}`);
  for (const a of cluster.apiAddrs) {
    const ms = refusedAt.get(a);
    if (ms === undefined) failures.push(`API ${a} still accepted the revoked key's token when it expired`);
    else if (ms > boundMs) failures.push(`API ${a} accepted the revoked key's token for ${s(ms)} s (bound ${s(boundMs)} s)`);
  }
  if (flips.length) failures.push(`an API instance accepted the revoked token again after refusing it (${flips.join(', ')})`);

  await Promise.all(loops);
  const elapsed = (Date.now() - start) / 1000;
  const kids = [...stats.kidsSeen.counts]
    .map(([kid, n]) => `${kid === k1 ? 'K1' : kid === k2.kid ? 'K2' : kid === x.kid ? 'X(unused!)' : kid.slice(0, 8)}=${n}`)
    .join(' ');
  if (stats.kidsSeen.get(x.kid) > 0) failures.push('the revoked unused key signed tokens');
  if (stats.kidsSeen.get(k2.kid) === 0) failures.push('no client received a K2 token');
  if (stats.validTokenFailures > 0) failures.push(`${stats.validTokenFailures} valid tokens refused during the rotation`);
  if (stats.spuriousLogouts > 0) failures.push(`${stats.spuriousLogouts} spurious logouts during the rotation`);
  lines.unshift(
    `clients: ${options.users.length - 1} users + 1 probe, ${elapsed.toFixed(1)} s; requests: ${stats.requests.total()} (${stats.requests}) = ${(stats.requests.total() / elapsed).toFixed(0)} req/s`,
    `statuses: ${stats.statuses}`,
    `answered by: ${stats.upstreams}`,
    `API 200 latency: p50 ${percentile(stats.apiLatencies, 50).toFixed(1)} ms, p99 ${percentile(stats.apiLatencies, 99).toFixed(1)} ms`,
  );
  lines.push(
    `tokens received by kid: ${kids}`,
    `valid tokens refused: ${stats.validTokenFailures}; K1 tokens refused after K1's revocation (expected, client refreshed): ${stats.revokedKeyRefusals}; spurious logouts: ${stats.spuriousLogouts}`,
  );
  const notes = [...new Set(stats.notes)].slice(0, 10);
  return { name: 'key rotation', lines: [...lines, ...notes.map((n) => `note: ${n}`)], failures };
}
