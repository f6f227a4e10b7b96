/**
 * Child process: the real Sigil auth server as an OAuth 2.1 provider (bench/oauth.ts): its default
 * signing (RS256, 2048 bits), in-memory PGlite (`memory://`, the bench's default storage), silent
 * logs, per-IP budgets lifted (all load comes from 127.0.0.1), seeded users, and the bench's
 * public client seeded first-party (no consent page, as the oidc-provider side grants at once).
 * No issuer is configured, so the issuer is the address it listens on: its redirects lead back to
 * it. argv[2]: JSON `{ users }`.
 */
import { createAuthServer } from '@sigil/server';
import { answerParent } from '../lib/child.ts';
import { OAUTH_BENCH_CLIENT, OAUTH_BENCH_PASSWORD, oauthBenchEmail } from '../lib/oauth-flow.ts';

const config = JSON.parse(process.argv[2] ?? '{}') as { users?: number };

const auth = await createAuthServer({
  dataDir: 'memory://',
  logLevel: 'silent',
  ipRequestsPerMinute: 100_000_000,
  signupsPerHour: 100_000_000,
});
for (let i = 0; i < (config.users ?? 8); i++)
  await auth.createUser({ email: oauthBenchEmail(i), password: OAUTH_BENCH_PASSWORD, name: `OAuth ${i}`, roles: ['user'] });
await auth.clients.seed({
  clientId: OAUTH_BENCH_CLIENT.clientId,
  name: 'Bench relying party',
  redirectUris: [OAUTH_BENCH_CLIENT.redirectUri],
  firstParty: true,
});

answerParent({});
const { port } = await auth.listen(0, '127.0.0.1');
process.send!({ type: 'listening', port });
