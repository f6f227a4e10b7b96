/**
 * docs/BENCHMARKS.md and docs/images/bench-*.svg from the results of `npm run bench`
 * (bench/results/latest.json). Ratios are always taken within one section of one run.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { ANGULAR_BUDGET_BYTES, type AngularSizeResult } from './angular-size.ts';
import type { AuthResult } from './auth-server.ts';
import type { InstructionsResult, InstructionsRow } from './instructions.ts';
import { ALGS, type Alg } from './lib/keys.ts';
import { medianInterval } from './lib/measure.ts';
import { barChart } from './lib/svg.ts';
import { supported, TARGET_LABELS, TARGETS, type Target } from './lib/targets.ts';
import type { MemoryResult } from './memory.ts';
import type { PairedRow, RouteResult, RouteRow } from './route.ts';
import type { VerifyResult } from './verify.ts';

export interface Meta {
  date: string;
  command: string;
  mode: 'quick' | 'full';
  node: string;
  cpu: string;
  nproc: number;
  memory: string;
  os: string;
  commit: string;
  loadBefore: number[];
  loadAfter: number[];
  seconds: number;
}

export interface Results {
  verify?: { meta: Meta; data: VerifyResult };
  route?: { meta: Meta; data: RouteResult };
  instructions?: { meta: Meta; data: InstructionsResult };
  auth?: { meta: Meta; data: AuthResult };
  memory?: { meta: Meta; data: MemoryResult };
  angular?: { meta: Meta; data: AngularSizeResult };
}

const root = fileURLToPath(new URL('..', import.meta.url));
const int = (n: number) => Math.round(n).toLocaleString('en-US');
const ms = (n: number) => (Number.isFinite(n) ? `${n.toFixed(n < 10 ? 2 : 1)} ms` : 'n/a');
const x = (n: number) => `${n.toFixed(2)}x`;
const yes = (ok: boolean) => (ok ? '**met**' : '**not met**');
const load = (l: number[]) => l.map((v) => v.toFixed(2)).join(' / ');

/** The route targets: the contender's throughput ÷ the baseline's must clear the bar. */
const COMPARISONS: ReadonlyArray<{ goal: string; baseline: Target; contender: Target; of: string; clears: (ratio: number) => boolean }> = [
  { goal: 'Sigil hot >= 0.95x bare Express', baseline: 'bare', contender: 'sigil', of: '', clears: (ratio) => ratio >= 0.95 },
  {
    goal: 'Sigil hot ahead of fast-jwt cached',
    baseline: 'fast-jwt',
    contender: 'sigil',
    of: ' of fast-jwt',
    clears: (ratio) => ratio > 1,
  },
  { goal: 'Sigil cache off ahead of jose', baseline: 'jose', contender: 'sigil-nocache', of: ' of jose', clears: (ratio) => ratio > 1 },
];

/** The 95% interval of a head-to-head median, as text. */
function interval(p: PairedRow): string {
  const { low, high } = medianInterval(p.ratios);
  return `${low.toFixed(3)}-${high.toFixed(3)}`;
}

/**
 * A head-to-head target, judged on the median's 95% interval, not on the median alone: met when the
 * whole interval clears the bar, not met when none of it does; otherwise this run cannot tell (the
 * margin is inside its noise), and the instruction counts decide.
 */
function headToHeadVerdict(p: PairedRow, clears: (ratio: number) => boolean): string {
  const { low, high } = medianInterval(p.ratios);
  if (clears(low)) return '**met**';
  if (!clears(high)) return '**not met**';
  return '**not resolved** (the 95% interval spans the bar)';
}

function instructionsRow(rows: InstructionsRow[], alg: Alg, target: Target): InstructionsRow | undefined {
  return rows.find((r) => r.alg === alg && r.target === target && r.perRequest.length > 0);
}

function routeRow(rows: RouteRow[], alg: Alg, target: Target, workers = 1): RouteRow | undefined {
  return rows.find((r) => r.alg === alg && r.target === target && r.workers === workers);
}

export function writeReport(results: Results): void {
  mkdirSync(`${root}docs/images`, { recursive: true });
  const md: string[] = [];
  const targets: string[] = [];
  const metas = Object.entries(results).map(([section, value]) => [section, (value as { meta: Meta }).meta] as const);
  const first = metas[0]?.[1];

  md.push('# Benchmarks', '');
  md.push(
    'Measured with `npm run bench` (scripts in [`bench/`](../bench)); `npm run bench -- --quick` is the seconds-long smoke run used in CI.',
    'The machine is shared with other work and small (2 cores): absolute numbers move from run to run, so every',
    'comparison below is a **ratio between contenders measured in the same section of the same run**. Each protected-route',
    'target runs in its own child process while autocannon runs in the parent, so the load generator never shares the',
    "server's event loop; on 2 cores, though, it shares the CPU (one core each), which caps every target alike.",
    '',
  );
  if (first) {
    md.push('## Machine and runs', '');
    md.push(`- CPU: ${first.cpu}, ${first.nproc} cores; memory: ${first.memory}; ${first.os}`);
    md.push(`- Node ${first.node}`);
    md.push(
      '',
      '| section | date (UTC) | command | commit | load average before / after (1, 5, 15 min) | took |',
      '|---|---|---|---|---|---|',
    );
    for (const [section, meta] of metas)
      md.push(
        `| ${section} | ${meta.date.replace('T', ' ').slice(0, 19)} | \`${meta.command}\` | ${meta.commit} | ${load(meta.loadBefore)} → ${load(meta.loadAfter)} | ${Math.round(meta.seconds)} s |`,
      );
    md.push('');
  }

  const sections: string[] = [];

  // 1. Token verification
  if (results.verify) {
    const { rows, poolSize } = results.verify.data;
    const get = (alg: Alg, c: string) => rows.find((r) => r.alg === alg && r.contender === c);
    const contenders = [...new Set(rows.map((r) => r.contender))];
    sections.push('## 1. Token verification (ops/s, one verification at a time, in process)', '');
    sections.push(
      `*cold*: ${poolSize} distinct tokens cycled (more than any cache holds, so every call is a full verification; for caching verifiers a miss plus an insertion); *cached*: the same token every call. Sigil through \`createVerifier\` (the token checks of \`requireAuth\` without Express; it returns a promise, awaited per call) with its JWKS cache; jose with \`createRemoteJWKSet\`; fast-jwt with a PEM key (its fastest, synchronous form); jsonwebtoken with \`jwks-rsa\`'s \`getSigningKey\` per token, as express-jwt does. \`crypto.verify\` (for HS256 \`createHmac\` + \`timingSafeEqual\`) works on pre-split buffers with a pre-imported KeyObject, in its fastest form (for ES256 the signature converted to DER beforehand and the bare KeyObject: Node 24's \`{ key, dsaEncoding: 'ieee-p1363' }\` form costs ~30 µs more a check): the floor of any verifier. \`crypto.verify + token split\` also cuts each token string and decodes its signature per call, the least work any verifier given a token string must do (context, not a target).`,
      '',
    );
    sections.push(
      `| verifier | ${ALGS.map((a) => `${a} cold | ${a} cached`).join(' | ')} |`,
      `|---|${ALGS.map(() => '---:|---:').join('|')}|`,
    );
    for (const c of contenders) {
      sections.push(
        `| ${c} | ${ALGS.map((a) => {
          const r = get(a, c);
          return `${r?.cold === undefined ? 'n/a' : int(r.cold)} | ${r?.cached === undefined ? '–' : int(r.cached)}`;
        }).join(' | ')} |`,
      );
    }
    sections.push('', 'Cold ops/s relative to `crypto.verify` (1.00 = the floor; higher is faster):', '');
    sections.push(`| verifier | ${ALGS.join(' | ')} |`, `|---|${ALGS.map(() => '---:').join('|')}|`);
    for (const c of contenders) {
      sections.push(
        `| ${c} | ${ALGS.map((a) => {
          const r = get(a, c);
          const f = get(a, 'crypto.verify (floor)');
          return r?.cold === undefined || !f?.cold ? 'n/a' : x(r.cold / f.cold);
        }).join(' | ')} |`,
      );
    }
    sections.push('', '![cold verification relative to crypto.verify](images/bench-verify.svg)', '');
    const shown = contenders.filter((c) => c !== 'crypto.verify (floor)');
    writeFileSync(
      `${root}docs/images/bench-verify.svg`,
      barChart({
        title: 'Cold token verification, relative to raw crypto.verify',
        subtitle: `ops/s ÷ crypto.verify ops/s, same run (${results.verify.meta.date.slice(0, 10)}); higher is better`,
        groups: [...ALGS],
        series: shown.map((c) => ({
          name: c,
          values: ALGS.map((a) => {
            const r = get(a, c);
            const f = get(a, 'crypto.verify (floor)');
            return r?.cold === undefined || !f?.cold ? undefined : r.cold / f.cold;
          }),
        })),
        format: (v) => `${v.toFixed(2)}x`,
        reference: { value: 1, label: 'crypto.verify' },
      }),
    );
    for (const alg of ALGS) {
      const floor = get(alg, 'crypto.verify (floor)')?.cold;
      const sigil = get(alg, 'Sigil (cache off)')?.cold;
      // The least any verifier reading a token string must do, shown where the target is missed.
      const split = get(alg, 'crypto.verify + token split')?.cold;
      const context =
        split && floor && sigil && floor / sigil > 1.2 ? ` (cutting the token and decoding its signature alone: ${x(floor / split)})` : '';
      if (floor && sigil)
        targets.push(
          `| Cold verify within 1.2x of raw \`crypto.verify\` (${alg}, Sigil cache off) | ${x(floor / sigil)} slower${context} | ${yes(floor / sigil <= 1.2)} |`,
        );
    }
  }

  // 2. Protected route
  if (results.route) {
    const { rows, options } = results.route.data;
    sections.push('## 2. Protected route (req/s and latency under autocannon)', '');
    sections.push(
      `\`GET /api/lessons\` returning a small JSON body, behind each middleware, every request with the same valid token (a client reuses its access token until it expires). ${options.connections} connections, ${options.durationSec} s measured after ${options.warmupSec} s of warm-up${options.rounds > 1 ? `, best of ${options.rounds} rounds (rounds interleave the targets, so a busy moment of the shared machine does not hit one target only)` : ''}; p50/p99 of 2xx responses, ms at full precision. CPU placement: ${results.route.data.placement ?? 'not pinned'}. fast-jwt runs with its verified-token cache (1 000 entries) and the PEM key read from the JWKS at startup; express-jwt + jwks-rsa has no EdDSA (jsonwebtoken 9).`,
      '',
    );
    sections.push('| alg | target | req/s | × bare Express | p50 | p99 |', '|---|---|---:|---:|---:|---:|');
    for (const alg of ALGS) {
      const bare = routeRow(rows, alg, 'bare');
      for (const target of TARGETS) {
        const r = routeRow(rows, alg, target);
        if (!supported(target, alg)) sections.push(`| ${alg} | ${TARGET_LABELS[target]} | n/a | | | |`);
        else if (r)
          sections.push(
            `| ${alg} | ${TARGET_LABELS[target]} | ${int(r.rps)} | ${bare ? x(r.rps / bare.rps) : ''} | ${ms(r.p50)} | ${ms(r.p99)} |`,
          );
      }
    }
    sections.push('', '![protected route req/s relative to bare Express](images/bench-route.svg)', '');
    writeFileSync(
      `${root}docs/images/bench-route.svg`,
      barChart({
        title: 'Protected route throughput, relative to bare Express (no auth)',
        subtitle: `req/s ÷ bare Express req/s, same run (${results.route.meta.date.slice(0, 10)}), ${options.connections} connections; higher is better`,
        groups: [...ALGS],
        series: TARGETS.filter((t) => t !== 'bare').map((t) => ({
          name: TARGET_LABELS[t],
          values: ALGS.map((a) => {
            const r = routeRow(rows, a, t);
            const b = routeRow(rows, a, 'bare');
            return r && b ? r.rps / b.rps : undefined;
          }),
        })),
        format: (v) => `${v.toFixed(2)}x`,
        reference: { value: 1, label: 'bare Express' },
      }),
    );
    const paired = results.route.data.paired ?? [];
    if (paired.length) {
      const { pairs, pairSec } = options.paired;
      sections.push('### Head to head (the targets)', '');
      sections.push(
        `The targets compare Sigil with bare Express, with jose and with fast-jwt, and those margins are within what this shared machine drifts from one minute to the next (one server under the same load measures up to ±10% apart from one 2-second load to the next). So each comparison is also run head to head, ${pairs} times: both servers started afresh (a Node process keeps a few percent of good or bad luck in heap and code layout for its whole life), warmed up, then four back-to-back ${pairSec} s loads in A-B-B-A order (B-A-A-B every other pair), so a drift in the machine's speed hits both sides alike; the median of the per-pair ratios is the figure. Express with an empty middleware against bare Express is the control: it shows what one middleware layer costs and how closely the method resolves.`,
        '',
        'The 95% interval of the median is distribution-free (order statistics of the pairs: with 10 pairs, the 2nd and the 9th ratio, 97.9% coverage). A head-to-head target is met when the whole interval clears its bar and not met when none of it does; in between the run cannot tell, and the instruction counts below decide.',
        '',
        '| alg | comparison | per-pair ratios | median | 95% interval of the median |',
        '|---|---|---|---:|---:|',
      );
      for (const p of paired)
        sections.push(
          `| ${p.alg} | ${TARGET_LABELS[p.contender]} ÷ ${TARGET_LABELS[p.baseline]} | ${p.ratios.map((r) => r.toFixed(3)).join(', ')} | ${p.median.toFixed(3)}x | ${interval(p)} |`,
        );
      sections.push('');
    }
    const clustered = rows.filter((r) => r.workers === 2);
    if (clustered.length) {
      sections.push('### 1 vs 2 server processes (node:cluster)', '');
      sections.push('| alg | target | 1 process req/s | 2 processes req/s | scaling | p99 (1 → 2) |', '|---|---|---:|---:|---:|---:|');
      for (const r2 of clustered) {
        const r1 = routeRow(rows, r2.alg, r2.target);
        if (r1)
          sections.push(
            `| ${r2.alg} | ${TARGET_LABELS[r2.target]} | ${int(r1.rps)} | ${int(r2.rps)} | ${x(r2.rps / r1.rps)} | ${ms(r1.p99)} → ${ms(r2.p99)} |`,
          );
      }
      sections.push(
        '',
        'On this 2-core machine autocannon itself needs most of a core, so a second server process mostly competes with the load generator: the scaling figure says how much headroom a second core gives *here*, not what a dedicated multi-core server would do.',
        '',
        '![1 vs 2 processes](images/bench-cluster.svg)',
        '',
      );
      const groups = [...new Set(clustered.map((r) => `${r.alg} ${r.target}`))];
      writeFileSync(
        `${root}docs/images/bench-cluster.svg`,
        barChart({
          title: 'Protected route: 1 vs 2 server processes (node:cluster)',
          subtitle: `req/s, same run (${results.route.meta.date.slice(0, 10)}), load generator on the same 2 cores`,
          groups: groups.map((g) => g.replace('sigil-nocache', 'Sigil no cache').replace('sigil', 'Sigil')),
          series: [1, 2].map((w) => ({
            name: `${w} process${w > 1 ? 'es' : ''}`,
            values: groups.map((g) => {
              const [alg, target] = g.split(' ') as [Alg, Target];
              return routeRow(rows, alg, target, w)?.rps;
            }),
          })),
          format: (v) => `${int(v)} req/s`,
        }),
      );
    }
    for (const alg of ALGS) {
      for (const c of COMPARISONS) {
        const pair = (results.route.data.paired ?? []).find(
          (p) => p.alg === alg && p.baseline === c.baseline && p.contender === c.contender,
        );
        const baseline = routeRow(rows, alg, c.baseline);
        const contender = routeRow(rows, alg, c.contender);
        if (pair)
          targets.push(
            `| ${c.goal} (${alg}, req/s head to head) | median ${pair.median.toFixed(3)}x${c.of}, 95% interval ${interval(pair)} | ${headToHeadVerdict(pair, c.clears)} |`,
          );
        else if (baseline && contender)
          targets.push(
            `| ${c.goal} (${alg}) | ${x(contender.rps / baseline.rps)}${c.of} | ${yes(c.clears(contender.rps / baseline.rps))} |`,
          );
      }
    }
  }

  // 2b. Instructions per request (callgrind)
  const counted = results.instructions?.data;
  if (counted && counted.rows.length > 0 && results.instructions) {
    const { rows } = counted;
    sections.push("### Instructions per request (callgrind): the route targets without the machine's noise", '');
    sections.push(
      `The same servers (\`bench/servers/api.ts\`, same token, same route), each run under valgrind's callgrind (${counted.valgrind ?? 'valgrind'}), which counts the instructions the server process executes, in all its threads, whatever the speed of the machine. For a server bound to one core, req/s is inversely proportional to its CPU time a request, so bare Express's count ÷ a target's count is the throughput ratio the counts predict (they do not see cache misses or branch mispredictions: instructions, not cycles; and user space only: on the hot path every target makes the same system calls, one read and one write a request, and with the cache off both Sigil and jose hand each signature to libuv's thread pool). One keep-alive connection, so each request is one turn of the event loop; counters zeroed after the warm-up requests (JIT warmed, key set fetched, first token checked), then dumped after the measured ones. Each target runs in several fresh processes (timer- and GC-driven work moves a count by about 1%); the median is the figure, the range is every run. Measured ${results.instructions.meta.date.slice(0, 10)} with \`${results.instructions.meta.command}\`.`,
      '',
      '| alg | target | instructions a request | runs (range) | bare Express ÷ target |',
      '|---|---|---:|---|---:|',
    );
    for (const alg of ALGS) {
      const bare = instructionsRow(rows, alg, 'bare');
      for (const row of rows.filter((r) => r.alg === alg && r.perRequest.length > 0)) {
        const range = `${row.perRequest.length}: ${int(Math.min(...row.perRequest))}-${int(Math.max(...row.perRequest))}`;
        sections.push(
          `| ${alg} | ${TARGET_LABELS[row.target]} | ${int(row.median)} | ${range} | ${bare ? `${(bare.median / row.median).toFixed(3)}x` : ''} |`,
        );
      }
    }
    sections.push('');
    for (const alg of ALGS) {
      for (const c of COMPARISONS) {
        const baseline = instructionsRow(rows, alg, c.baseline);
        const contender = instructionsRow(rows, alg, c.contender);
        if (!baseline || !contender) continue;
        // Fewer instructions is faster: the throughput ratio is baseline ÷ contender.
        const ratio = baseline.median / contender.median;
        const least = Math.min(...baseline.perRequest) / Math.max(...contender.perRequest);
        targets.push(
          `| ${c.goal} (${alg}, instructions a request) | ${ratio.toFixed(3)}x${c.of} (least of any two runs: ${least.toFixed(3)}x) | ${yes(c.clears(ratio))} |`,
        );
      }
    }
  }

  // 3. Auth server
  if (results.auth) {
    const a = results.auth.data;
    const o = a.options;
    sections.push('## 3. Auth server', '');
    sections.push(
      `The real auth server (\`createAuthServer\`, RS256, in-memory PGlite unless said otherwise, silent logs, per-IP budgets lifted since all load comes from one address), argon2id at OWASP's minimum (m = 19 MiB, t = 2, p = 1). Logins: ${o.loginConnections} connections for ${o.loginDurationSec} s, cycling through seeded users. Meanwhile one keep-alive client, on a thread of its own in the bench process (so the load generator's work never delays its timing), requests the JWKS and \`/healthz\` alternately every ${o.probeIntervalMs} ms; the same probe runs ${o.idleSec} s on the idle server for comparison. Refreshes: ${o.refreshConnections} connections for ${o.refreshDurationSec} s, each presenting a fresh single-use refresh token (rotation on every call). The event-loop delay is the server process's own \`perf_hooks.monitorEventLoopDelay\` histogram (1 ms sampling, so ~1 ms means no delay), read over IPC by the bench harness.`,
      '',
    );
    sections.push('| load | req/s | p50 | p99 | max |', '|---|---:|---:|---:|---:|');
    sections.push(
      `| POST /auth/login (saturated) | ${a.login.rps.toFixed(1)} | ${ms(a.login.p50)} | ${ms(a.login.p99)} | ${ms(a.login.max)} |`,
    );
    sections.push(
      `| POST /auth/refresh | ${a.refresh.rps.toFixed(1)} | ${ms(a.refresh.p50)} | ${ms(a.refresh.p99)} | ${ms(a.refresh.max)} |`,
    );
    for (const v of a.variants ?? [])
      sections.push(
        `| POST /auth/login (saturated), ${v.label} | ${v.login.rps.toFixed(1)} | ${ms(v.login.p50)} | ${ms(v.login.p99)} | ${ms(v.login.max)} |`,
      );
    sections.push(
      '',
      '| probe | idle p50 | idle p99 | under login p50 | under login p99 | under login max | samples |',
      '|---|---:|---:|---:|---:|---:|---:|',
    );
    for (const path of Object.keys(a.underLogin.probes)) {
      const i = a.idle.probes[path]!;
      const u = a.underLogin.probes[path]!;
      sections.push(`| GET ${path} | ${ms(i.p50)} | ${ms(i.p99)} | ${ms(u.p50)} | ${ms(u.p99)} | ${ms(u.max)} | ${u.count} |`);
    }
    for (const v of a.variants ?? []) {
      for (const path of Object.keys(v.probes)) {
        const u = v.probes[path]!;
        sections.push(`| GET ${path}, ${v.label} | | | ${ms(u.p50)} | ${ms(u.p99)} | ${ms(u.max)} | ${u.count} |`);
      }
    }
    const d = (l: typeof a.idle.loopDelay) => `${ms(l.p50)} | ${ms(l.p90)} | ${ms(l.p99)} | ${ms(l.max)} | ${ms(l.mean)}`;
    sections.push('', '| event-loop delay | p50 | p90 | p99 | max | mean |', '|---|---:|---:|---:|---:|---:|');
    sections.push(`| idle | ${d(a.idle.loopDelay)} |`, `| logins saturating the CPU | ${d(a.underLogin.loopDelay)} |`);
    for (const v of a.variants ?? []) sections.push(`| logins saturating the CPU, ${v.label} | ${d(v.loopDelay)} |`);
    sections.push('', '![JWKS and healthz p99 while logins saturate the CPU](images/bench-auth.svg)', '');
    const paths = Object.keys(a.underLogin.probes);
    writeFileSync(
      `${root}docs/images/bench-auth.svg`,
      barChart({
        title: 'Auth server: p99 latency of cheap requests while logins saturate the CPU',
        subtitle: `ms, same run (${results.auth.meta.date.slice(0, 10)}); target < 5 ms; lower is better`,
        groups: [...paths.map((p) => p.replace('/.well-known/', '')), 'event loop'],
        series: [
          { name: 'idle', values: [...paths.map((p) => a.idle.probes[p]!.p99), a.idle.loopDelay.p99] },
          {
            name: `under ${a.login.rps.toFixed(0)} logins/s`,
            values: [...paths.map((p) => a.underLogin.probes[p]!.p99), a.underLogin.loopDelay.p99],
          },
          ...(a.variants ?? []).map((v) => ({
            name: `under ${v.login.rps.toFixed(0)} logins/s, ${v.label}`,
            values: [...paths.map((p) => v.probes[p]!.p99), v.loopDelay.p99],
          })),
        ],
        format: (v) => `${v.toFixed(2)} ms`,
        reference: { value: 5, label: '5 ms target' },
      }),
    );
    for (const path of paths)
      targets.push(
        `| ${path} p99 < 5 ms while logins saturate the CPU (PGlite, default setup) | ${ms(a.underLogin.probes[path]!.p99)} | ${yes(a.underLogin.probes[path]!.p99 < 5)} |`,
      );
    for (const v of a.variants ?? [])
      for (const path of paths)
        targets.push(
          `| ${path} p99 < 5 ms while logins saturate the CPU (${v.label}) | ${ms(v.probes[path]!.p99)} | ${yes(v.probes[path]!.p99 < 5)} |`,
        );
  }

  // 4. Memory
  if (results.memory) {
    const m = results.memory.data;
    sections.push('## 4. Memory (RSS after a forced GC)', '');
    sections.push(
      'Each process in its own child, started with `--expose-gc`; RSS and V8 heap read over IPC after `gc()`, idle (after one request) and after each of several passes over the same distinct valid tokens (they outnumber the cache, so every request is a new verification in every pass; RSS that stops growing from one pass to the next is bounded memory, not a leak). API: `requireAuth` with the default cache (1 000 tokens), EdDSA keys through the JWKS. Auth server: HS256 mode (so the harness can mint tokens of a real session with the shared secret), tokens sent to `GET /auth/me`, which verifies them and reads the user and session.',
      '',
    );
    sections.push(
      '| process | idle RSS | RSS after each pass | heap idle | heap after | distinct tokens per pass | req/s while sending them |',
      '|---|---:|---:|---:|---:|---:|---:|',
    );
    for (const r of m.rows) {
      const passes = (r.passes ?? [r.after]).map((p) => `${p.rssMiB.toFixed(1)}`).join(' → ');
      sections.push(
        `| ${r.process} | ${r.idle.rssMiB.toFixed(1)} MiB | ${passes} MiB | ${r.idle.heapUsedMiB.toFixed(1)} MiB | ${r.after.heapUsedMiB.toFixed(1)} MiB | ${int(r.tokens)} | ${int(r.rps)} |`,
      );
    }
    sections.push(
      `| bare Express (baseline, idle) | ${m.bareIdle.rssMiB.toFixed(1)} MiB | | ${m.bareIdle.heapUsedMiB.toFixed(1)} MiB | | | |`,
    );
    sections.push('', '![memory](images/bench-memory.svg)', '');
    writeFileSync(
      `${root}docs/images/bench-memory.svg`,
      barChart({
        title: 'Memory: RSS idle and after many distinct tokens',
        subtitle: `MiB after gc(), same run (${results.memory.meta.date.slice(0, 10)})`,
        groups: m.rows.map((r) => (r.process.startsWith('API') ? 'API' : 'auth server')),
        series: [
          { name: 'RSS idle', values: m.rows.map((r) => r.idle.rssMiB) },
          { name: 'RSS after the tokens', values: m.rows.map((r) => r.after.rssMiB) },
          { name: 'V8 heap idle', values: m.rows.map((r) => r.idle.heapUsedMiB) },
          { name: 'V8 heap after', values: m.rows.map((r) => r.after.heapUsedMiB) },
        ],
        format: (v) => `${v.toFixed(1)} MiB`,
      }),
    );
  }

  // 5. Angular
  if (results.angular) {
    const g = results.angular.data;
    sections.push('## 5. Angular library cost', '');
    if (!g.available) sections.push(`Not measured: ${g.reason}.`, '');
    else {
      const d = g.appDelta;
      if (d) {
        sections.push(
          `**What an app downloads because of Sigil.** \`bench/size-app\` holds two minimal Angular apps that are the same but for Sigil: a router with two guarded routes and \`HttpClient\` with an interceptor list, as any app with a login and an API has. The second wires Sigil in as docs/angular.md shows (\`provideSigilAuth\` in cookie mode, the recommended one, \`authInterceptor\`, \`authGuard\`, \`roleGuard('admin')\`). Both are built by the Angular CLI's production application builder (AOT, build optimizer, tree shaking, minification), exactly as an app is; the difference of their gzip -9 JavaScript is the figure of the target. The app's own use of \`AuthService\` (a login form) is app code and is not counted.`,
          '',
          '| build | minified | gzip |',
          '|---|---:|---:|',
          `| app without Sigil | ${int(d.without.minified)} B | ${int(d.without.gzip)} B |`,
          `| same app with Sigil | ${int(d.withSigil.minified)} B | ${int(d.withSigil.gzip)} B |`,
          `| **Sigil adds** | ${int(d.minified)} B | **${int(d.gzip)} B** |`,
          '',
        );
      }
      sections.push(
        `**The library on its own**, for reference: its built FESM bundle (\`packages/angular/dist\`, built ${g.fesmBuiltAt}) with the \`@sigil/client\` it imports, run through the Angular linker (\`@angular/compiler-cli/linker/babel\`), bundled by esbuild with \`ngDevMode\` and \`ngJitMode\` defined as false and what an app uses imported (\`provideSigilAuth\`, \`AuthService\`, \`authInterceptor\`, \`authGuard\`, \`roleGuard\`, \`cookieSession\`), minified, Angular/rxjs/tslib external, gzip -9. Compressed alone it cannot share gzip's dictionary with the app, and it carries \`import\` statements for the externals, so it reads higher than what the app grows by.`,
        '',
        '| part | minified | gzip |',
        '|---|---:|---:|',
        `| @sigil/angular + @sigil/client, bundled alone | ${int(g.total!.minified)} B | ${int(g.total!.gzip)} B (brotli ${int(g.total!.brotli)} B) |`,
        `| of which @sigil/angular alone | ${int(g.angularOnly!.minified)} B | ${int(g.angularOnly!.gzip)} B |`,
        `| @sigil/client, whole public API | ${int(g.clientOnly!.minified)} B | ${int(g.clientOnly!.gzip)} B |`,
      );
      if (g.demoApp)
        sections.push(
          `| for scale: the whole demo app (apps/web/dist, ${g.demoApp.files} JS files, Angular included) | | ${int(g.demoApp.gzip)} B |`,
        );
      sections.push('');
      const added = d?.gzip ?? g.total!.gzip;
      targets.push(
        `| @sigil/angular's login + interceptor + guard path adds <= ${ANGULAR_BUDGET_BYTES / 1000} kB gzip to an app${d ? ' (CLI-built app with vs without)' : ''} | ${(added / 1000).toFixed(2)} kB | ${yes(added <= ANGULAR_BUDGET_BYTES)} |`,
      );
    }
  }

  md.push('## Targets', '', '| target | measured | result |', '|---|---|---|', ...targets, '');
  md.push(...sections);
  const analysis = `${root}bench/analysis.md`;
  if (existsSync(analysis)) md.push(readFileSync(analysis, 'utf8').trim(), '');
  md.push(
    '## Reproduce',
    '',
    '```',
    'npm run bench                 # full run, ~20 min, writes this file and docs/images/bench-*.svg',
    'npm run bench -- --quick      # smoke run (CI), prints only',
    'npm run bench -- --only=route # one section; the other sections keep their last results',
    'npm run bench -- --report     # rewrite this file from bench/results/latest.json',
    '```',
    '',
  );
  writeFileSync(`${root}docs/BENCHMARKS.md`, md.join('\n'));
}
