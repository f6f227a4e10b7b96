/**
 * Simulated users: each signs up, then loops calling the API with its access token, refreshing
 * shortly before the token expires (or once after a 401), as @sigil/client does. What must never
 * happen is counted:
 * - spurious logout: POST /auth/refresh answers invalid_grant for a refresh token the client got
 *   from a 200 (it only ever presents its latest one, and resends it only after a 5xx/timeout);
 * - valid-token failure: the API answers 401 to an unexpired token whose key was not revoked;
 * - lost user: a user whose signup got a 201 cannot log in at the end.
 */
import { randomBytes } from 'node:crypto';
import { answeredBy, call, failedOver, type Reply } from './http.ts';
import { Counter, kidOf, sleep } from './util.ts';

export interface SimUser {
  email: string;
  password: string;
  /** Simulated client IP (10.x.y.z), so per-IP limits apply per user as in production. */
  ip: string;
  access?: string;
  refresh?: string;
  /** Access token expiry, ms since the epoch. */
  expMs: number;
  /** The signup answered 201 (directly, or confirmed by a login after an ambiguous 5xx). */
  created: boolean;
}

/** Shared by every user of a phase. */
export interface LoadStats {
  requests: Counter; // by kind
  statuses: Counter; // `${kind} ${status}`
  upstreams: Counter; // answering upstream address
  nginxFailovers: number; // responses where nginx tried two upstreams
  clientRetries: number; // requests the client resent after a 5xx/timeout/network error
  spuriousLogouts: number;
  validTokenFailures: number;
  revokedKeyRefusals: number; // 401 for a token signed by a key revoked on purpose (expected)
  refreshGaveUp: number;
  apiLatencies: number[];
  kidsSeen: Counter; // kid of every access token received
  tokenTimes: number[]; // when each access token was received (ms since the epoch)
  notes: string[];
}

export function newStats(): LoadStats {
  return {
    requests: new Counter(),
    statuses: new Counter(),
    upstreams: new Counter(),
    nginxFailovers: 0,
    clientRetries: 0,
    spuriousLogouts: 0,
    validTokenFailures: 0,
    revokedKeyRefusals: 0,
    refreshGaveUp: 0,
    apiLatencies: [],
    kidsSeen: new Counter(),
    tokenTimes: [],
    notes: [],
  };
}

export interface LoadContext {
  url: string;
  stats: LoadStats;
  /** kids revoked on purpose: a 401 for their tokens is expected, not a failure. */
  revokedKids: Set<string>;
  /** Refresh this long before `exp` (the client's clock margin). */
  refreshMarginMs: number;
  thinkMs: number;
  /** Refresh period of the staggered schedule (see runUser); the access token lifetime minus the margin. */
  staggerMs?: number;
}

let ipCounter = 0;
/** A fresh simulated client address 10.a.b.c. */
export function nextIp(): string {
  const n = ++ipCounter;
  return `10.${(n >> 16) & 255}.${(n >> 8) & 255}.${n & 255}`;
}

export function newUser(tag: string): SimUser {
  return {
    email: `soak-${tag}-${randomBytes(6).toString('hex')}@example.test`,
    password: randomBytes(15).toString('base64url'),
    ip: nextIp(),
    expMs: 0,
    created: false,
  };
}

function record(ctx: LoadContext, kind: string, reply: Reply): void {
  const s = ctx.stats;
  s.requests.add(kind);
  s.statuses.add(`${kind} ${reply.status === 0 ? reply.error : reply.status}`);
  const by = answeredBy(reply);
  if (by) s.upstreams.add(`${kind.startsWith('api') ? 'api' : 'auth'} ${by}`);
  if (failedOver(reply)) s.nginxFailovers++;
}

function take(ctx: LoadContext, user: SimUser, body: any): void {
  user.access = body.access_token;
  user.refresh = body.refresh_token;
  user.expMs = Number(body.expires_at) * 1000;
  const kid = kidOf(user.access);
  if (kid) ctx.stats.kidsSeen.add(kid);
  if (ctx.stats.tokenTimes.length < 100_000) ctx.stats.tokenTimes.push(Date.now());
}

const retriable = (r: Reply) => r.status === 0 || r.status === 502 || r.status === 503 || r.status === 504;

/**
 * Signs up; after an ambiguous answer (5xx, timeout) it retries, and a 409 then means the first
 * attempt was committed: a login confirms it. Bounded: 6 attempts.
 */
export async function signup(ctx: LoadContext, user: SimUser): Promise<boolean> {
  for (let attempt = 0; attempt < 6; attempt++) {
    if (attempt > 0) ctx.stats.clientRetries++;
    const reply = await call(`${ctx.url}/auth/signup`, {
      json: { email: user.email, password: user.password, name: 'Soak User' },
      ip: user.ip,
      timeoutMs: 15_000,
    });
    record(ctx, 'signup', reply);
    if (reply.status === 201) {
      user.created = true;
      take(ctx, user, reply.body);
      return true;
    }
    if (reply.status === 409 && attempt > 0) {
      ctx.stats.notes.push('signup: a retried signup found its account created by an attempt that got no answer (confirmed by login)');
      if (await login(ctx, user)) {
        user.created = true;
        return true;
      }
      return false;
    }
    if (!retriable(reply)) {
      ctx.stats.notes.push(`signup answered ${reply.status} ${reply.body?.code ?? ''}`);
      return false;
    }
    await sleep(300);
  }
  return false;
}

export async function login(ctx: LoadContext, user: SimUser, kind = 'login'): Promise<boolean> {
  for (let attempt = 0; attempt < 6; attempt++) {
    if (attempt > 0) ctx.stats.clientRetries++;
    const reply = await call(`${ctx.url}/auth/login`, {
      json: { email: user.email, password: user.password },
      ip: user.ip,
      timeoutMs: 15_000,
    });
    record(ctx, kind, reply);
    if (reply.status === 200) {
      take(ctx, user, reply.body);
      return true;
    }
    if (!retriable(reply)) return false;
    await sleep(300);
  }
  return false;
}

/**
 * Rotates the refresh token. A 5xx or timeout is retried with the same token within the server's
 * 10 s grace window (the repeat gets the successor the lost answer carried); invalid_grant is a
 * spurious logout, after which the user logs in again to keep the load going.
 */
export async function refresh(ctx: LoadContext, user: SimUser): Promise<void> {
  const token = user.refresh;
  const first = Date.now();
  for (let attempt = 0; Date.now() - first < 8_000 && attempt < 8; attempt++) {
    if (attempt > 0) ctx.stats.clientRetries++;
    const reply = await call(`${ctx.url}/auth/refresh`, { json: { refresh_token: token }, ip: user.ip, timeoutMs: 4_000 });
    record(ctx, 'refresh', reply);
    if (reply.status === 200) {
      take(ctx, user, reply.body);
      return;
    }
    if (reply.status === 401) {
      ctx.stats.spuriousLogouts++;
      ctx.stats.notes.push(
        `spurious logout: refresh answered 401 ${reply.body?.code} (attempt ${attempt + 1}, ${Date.now() - first} ms after the first)`,
      );
      user.refresh = undefined;
      await login(ctx, user, 'relogin');
      return;
    }
    if (!retriable(reply)) {
      ctx.stats.notes.push(`refresh answered ${reply.status} ${reply.body?.code ?? ''}`);
      break;
    }
    await sleep(250);
  }
  ctx.stats.refreshGaveUp++;
}

/** One user's loop until `deadline` (bounded by time and by a request budget). */
export async function runUser(ctx: LoadContext, user: SimUser, deadline: number): Promise<void> {
  // Each user refreshes on its own schedule, offset at random within one token lifetime, so new
  // tokens arrive steadily (users that logged in together would otherwise refresh in waves). A
  // token that expires before the planned time is refreshed at its expiry as usual.
  const period = ctx.staggerMs ?? 0;
  let planned = period > 0 ? Date.now() + Math.random() * period : Infinity;
  for (let i = 0; i < 100_000 && Date.now() < deadline; i++) {
    if (!user.refresh) {
      if (!(await login(ctx, user, 'relogin'))) {
        await sleep(500);
        continue;
      }
    }
    if (Date.now() >= Math.min(user.expMs - ctx.refreshMarginMs, planned)) {
      if (Date.now() >= planned) planned += period;
      await refresh(ctx, user);
    }
    let retriedAfter401 = false;
    for (let tries = 0; tries < 4; tries++) {
      const token = user.access;
      const reply = await call(`${ctx.url}/api/lessons`, { token, timeoutMs: 10_000 });
      record(ctx, 'api', reply);
      if (reply.status === 200) {
        ctx.stats.apiLatencies.push(reply.ms);
        break;
      }
      if (reply.status === 401) {
        const kid = kidOf(token);
        if (kid && ctx.revokedKids.has(kid)) ctx.stats.revokedKeyRefusals++;
        else if (Date.now() >= user.expMs) ctx.stats.notes.push('api 401 for a token past its exp (client late to refresh)');
        else {
          ctx.stats.validTokenFailures++;
          ctx.stats.notes.push(
            `api 401 for a valid token (kid ${kid}, ${Math.round((user.expMs - Date.now()) / 1000)} s left): ${reply.body?.detail ?? ''}`,
          );
        }
        if (retriedAfter401) break;
        retriedAfter401 = true;
        await refresh(ctx, user);
        continue;
      }
      ctx.stats.clientRetries++;
      await sleep(200);
    }
    await sleep(ctx.thinkMs);
  }
}
