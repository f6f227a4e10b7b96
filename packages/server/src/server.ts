import { once } from 'node:events';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Express } from 'express';
import { z } from 'zod';
import { parseConfig, type Config, type ConfigInput } from './config.ts';
import { SigilError } from './errors.ts';
import { createApp } from './http/app.ts';
import type { AppContext } from './http/context.ts';
import { parseBody } from './http/validate.ts';
import { createKeyManager, type KeyManager } from './keys/index.ts';
import { createLogger, type Logger } from './logger.ts';
import { createMailDelivery, type MailDeliveryMode } from './mail/delivery.ts';
import { createMailService, type MailService } from './mail/mail-service.ts';
import type { MailResolvers } from './mail/resolvers.ts';
import type { MailTransport } from './mail/transport.ts';
import type { MailWorker } from './mail/worker.ts';
import { createClientRegistry, type ClientRegistry } from './oauth/clients.ts';
import { createOAuth, oauthEnabled } from './oauth/index.ts';
import { createPasswordHasher, type PasswordHasher } from './passwords/hashing.ts';
import { createPasskeyService } from './passkeys/index.ts';
import { newPasswordSchema } from './passwords/policy.ts';
import { createRateLimits } from './rate-limit/limits.ts';
import { displayNameSchema, emailSchema, rolesSchema } from './sessions/account-fields.ts';
import {
  createAuthService,
  createPasswordResetResolver,
  toPublicUser,
  type AuthService,
  type PublicUser,
} from './sessions/auth-service.ts';
import { openDatabase, type Database } from './storage/index.ts';
import { migrate } from './storage/migrations.ts';

export interface AuthServerOptions extends ConfigInput {
  /** Clock, injectable for tests. @default () => new Date() */
  now?: () => Date;
  /** Log destination (tests capture logs to check redaction). @default stdout */
  logDestination?: NodeJS.WritableStream;
  /**
   * An already-open database to use instead of opening one from the config (it is migrated).
   * The caller owns it: `close()` leaves it open. Tests share one embedded PGlite between servers
   * this way, each in its own schema.
   */
  database?: Database;
  /**
   * Where mail goes instead of SMTP or the dev mailbox (tests, or embedding code with its own
   * mail service). The caller closes it.
   */
  mailTransport?: MailTransport;
}

/** The server's mail outbox (docs/server.md, "Mail"): its use cases and its delivery. */
export interface ServerMail extends MailService {
  /** Where mail goes; decided when the server listens (the issuer may be fixed only then). */
  mode(): MailDeliveryMode;
  /** The same, for people: an SMTP URL without its password, the dev mailbox's address... */
  description(): string;
  /** The delivery worker while the server listens (undefined before, after, and in mode `none`). */
  readonly worker: MailWorker | undefined;
}

export interface NewUserInput {
  email: string;
  password: string;
  name?: string | null;
  roles?: string[];
  /** Whether the address counts as verified already (no link to follow). @default false */
  emailVerified?: boolean;
}

/**
 * A running (or ready to run) auth server, as createAuthServer returns it.
 *
 * @example
 * const auth = await createAuthServer({ dataDir: 'memory://' });
 * await auth.createUser({ email: 'ada@example.com', password: 'a long passphrase' });
 * const ada = await auth.service.findUserByEmail('ada@example.com');
 */
export interface AuthServer {
  readonly app: Express;
  readonly config: Config;
  /** The signing keys: which key signs, the JWKS, rotation and revocation. */
  readonly keys: KeyManager;
  /** The use cases (login, sessions, accounts) the HTTP API and the CLI share. */
  readonly service: AuthService;
  /** The mail outbox: queue, list and retry mail; its worker delivers while the server listens. */
  readonly mail: ServerMail;
  /** Registered OAuth clients (docs/oauth.md): create, seed, list, delete. */
  readonly clients: ClientRegistry;
  readonly logger: Logger;
  /** The issuer in force (fixed from the listening address when none was configured). */
  readonly issuer: string;
  /** Starts listening; with no `issuer` configured, the issuer becomes `http://host:port`. */
  listen(port?: number, host?: string): Promise<{ url: string; port: number }>;
  /** Creates a user directly (CLI, seeding, tests), with the same validation as signup. */
  createUser(input: NewUserInput): Promise<PublicUser>;
  /**
   * Stops accepting connections, drains in-flight requests (up to `drainMs`), stops the mail
   * worker (its sends in flight finish), closes storage.
   */
  close(drainMs?: number): Promise<void>;
}

const newUserSchema = z.object({
  email: emailSchema,
  password: newPasswordSchema,
  name: displayNameSchema,
  roles: rolesSchema,
  emailVerified: z.boolean().default(false),
});

/** Cleanup of ended sessions: every hour. */
const CLEANUP_INTERVAL_MS = 3_600_000;

/**
 * Creates an auth server: opens and migrates storage, loads signing keys, builds the app.
 *
 * @example
 * const auth = await createAuthServer({ dataDir: './.sigil/data' });
 * const { url } = await auth.listen(4000);
 */
export async function createAuthServer(options: AuthServerOptions = {}): Promise<AuthServer> {
  const { now = () => new Date(), logDestination, database, mailTransport, ...input } = options;
  const config = parseConfig(input);
  const logger = createLogger({ level: config.logLevel, ...(logDestination ? { destination: logDestination } : {}) });
  let issuer = config.issuer;
  const issuerFixed = input.issuer !== undefined;

  const db = database ?? (await openDatabase(config));
  const closeDb = database ? async () => {} : () => db.close();
  let keys: KeyManager;
  try {
    if (database) await migrate(database);
    keys = await createKeyManager({ db, config, logger, now });
  } catch (error) {
    await closeDb();
    throw error;
  }
  let hasher: PasswordHasher;
  try {
    hasher = await createPasswordHasher(undefined, {
      ...(config.hashThreads ? { threads: config.hashThreads } : {}),
      maxQueued: config.hashQueue,
    });
  } catch (error) {
    keys.stop();
    await closeDb();
    throw error;
  }
  const limits = createRateLimits(config, logger);
  const service = createAuthService({
    db,
    config,
    keys,
    hasher,
    limits,
    logger,
    now,
    issuer: () => issuer,
    mailQueued: () => delivery.worker?.wake(),
  });
  const passkeys = createPasskeyService({ db, config, logger, now, issuer: () => issuer, login: service });
  // Mail templates that need completing before their first send (mail/resolvers.ts): a
  // forgotten-password mail gets its reset link, or is skipped, in the worker's transaction.
  const mailResolvers: MailResolvers = { password_reset: createPasswordResetResolver({ config, issuer: () => issuer }) };
  const delivery = createMailDelivery({
    db,
    config,
    logger,
    now,
    issuer: () => issuer,
    resolvers: mailResolvers,
    ...(mailTransport ? { transport: mailTransport } : {}),
  });
  const mailService = createMailService({ db, now, wake: () => delivery.worker?.wake() });
  const mail: ServerMail = {
    ...mailService,
    mode: delivery.mode,
    description: delivery.description,
    get worker() {
      return delivery.worker;
    },
  };
  const clients = createClientRegistry(db, now);
  const oauth = oauthEnabled(config) ? createOAuth({ db, config, keys, logger, now, issuer: () => issuer, clients }) : undefined;
  const ctx: AppContext = {
    config,
    db,
    keys,
    service,
    passkeys,
    clients,
    oauth,
    limits,
    logger,
    issuer: () => issuer,
    devMailbox: () => delivery.mode() === 'dev-mailbox',
  };
  const app = createApp(ctx);

  keys.startSchedule();
  const cleanup = setInterval(() => {
    service.cleanupExpiredSessions().catch((error) => logger.warn({ err: { message: String(error) } }, 'session cleanup failed'));
    passkeys.cleanup().catch((error) => logger.warn({ err: { message: String(error) } }, 'passkey challenge cleanup failed'));
    oauth?.cleanup().catch((error) => logger.warn({ err: { message: String(error) } }, 'authorization code cleanup failed'));
  }, CLEANUP_INTERVAL_MS);
  cleanup.unref();

  let server: Server | undefined;
  let closing: Promise<void> | undefined;

  return {
    app,
    config,
    keys,
    service,
    mail,
    clients,
    logger,
    get issuer() {
      return issuer;
    },

    async listen(port = config.port, host = config.host) {
      server = app.listen(port, host);
      await once(server, 'listening');
      server.keepAliveTimeout = 5_000;
      server.headersTimeout = 10_000;
      server.requestTimeout = 30_000;
      const address = server.address() as AddressInfo;
      const hostForUrl = address.family === 'IPv6' ? `[${address.address}]` : address.address;
      const url = `http://${hostForUrl === '0.0.0.0' ? '127.0.0.1' : hostForUrl}:${address.port}`;
      if (!issuerFixed) issuer = url;
      passkeys.warnAboutOrigins();
      logger.info({ event: 'listening', url, issuer, storage: db.kind, alg: config.alg }, 'sigil auth server listening');
      delivery.start();
      return { url, port: address.port };
    },

    async createUser(user) {
      const parsed = parseBody(newUserSchema, user);
      return toPublicUser(await service.createUser(parsed));
    },

    close(drainMs = 10_000) {
      closing ??= (async () => {
        clearInterval(cleanup);
        keys.stop();
        if (server?.listening) {
          const closed = new Promise<void>((resolve) => server!.close(() => resolve()));
          server.closeIdleConnections();
          const timer = setTimeout(() => server!.closeAllConnections(), drainMs);
          await closed;
          clearTimeout(timer);
        }
        await delivery.stop();
        await limits.close();
        await hasher.close();
        await closeDb();
        logger.flush?.();
      })();
      return closing;
    },
  };
}

export { SigilError };
