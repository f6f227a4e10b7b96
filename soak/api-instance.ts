/**
 * One demo API instance for the soak: what apps/api/src/main.ts runs (same config from the
 * environment, same `startApiServer`, @sigil/express defaults), plus debug logging of the key-set
 * events (`jwks_refreshed`, `jwks_unknown_kid`) with timestamps, so the instance logs show when
 * each API picked up a rotation or revocation. Prints `listening on URL` once it listens.
 */
import { loadApiConfig } from '../apps/api/src/config.ts';
import { startApiServer } from '../apps/api/src/server.ts';

const config = loadApiConfig(process.env);
const line = (level: string) => (data: Record<string, unknown>, message: string) =>
  process.stdout.write(`${new Date().toISOString()} ${level} ${message} ${JSON.stringify(data)}\n`);
const api = await startApiServer({ ...config, logger: { warn: line('warn'), debug: line('debug') } });
process.stdout.write(`demo api listening on ${api.url} (issuer ${config.issuer})\n`);
for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => void api.close(2_000).then(() => process.exit(0)));
