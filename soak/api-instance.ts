/**
 * One demo API instance for the soak: what apps/api/src/main.ts runs (same config from the
 * environment, same `startApiServer`, @sigil/express defaults), plus debug logging of the key-set
 * events (`jwks_refreshed`, `jwks_unknown_kid`) with timestamps, so the instance logs show when
 * each API picked up a rotation or revocation. Prints `listening on URL` once it listens.
 */
import { loadApiConfig, startApiServer } from '@sigil/demo-api';

const config = loadApiConfig(process.env);
const line = (level: string) => (data: Record<string, unknown>, message: string) =>
  process.stdout.write(`${new Date().toISOString()} ${level} ${message} ${JSON.stringify(data)}\n`);
const api = await startApiServer({ ...config, logger: { warn: line('warn'), debug: line('debug') } });
process.stdout.write(`demo api listening on ${api.url} (issuer ${config.issuer})\n`);
for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => void api.close(2_000).then(() => process.exit(0)));
// The soak runner going away (even by kill -9) must not leave this process behind.
process.on('disconnect', () => void api.close(1_000).then(() => process.exit(0)));
