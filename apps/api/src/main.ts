/**
 * Runs the demo API: `npx node --conditions=sigil-source apps/api/src/main.ts`.
 * Configuration from the environment (see config.ts); SIGINT/SIGTERM close it gracefully.
 */
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { createApiApp } from './app.ts';
import { ConfigError, loadApiConfig } from './config.ts';

let config;
try {
  config = loadApiConfig(process.env);
} catch (error) {
  if (!(error instanceof ConfigError)) throw error;
  console.error(`demo api: ${error.message}`);
  process.exit(1);
}

const logger = {
  warn: (data: Record<string, unknown>, message: string) => console.warn(`demo api: ${message}`, JSON.stringify(data)),
};
const app = createApiApp({ issuer: config.issuer, audience: config.audience, allowedOrigins: config.allowedOrigins, logger });
const server = app.listen(config.port, config.host);
await once(server, 'listening');
const { port } = server.address() as AddressInfo;
console.log(`demo api listening on http://${config.host === '0.0.0.0' ? 'localhost' : config.host}:${port} (issuer ${config.issuer}, audience ${config.audience})`);

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    server.close(() => process.exit(0));
    server.closeIdleConnections();
    setTimeout(() => process.exit(0), 5_000).unref();
  });
}
