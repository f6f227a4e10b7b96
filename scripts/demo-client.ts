/**
 * The demo web app's OAuth client, `sigil-demo`, which `npm start` (scripts/start.ts) registers,
 * or brings up to date, in the auth server's storage before the server starts. It lives here and
 * not in `sigil serve --seed-demo`: an installed `sigil serve` has no demo app on :4200 to send
 * users back to, so it must not trust one.
 *
 * @example
 * await seedDemoClient({ ...process.env, SIGIL_DATA_DIR: '.sigil/data' }, 4200);
 */
import { createAuthServer, loadConfigFromEnv, type NewClientInput } from '@sigil/server';

export const DEMO_CLIENT_ID = 'sigil-demo';

/**
 * Public (a browser app keeps no secret: PKCE proves it) and first-party (the demo is Sigil's own
 * app: no consent page). The app is opened as localhost or 127.0.0.1, and redirect URIs match
 * exactly, so both are registered.
 */
export function demoClient(webPort: number | string): NewClientInput & { clientId: string } {
  const origins = [`http://localhost:${webPort}`, `http://127.0.0.1:${webPort}`];
  const callbacks = origins.map((origin) => `${origin}/auth/callback`);
  return {
    clientId: DEMO_CLIENT_ID,
    name: 'Sigil demo',
    firstParty: true,
    redirectUris: callbacks,
    postLogoutRedirectUris: [...callbacks, ...origins.map((origin) => `${origin}/`)],
  };
}

/**
 * Seeds the demo client into the storage `env` configures (SIGIL_DATA_DIR or DATABASE_URL), the
 * auth server's own environment. The embedded database takes one process at a time: call it
 * before the server starts.
 */
export async function seedDemoClient(env: NodeJS.ProcessEnv, webPort: number | string): Promise<void> {
  // Quiet and small: this server never listens; the real one logs its own startup warnings.
  const auth = await createAuthServer(loadConfigFromEnv(env, { logLevel: 'error', hashThreads: 1, redisUrl: undefined }));
  try {
    await auth.clients.seed(demoClient(webPort));
  } finally {
    await auth.close(0);
  }
}
