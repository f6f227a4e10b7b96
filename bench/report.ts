/**
 * docs/BENCHMARKS.md and docs/images/bench-*.svg from the results of `npm run bench`
 * (bench/results/latest.json). Ratios are always taken within one section of one run.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { ANGULAR_BUDGET_BYTES, type AngularSizeResult } from './angular-size.ts';
import type { AuthResult } from './auth-server.ts';
import type { BetterAuthResult, ComparisonLoad } from './better-auth.ts';
import { ALGS, type Alg } from './lib/keys.ts';
import { median, medianInterval } from './lib/measure.ts';
import { barChart } from './lib/svg.ts';
import { supported, TARGET_LABELS, TARGETS, type Target } from './lib/targets.ts';
import type { FactorsResult } from './factors.ts';
import type { MailResult } from './mail.ts';
import type { MemoryResult } from './memory.ts';
import { OAUTH_LABELS, OAUTH_PROVIDERS, OAUTH_STORAGE, type OAuthProviderResult, type OAuthResult } from './oauth.ts';
import { COMPARISONS, type ComparisonRow, type RouteResult, type RouteRow } from './route.ts';
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

/** One section's results; `note` says how they differ from what the Method section describes. */
interface SectionResult<T> {
  meta: Meta;
  data: T;
  note?: string;
}

export interface Results {
  verify?: SectionResult<VerifyResult>;
  route?: SectionResult<RouteResult>;
  auth?: SectionResult<AuthResult>;
  memory?: SectionResult<MemoryResult>;
  mail?: SectionResult<MailResult>;
  factors?: SectionResult<FactorsResult>;
  oauth?: SectionResult<OAuthResult>;
  angular?: SectionResult<AngularSizeResult>;
  betterAuth?: SectionResult<BetterAuthResult>;
}

const root = fileURLToPath(new URL('..', import.meta.url));
const int = (n: number) => Math.round(n).toLocaleString('en-US');
const ms = (n: number) => (Number.isFinite(n) ? `${n.toFixed(n < 10 ? 2 : 1)} ms` : 'n/a');
const x = (n: number) => `${n.toFixed(2)}x`;
const yes = (ok: boolean) => (ok ? '**met**' : '**not met**');
const load = (l: number[]) => l.map((v) => v.toFixed(2)).join(' / ');
const day = (meta: Meta) => meta.date.slice(0, 10);
const NOT_MEASURED = '*not yet measured*';

function routeRow(rows: RouteRow[], alg: Alg, target: Target): RouteRow | undefined {
  return rows.find((r) => r.alg === alg && r.target === target);
}

/** The 95% interval of a comparison's median, as text. */
function interval(row: ComparisonRow): string {
  const { low, high } = medianInterval(row.ratios);
  return `${low.toFixed(3)}-${high.toFixed(3)}`;
}

/**
 * Met when the whole interval clears the bar, not met when none of it does; otherwise the bar is
 * within this run's noise, and the median says on which side it leans.
 */
function verdict(row: ComparisonRow, bar: number): string {
  const { low, high } = medianInterval(row.ratios);
  if (low >= bar) return '**met**';
  if (high < bar) return '**not met**';
  return '**within the noise** (the interval spans the bar)';
}

function methodSection(first: Meta | undefined): string[] {
  return [
    '## Method',
    '',
    `Every section runs on one machine${first ? ` (${first.cpu}, ${first.nproc} cores, Node ${first.node.replace(/^v/, '')})` : ''}, shared with other work, so absolute numbers move from run to run: compare **ratios within one section of one run**, not figures between runs. Each server under load runs in a child process of its own on 127.0.0.1; the load generator (autocannon, bench/lib/load.ts) runs in the parent and shares the cores, which caps every contender alike.`,
    '',
    "- **Token verification**: ops/s in process, one verification at a time. *cold* cycles 1 200 distinct tokens (more than any cache holds, so every call is a full verification); *cached* repeats one token. Each verifier is set up as an API uses it: Sigil's `createVerifier` with its JWKS cache, jose with `createRemoteJWKSet`, fast-jwt with a PEM key (its fastest, synchronous form), jsonwebtoken with `jwks-rsa`. Raw `crypto.verify` on pre-split buffers and a pre-imported key is the floor of any verifier; *+ token split* adds the least a verifier given a token string must do (cut it and decode the signature). Median of 5 interleaved samples.",
    '- **Protected route**: `GET /api/lessons` (a small JSON body) behind each middleware, every request carrying the same valid token, as a client does until its token expires. A round measures every target once, each in a fresh process after a warm-up; rounds alternate the order of the targets. Each figure is the median over the rounds, and each comparison is the median of its per-round ratios (contender ÷ baseline in the same round). fast-jwt runs with its verified-token cache (1 000 entries, as Sigil); express-jwt has no EdDSA.',
    "- **Auth server**: the real `createAuthServer` (RS256, PGlite in memory unless said otherwise, argon2id at OWASP's minimum: m = 19 MiB, t = 2, p = 1; per-IP budgets lifted, since all load comes from one address). Logins saturate the CPU while a client on a thread of its own requests the JWKS and `/healthz` in turn; the server's event-loop delay comes from its own `monitorEventLoopDelay`. Refreshes present a fresh single-use refresh token each.",
    '- **Memory**: RSS and V8 heap after `gc()`, idle and after each of several passes over more distinct valid tokens than the cache holds; RSS that stops growing from one pass to the next is bounded memory.',
    "- **Second factors**: TOTP code checks (Sigil's `matchTotpStep` against otpauth's `TOTP.validate`) and passkey checks (a whole passkey sign-in over HTTP, with a software authenticator signing each assertion, against `@simplewebauthn/server`'s `verifyAuthenticationResponse` of one assertion again and again) in one run; then accounts with TOTP each sign in once with password and code, several at a time.",
    '- **Mail**: the real auth server queues verification mails as request handlers do (one transaction each, several at once) while its delivery worker sends them to an SMTP server on loopback that keeps only each Message-ID. Mails/s run from the first mail queued to the last one accepted; RSS after `gc()` is read idle and after each quarter of the mails.',
    "- **OAuth token endpoint**: code exchanges and refresh grants per second at Sigil's `/oauth/token` and at panva's oidc-provider (the registry's latest), set up alike in one run: RS256 with a 2048-bit key, a public client (`token_endpoint_auth_method: none`), PKCE S256, an ID token and an `at+jwt` access token for the same audience with every grant, refresh tokens rotated at every use (oidc-provider: `rotateRefreshToken: true`, a refresh token with every code exchange). Storage: Sigil on PGlite in memory (`memory://`, as every in-process section), oidc-provider on its default in-memory adapter. After a warm-up round, a round prepares codes over HTTP for each provider in turn (the authorization request, the provider's sign-in: Sigil's hosted login form with a password, oidc-provider's login and consent interactions finished by `interactionFinished`; the redirect with the code), untimed; then exchanges them, timed, then rotates once each refresh token those exchanges returned, timed; the order of the providers alternates between rounds. The relying party is the same code for both, configured from each discovery document; every answer must be a 200 with the tokens. Each figure is the median of the per-round rates with the 95% interval of that median, as for the protected route; the mean is shown beside it.",
    '- **Angular library cost**: two minimal Angular CLI production builds that differ only by Sigil (bench/size-app); the difference of their gzip -9 JavaScript is what an app downloads because of Sigil.',
    "- **Sigil and Better Auth**: both on PostgreSQL, each in a schema of its own. Sign-in is email and password in, a session out: Sigil's `POST /auth/login` against Better Auth's `POST /api/auth/sign-in/email`, Better Auth given Sigil's argon2id parameters as its `password.hash`/`verify` (same hashing cost), then with its default scrypt. The authenticated request is `GET /api/lessons` in an Express app: Sigil's `requireAuth` verifies a real access token locally from the auth server's JWKS, Better Auth's `getSession` looks the session cookie up in its database. That is the architectural difference, not an implementation detail.",
    '',
    '**Reading the spread.** A route comparison shows the median of its per-round ratios and the 95% interval of that median: the range from the 2nd to the 9th of ten sorted ratios, which holds the true median with 98% probability whatever their distribution (with fewer rounds, all of them). A target is met when the whole interval clears its bar, not met when none of it does, and *within the noise* otherwise. Latencies are p50/p99 of 2xx responses, at full precision.',
    '',
    '```',
    'npm run bench                 # full run: writes bench/results/latest.json, this file and docs/images/bench-*.svg',
    'npm run bench -- --quick      # every section for a moment, checks that each answers (CI); writes nothing',
    'npm run bench -- --only=route # some sections; the others keep their last results',
    'npm run bench -- --report     # rewrite this file from bench/results/latest.json',
    '```',
    '',
  ];
}

function verifySection(result: SectionResult<VerifyResult>, sections: string[], targets: string[]): void {
  const { rows } = result.data;
  const get = (alg: Alg, c: string) => rows.find((r) => r.alg === alg && r.contender === c);
  const floorOf = (alg: Alg) => get(alg, 'crypto.verify (floor)')?.cold;
  const contenders = [...new Set(rows.map((r) => r.contender))];
  sections.push('## 1. Token verification (ops/s, one verification at a time, in process)', '');
  sections.push(
    `| verifier | ${ALGS.map((a) => `${a} cold | ${a} cached`).join(' | ')} |`,
    `|---|${ALGS.map(() => '---:|---:').join('|')}|`,
  );
  for (const c of contenders) {
    const cells = ALGS.map((a) => {
      const r = get(a, c);
      return `${r?.cold === undefined ? 'n/a' : int(r.cold)} | ${r?.cached === undefined ? '–' : int(r.cached)}`;
    });
    sections.push(`| ${c} | ${cells.join(' | ')} |`);
  }
  const relative = (alg: Alg, c: string) => {
    const cold = get(alg, c)?.cold;
    const floor = floorOf(alg);
    return cold === undefined || !floor ? undefined : cold / floor;
  };
  sections.push('', 'Cold ops/s relative to `crypto.verify` (1.00 = the floor; higher is faster):', '');
  sections.push(`| verifier | ${ALGS.join(' | ')} |`, `|---|${ALGS.map(() => '---:').join('|')}|`);
  for (const c of contenders)
    sections.push(`| ${c} | ${ALGS.map((a) => (relative(a, c) === undefined ? 'n/a' : x(relative(a, c)!))).join(' | ')} |`);
  sections.push('', '![cold verification relative to crypto.verify](images/bench-verify.svg)', '');
  writeFileSync(
    `${root}docs/images/bench-verify.svg`,
    barChart({
      title: 'Cold token verification, relative to raw crypto.verify',
      subtitle: `ops/s ÷ crypto.verify ops/s, same run (${day(result.meta)}); higher is better`,
      groups: [...ALGS],
      series: contenders.filter((c) => c !== 'crypto.verify (floor)').map((c) => ({ name: c, values: ALGS.map((a) => relative(a, c)) })),
      format: (v) => `${v.toFixed(2)}x`,
      reference: { value: 1, label: 'crypto.verify' },
    }),
  );
  for (const alg of ALGS) {
    const floor = floorOf(alg);
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

function routeSection(result: SectionResult<RouteResult>, sections: string[], targets: string[]): void {
  const { rows, comparisons, options } = result.data;
  sections.push('## 2. Protected route (req/s and latency under autocannon)', '');
  sections.push(
    result.note
      ? `*${result.note}*`
      : `${options.connections} connections, ${options.durationSec} s measured after ${options.warmupSec} s of warm-up, ${options.rounds} rounds; medians over the rounds.`,
    '',
    '| alg | target | req/s | × bare Express | p50 | p99 |',
    '|---|---|---:|---:|---:|---:|',
  );
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
      subtitle: `req/s ÷ bare Express req/s, same run (${day(result.meta)}), ${options.connections} connections; higher is better`,
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
  sections.push(
    '### Comparisons (the targets)',
    '',
    '| alg | comparison | median ratio | 95% interval of the median | rounds |',
    '|---|---|---:|---:|---:|',
  );
  for (const c of comparisons)
    sections.push(
      `| ${c.alg} | ${TARGET_LABELS[c.contender]} ÷ ${TARGET_LABELS[c.baseline]} | ${c.median.toFixed(3)}x | ${interval(c)} | ${c.ratios.length} |`,
    );
  sections.push('');
  for (const { baseline, contender, goal, bar } of COMPARISONS) {
    for (const c of comparisons.filter((row) => row.baseline === baseline && row.contender === contender))
      targets.push(`| ${goal} (${c.alg}) | median ${c.median.toFixed(3)}x, 95% interval ${interval(c)} | ${verdict(c, bar)} |`);
  }
}

function authSection(result: SectionResult<AuthResult>, sections: string[], targets: string[]): void {
  const a = result.data;
  const o = a.options;
  const variants = a.variants ?? [];
  sections.push('## 3. Auth server', '');
  sections.push(
    `Logins: ${o.loginConnections} connections for ${o.loginDurationSec} s, cycling through seeded users; the JWKS and \`/healthz\` probed every ${o.probeIntervalMs} ms meanwhile, and for ${o.idleSec} s on the idle server. Refreshes: ${o.refreshConnections} connections for ${o.refreshDurationSec} s.`,
    '',
    '| load | req/s | p50 | p99 | max |',
    '|---|---:|---:|---:|---:|',
    `| POST /auth/login (saturated) | ${a.login.rps.toFixed(1)} | ${ms(a.login.p50)} | ${ms(a.login.p99)} | ${ms(a.login.max)} |`,
    `| POST /auth/refresh | ${a.refresh.rps.toFixed(1)} | ${ms(a.refresh.p50)} | ${ms(a.refresh.p99)} | ${ms(a.refresh.max)} |`,
  );
  for (const v of variants)
    sections.push(
      `| POST /auth/login (saturated), ${v.label} | ${v.login.rps.toFixed(1)} | ${ms(v.login.p50)} | ${ms(v.login.p99)} | ${ms(v.login.max)} |`,
    );
  sections.push(
    '',
    '| probe | idle p50 | idle p99 | under login p50 | under login p99 | under login max | samples |',
    '|---|---:|---:|---:|---:|---:|---:|',
  );
  const paths = Object.keys(a.underLogin.probes);
  for (const path of paths) {
    const i = a.idle.probes[path]!;
    const u = a.underLogin.probes[path]!;
    sections.push(`| GET ${path} | ${ms(i.p50)} | ${ms(i.p99)} | ${ms(u.p50)} | ${ms(u.p99)} | ${ms(u.max)} | ${u.count} |`);
  }
  for (const v of variants) {
    for (const path of Object.keys(v.probes)) {
      const u = v.probes[path]!;
      sections.push(`| GET ${path}, ${v.label} | | | ${ms(u.p50)} | ${ms(u.p99)} | ${ms(u.max)} | ${u.count} |`);
    }
  }
  const d = (l: typeof a.idle.loopDelay) => `${ms(l.p50)} | ${ms(l.p90)} | ${ms(l.p99)} | ${ms(l.max)} | ${ms(l.mean)}`;
  sections.push('', '| event-loop delay | p50 | p90 | p99 | max | mean |', '|---|---:|---:|---:|---:|---:|');
  sections.push(`| idle | ${d(a.idle.loopDelay)} |`, `| logins saturating the CPU | ${d(a.underLogin.loopDelay)} |`);
  for (const v of variants) sections.push(`| logins saturating the CPU, ${v.label} | ${d(v.loopDelay)} |`);
  sections.push('', '![JWKS and healthz p99 while logins saturate the CPU](images/bench-auth.svg)', '');
  writeFileSync(
    `${root}docs/images/bench-auth.svg`,
    barChart({
      title: 'Auth server: p99 latency of cheap requests while logins saturate the CPU',
      subtitle: `ms, same run (${day(result.meta)}); target < 5 ms; lower is better`,
      groups: [...paths.map((p) => p.replace('/.well-known/', '')), 'event loop'],
      series: [
        { name: 'idle', values: [...paths.map((p) => a.idle.probes[p]!.p99), a.idle.loopDelay.p99] },
        {
          name: `under ${a.login.rps.toFixed(0)} logins/s`,
          values: [...paths.map((p) => a.underLogin.probes[p]!.p99), a.underLogin.loopDelay.p99],
        },
        ...variants.map((v) => ({
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
  for (const v of variants)
    for (const path of paths)
      targets.push(
        `| ${path} p99 < 5 ms while logins saturate the CPU (${v.label}) | ${ms(v.probes[path]!.p99)} | ${yes(v.probes[path]!.p99 < 5)} |`,
      );
}

function memorySection(result: SectionResult<MemoryResult>, sections: string[]): void {
  const m = result.data;
  sections.push('## 4. Memory (RSS after a forced GC)', '');
  sections.push(
    'API: `requireAuth` with the default cache (1 000 tokens), EdDSA keys through the JWKS. Auth server: HS256 mode (so the harness can mint tokens of a real session), tokens sent to `GET /auth/me`.',
    '',
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
      subtitle: `MiB after gc(), same run (${day(result.meta)})`,
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

function mailSection(result: SectionResult<MailResult>, sections: string[], targets: string[]): void {
  const { options, rows } = result.data;
  sections.push('## 7. Mail through the outbox', '');
  sections.push(
    `${int(options.mails)} mails, queued ${options.concurrency} at a time, each delivered by the worker (claim under a lease, SMTP send, mark sent) to an SMTP server on 127.0.0.1.`,
    '',
    '| storage | mails/s (queued → accepted by SMTP) | queued/s | duplicates | RSS idle | RSS after each quarter |',
    '|---|---:|---:|---:|---:|---:|',
  );
  for (const r of rows)
    sections.push(
      `| ${r.storage} | ${int(r.mailsPerSec)} | ${int(r.queuedPerSec)} | ${r.duplicates} | ${r.idleRssMiB.toFixed(1)} MiB | ${r.rssMiB.map((v) => v.toFixed(1)).join(' → ')} MiB |`,
    );
  sections.push(
    '',
    `\`POST /auth/password/forgot\` (addresses with no account) from ${options.forgotConnections} connections for ${options.forgotDurationSec} s while the worker queues and sends another ${int(Math.ceil(options.mails / 4))} mails:`,
    '',
    '| storage | forgot requests/s | p50 | p99 |',
    '|---|---:|---:|---:|',
  );
  for (const r of rows)
    if (r.forgotBusy) sections.push(`| ${r.storage} | ${int(r.forgotBusy.rps)} | ${ms(r.forgotBusy.p50)} | ${ms(r.forgotBusy.p99)} |`);
  sections.push('');
  for (const r of rows) {
    // Flat: the last three quarters add less than 10% to what the first one reached.
    const growth = r.rssMiB.at(-1)! - r.rssMiB[0]!;
    targets.push(
      `| Every mail sent exactly once (${r.storage}, ${int(r.mails)} mails) | ${r.duplicates} duplicates | ${yes(r.duplicates === 0)} |`,
      `| RSS flat across ${int(r.mails)} mails (${r.storage}: growth after the first quarter < 10%) | ${growth >= 0 ? '+' : ''}${growth.toFixed(1)} MiB | ${yes(growth < r.rssMiB[0]! * 0.1)} |`,
    );
  }
}

function factorsSection(result: SectionResult<FactorsResult>, sections: string[]): void {
  const r = result.data;
  sections.push(
    '## 8. Second factors',
    '',
    'Checks per second in process, one at a time, each next to its library alone in the same run; sign-ins per second over HTTP against the real auth server (in-memory PGlite) with a software authenticator for the passkey.',
    '',
    '| what | Sigil | the library alone |',
    '|---|---:|---:|',
    `| TOTP code check (six digits, ±1 step, the step kept for replay) | ${int(r.totp.sigil)}/s | ${int(r.totp.library)}/s (otpauth \`TOTP.validate\`) |`,
    `| passkey sign-in: options, assertion check, challenge used up, counter, tokens (HTTP) | ${int(r.passkeyVerify.sigil)}/s | ${int(r.passkeyVerify.library)}/s (\`verifyAuthenticationResponse\` of one assertion, nothing stored) |`,
    `| password + TOTP sign-in: login, 403 mfa_required, POST /auth/mfa/verify (HTTP, ${r.options.concurrency} at a time, ${int(r.options.mfaLogins)} accounts) | ${r.mfaLoginsPerSec.toFixed(1)}/s | – (argon2id bound) |`,
    '',
  );
}

function oauthRates(values: number[] | undefined): string {
  if (!values?.length) return `${NOT_MEASURED} | |`;
  const { low, high } = medianInterval(values);
  const mean = values.reduce((a, b) => a + b, 0) / values.length;
  return `${int(median(values))}/s | ${int(low)}-${int(high)}/s | ${int(mean)}/s`;
}

function oauthSection(result: SectionResult<OAuthResult> | undefined, sections: string[]): void {
  sections.push('## 9. OAuth token endpoint (Sigil and oidc-provider)', '');
  const data = result?.data;
  if (data) {
    const o = data.options;
    sections.push(
      `oidc-provider ${data.oidcProviderVersion}. After an untimed round of ${int(o.warmupCodes)} codes per provider, ${o.rounds} rounds of ${int(o.codesPerRound)} codes per provider, ${o.concurrency} requests at a time; every code exchanged once, then every refresh token it returned rotated once.`,
      '',
    );
  } else sections.push(`${NOT_MEASURED}: the section's first full run is still to come; these are the rows it will fill.`, '');
  const byProvider = new Map<string, OAuthProviderResult>((data?.providers ?? []).map((p) => [p.provider, p]));
  sections.push('| grant at the token endpoint | storage | median | 95% interval of the median | mean |', '|---|---|---:|---:|---:|');
  for (const provider of OAUTH_PROVIDERS) {
    const p = byProvider.get(provider);
    sections.push(
      `| ${OAUTH_LABELS[provider]}: code exchange (authorization_code + PKCE) | ${OAUTH_STORAGE[provider]} | ${oauthRates(p?.exchangesPerSec)} |`,
    );
  }
  for (const provider of OAUTH_PROVIDERS) {
    const p = byProvider.get(provider);
    sections.push(
      `| ${OAUTH_LABELS[provider]}: refresh grant (rotation) | ${OAUTH_STORAGE[provider]} | ${oauthRates(p?.refreshesPerSec)} |`,
    );
  }
  const sigil = byProvider.get('sigil');
  const peer = byProvider.get('oidc-provider');
  if (sigil && peer) {
    const ratios = (a: number[], b: number[]) => a.map((v, i) => v / b[i]!);
    const ratio = (values: number[]) => {
      const { low, high } = medianInterval(values);
      return `${median(values).toFixed(2)}x (${low.toFixed(2)}-${high.toFixed(2)})`;
    };
    sections.push(
      '',
      `Sigil ÷ oidc-provider, per round: code exchanges ${ratio(ratios(sigil.exchangesPerSec, peer.exchangesPerSec))}, refresh grants ${ratio(ratios(sigil.refreshesPerSec, peer.refreshesPerSec))} (median and its 95% interval).`,
    );
  }
  sections.push(
    '',
    'Both sign two RS256 JWTs per grant (the access token and the ID token). Sigil keeps its codes, sessions and refresh tokens in SQL (the embedded PGlite here), as it does in production; oidc-provider keeps codes, grants and tokens in a map in its own process, which a deployment replaces with a database adapter of its own.',
    '',
  );
}

function angularSection(result: SectionResult<AngularSizeResult>, sections: string[], targets: string[]): void {
  const g = result.data;
  sections.push('## 5. Angular library cost', '');
  if (!g.available) {
    sections.push(`Not measured: ${g.reason}.`, '');
    return;
  }
  const d = g.appDelta;
  if (d) {
    sections.push(
      "Both apps have a router with two guarded routes and `HttpClient` with an interceptor list; the second wires Sigil in as docs/angular.md shows (`provideSigilAuth` in cookie mode, `authInterceptor`, `authGuard`, `roleGuard('admin')`).",
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
    `For reference, the library bundled on its own (built ${g.fesmBuiltAt}, Angular linker, esbuild, Angular/rxjs/tslib external, gzip -9): alone it shares no gzip dictionary with an app and carries \`import\` statements, so it reads higher than what an app grows by.`,
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

/** The rows shown before the first full run of the section: what will be measured, no figures. */
const PLANNED_SIGN_IN = [
  'Sigil login',
  "Better Auth sign-in (argon2id with Sigil's parameters)",
  'Better Auth sign-in (its default scrypt)',
];
const PLANNED_CHECKS = [
  'Sigil requireAuth (token cache on, the default)',
  'Sigil requireAuth (token cache off: a signature check a request)',
  'Better Auth getSession (session looked up in PostgreSQL)',
];

function betterAuthSection(result: SectionResult<BetterAuthResult> | undefined, sections: string[]): void {
  sections.push('## 6. Sigil and Better Auth (sign-in and authenticated requests, PostgreSQL)', '');
  const data = result?.data;
  if (data?.skipped) {
    sections.push(`Skipped in the last run: ${data.skipped}.`, '');
    return;
  }
  const row = (entry: ComparisonLoad | string, rate: string) =>
    typeof entry === 'string'
      ? `| ${entry} | ${NOT_MEASURED} | | |`
      : `| ${entry.label} | ${entry.load.rps.toFixed(rate === 'sign-ins' ? 1 : 0)} | ${ms(entry.load.p50)} | ${ms(entry.load.p99)} |`;
  if (data) {
    const o = data.options;
    sections.push(
      `Better Auth ${data.betterAuthVersion}. Sign-in: ${o.signInConnections} connections for ${o.signInDurationSec} s, cycling through seeded users; authenticated requests: ${o.checkConnections} connections for ${o.checkDurationSec} s, one valid token or session cookie; both after ${o.warmupSec} s of warm-up.`,
      '',
    );
  } else sections.push(`${NOT_MEASURED}: the section's first full run is still to come; these are the rows it will fill.`, '');
  sections.push('| sign-in (email + password → session) | sign-ins/s | p50 | p99 |', '|---|---:|---:|---:|');
  for (const entry of data?.signIn ?? PLANNED_SIGN_IN) sections.push(row(entry, 'sign-ins'));
  sections.push('', '| authenticated request (`GET /api/lessons`) | checks/s | p50 | p99 |', '|---|---:|---:|---:|');
  for (const entry of data?.checks ?? PLANNED_CHECKS) sections.push(row(entry, 'checks'));
  sections.push(
    '',
    "Sigil's check verifies a signed token in the API process (no database; with the cache on, a repeated token is a lookup); Better Auth's reads the session from its database on every request. The sign-in rows with the same argon2id cost compare the servers; the scrypt row shows Better Auth as installed.",
    '',
  );
}

export function writeReport(results: Results): void {
  mkdirSync(`${root}docs/images`, { recursive: true });
  const metas = Object.entries(results).map(([section, value]) => [section, (value as SectionResult<unknown>).meta] as const);
  const first = metas[0]?.[1];
  const sections: string[] = [];
  const targets: string[] = [];
  if (results.verify) verifySection(results.verify, sections, targets);
  if (results.route) routeSection(results.route, sections, targets);
  if (results.auth) authSection(results.auth, sections, targets);
  if (results.memory) memorySection(results.memory, sections);
  if (results.angular) angularSection(results.angular, sections, targets);
  betterAuthSection(results.betterAuth, sections);
  if (results.mail) mailSection(results.mail, sections, targets);
  if (results.factors) factorsSection(results.factors, sections);
  oauthSection(results.oauth, sections);

  const md: string[] = ['# Benchmarks', '', 'Measured with `npm run bench` (scripts in [`bench/`](../bench)).', ''];
  md.push(...methodSection(first));
  if (first) {
    md.push('## Machine and runs', '');
    md.push(`- CPU: ${first.cpu}, ${first.nproc} cores; memory: ${first.memory}; ${first.os}`, `- Node ${first.node}`, '');
    md.push('| section | date (UTC) | command | commit | load average before / after (1, 5, 15 min) | took |', '|---|---|---|---|---|---|');
    for (const [section, meta] of metas)
      md.push(
        `| ${section} | ${meta.date.replace('T', ' ').slice(0, 19)} | \`${meta.command}\` | ${meta.commit} | ${load(meta.loadBefore)} → ${load(meta.loadAfter)} | ${Math.round(meta.seconds)} s |`,
      );
    md.push('');
  }
  md.push('## Targets', '', '| target | measured | result |', '|---|---|---|', ...targets, '');
  md.push(...sections);
  writeFileSync(`${root}docs/BENCHMARKS.md`, md.join('\n'));
}
