import { createDatabaseKeyManager } from './database-keys.ts';
import { createSharedSecretKeyManager } from './shared-secret.ts';
import type { KeyManager, KeyManagerOptions } from './types.ts';

/**
 * Creates the signing-key manager for `config.alg`, ready to sign: with RS256, ES256 or EdDSA it
 * opens the keys stored in the database (creating the first one, or staging one of a newly
 * configured algorithm); with HS256 it uses `config.hs256Secret` and touches no table.
 *
 * Throws `ConfigError` (one line, no key material) when a stored private key cannot be opened
 * with `SIGIL_KEY_SECRET`. Call `startSchedule()` in a long-running server, `stop()` on shutdown.
 *
 * @example
 * const keys = await createKeyManager({ db, config, logger });
 * keys.startSchedule();
 * const { kid, alg, key } = await keys.signingKey();
 * const jwt = await new SignJWT(claims).setProtectedHeader({ alg, kid, typ: 'at+jwt' }).sign(key);
 */
export async function createKeyManager(options: KeyManagerOptions): Promise<KeyManager> {
  const { config } = options;
  if (!options.db || !config || !options.logger) throw new TypeError('createKeyManager needs db, config and logger');
  for (const name of ['scheduleIntervalMs', 'reloadIntervalMs'] as const) {
    const value = options[name];
    if (value !== undefined && !(Number.isInteger(value) && value > 0)) throw new TypeError(`${name} must be a positive integer`);
  }
  if (config.alg === 'HS256') {
    if (!config.hs256Secret) throw new TypeError('config.hs256Secret is required when config.alg is HS256');
    return createSharedSecretKeyManager(config.hs256Secret, (options.now ?? (() => new Date()))());
  }
  return createDatabaseKeyManager(options, config.alg);
}
