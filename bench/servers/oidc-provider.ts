/**
 * Child process: panva's oidc-provider set up as Sigil's OAuth server is (bench/oauth.ts): one
 * RS256 key of 2048 bits, the default in-memory adapter, a public client (token endpoint auth
 * `none`, PKCE S256, as the provider requires of public clients), JWT access tokens (`at+jwt`,
 * RFC 9068) for the audience Sigil's carry, an ID token, and a refresh token on every code
 * exchange, rotated at every use (`rotateRefreshToken: true`; a reused one revokes its grant).
 *
 * Its interactions finish without a page, the documented way (`interactionDetails` then
 * `interactionFinished`): the login prompt with the account, the consent prompt with a grant of
 * what the request asked for. That happens while codes are prepared, outside the timed part.
 * argv[2]: JSON `{ users }` (accounts `oauth-<i>@example.com`).
 */
import { generateKeyPairSync } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import Provider, { type Configuration } from 'oidc-provider';
import { answerParent } from '../lib/child.ts';
import { OAUTH_BENCH_AUDIENCE, OAUTH_BENCH_CLIENT, oauthBenchEmail } from '../lib/oauth-flow.ts';

const config = JSON.parse(process.argv[2] ?? '{}') as { users?: number };
const users = config.users ?? 8;

// The issuer must be known before the provider exists: listen first, then route to it.
const server = createServer();
server.listen(0, '127.0.0.1');
await new Promise((resolve) => server.once('listening', resolve));
const { port } = server.address() as AddressInfo;
const issuer = `http://127.0.0.1:${port}`;

const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
const signingKey = { ...privateKey.export({ format: 'jwk' }), kid: 'bench-oidc-provider-rs256', alg: 'RS256', use: 'sig' };

/** An account id is the index of the email (`oauth-3@example.com` is `3`); the claims Sigil's tokens carry. */
function accountClaims(accountId: string) {
  return { sub: accountId, email: oauthBenchEmail(Number(accountId)), email_verified: true, name: `OAuth ${accountId}` };
}

const RESOURCE = 'urn:sigil:bench-api';
const DAY = 24 * 60 * 60;

const configuration: Configuration = {
  clients: [
    {
      client_id: OAUTH_BENCH_CLIENT.clientId,
      token_endpoint_auth_method: 'none',
      redirect_uris: [OAUTH_BENCH_CLIENT.redirectUri],
      grant_types: ['authorization_code', 'refresh_token'],
      response_types: ['code'],
    },
  ],
  jwks: { keys: [signingKey] },
  // Cookies signed, as any deployment has them (the keys are this process's own).
  cookies: { keys: ['bench-oidc-provider-cookie-key-5b8e2c14f7a9'] },
  scopes: ['openid', 'offline_access', 'profile', 'email'],
  claims: { openid: ['sub'], email: ['email', 'email_verified'], profile: ['name'] },
  findAccount: (_ctx, id) => ({ accountId: id, claims: () => accountClaims(id) }),
  features: {
    devInteractions: { enabled: false },
    // JWT access tokens for one API, as Sigil signs them; without a resource they would be
    // opaque tokens for the userinfo endpoint.
    resourceIndicators: {
      enabled: true,
      // A resource indicator is an absolute URI (RFC 8707); the tokens' `aud` is Sigil's.
      defaultResource: () => RESOURCE,
      useGrantedResource: () => true,
      getResourceServerInfo: () => ({
        scope: OAUTH_BENCH_CLIENT.scope,
        audience: OAUTH_BENCH_AUDIENCE,
        accessTokenFormat: 'jwt',
        accessTokenTTL: 15 * 60,
        jwt: { sign: { alg: 'RS256' } },
      }),
    },
  },
  pkce: { required: () => true },
  rotateRefreshToken: true,
  // offline_access counts only with prompt=consent (OIDC Core 11); Sigil issues a refresh token
  // with every code, so this side does too.
  issueRefreshToken: (_ctx, client) => client.grantTypeAllowed('refresh_token'),
  // Sigil's lifetimes where it has them (15-minute access tokens, 90-day sessions); set, so the
  // provider does not warn that its defaults are in use.
  ttl: {
    AuthorizationCode: 60,
    AccessToken: 15 * 60,
    IdToken: 60 * 60,
    Interaction: 10 * 60,
    Session: 90 * DAY,
    Grant: 90 * DAY,
    RefreshToken: 90 * DAY,
  },
  interactions: { url: (_ctx, interaction) => `/interaction/${interaction.uid}` },
};

const provider = new Provider(issuer, configuration);
const handle = provider.callback();

let nextAccount = 0;

/** The login prompt, then the consent prompt: finished at once with the account and a grant. */
async function interaction(req: IncomingMessage, res: ServerResponse): Promise<void> {
  const details = await provider.interactionDetails(req, res);
  if (details.prompt.name === 'login') {
    // The accounts in turn, as the Sigil side signs its users in in turn.
    const accountId = String(nextAccount++ % users);
    return provider.interactionFinished(req, res, { login: { accountId } }, { mergeWithLastSubmission: false });
  }
  const accountId = details.session?.accountId;
  if (details.prompt.name !== 'consent' || !accountId) throw new Error(`unexpected prompt ${details.prompt.name}`);
  const grant = new provider.Grant({ accountId, clientId: String(details.params['client_id']) });
  const missing = details.prompt.details as { missingOIDCScope?: string[]; missingResourceScopes?: Record<string, string[]> };
  if (missing.missingOIDCScope) grant.addOIDCScope(missing.missingOIDCScope.join(' '));
  for (const [resource, scopes] of Object.entries(missing.missingResourceScopes ?? {})) grant.addResourceScope(resource, scopes.join(' '));
  const grantId = await grant.save();
  return provider.interactionFinished(req, res, { consent: { grantId } }, { mergeWithLastSubmission: true });
}

server.on('request', (req: IncomingMessage, res: ServerResponse) => {
  if (!req.url?.startsWith('/interaction/')) return void handle(req, res);
  interaction(req, res).catch((error: unknown) => {
    res.writeHead(500, { 'content-type': 'text/plain' });
    res.end(error instanceof Error ? error.message : String(error));
  });
});

answerParent({});
process.send!({ type: 'listening', port });
