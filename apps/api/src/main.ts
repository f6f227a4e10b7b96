/**
 * Runs the demo API: `npx node --conditions=sigil-source apps/api/src/main.ts`.
 * Configuration from the environment (see config.ts); SIGINT/SIGTERM close it gracefully.
 */
import { ConfigError, loadApiConfig, type ApiConfig } from './config.ts';
import { startApiServer } from './server.ts';

let config: ApiConfig;
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
const api = await startApiServer({ ...config, logger });
console.log(`demo api listening on ${api.url} (issuer ${config.issuer}, audience ${config.audience})`);

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    void api.close().then(() => process.exit(0));
  });
}
