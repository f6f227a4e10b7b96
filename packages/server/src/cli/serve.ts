import { Command } from 'commander';
import type { ConfigInput } from '../config.ts';
import type { AuthServer } from '../server.ts';
import { CliError, EXIT, loadCliConfig, oneLine, openAuthServer } from './context.ts';
import { print } from './output.ts';
import { startupHints } from './startup-hints.ts';

/** The demo accounts `--seed-demo` creates; `npm start` prints their logins (docs/server.md, "Quick start"). */
export const DEMO_USERS = [
  { email: 'demo@sigil.dev', password: 'sigil-demo-password', name: 'Demo User', roles: [] as string[] },
  { email: 'admin@sigil.dev', password: 'sigil-admin-password', name: 'Demo Admin', roles: ['admin'] },
] as const;

/** Creates the demo user and admin when missing (idempotent); prints their logins. */
export async function seedDemoUsers(server: AuthServer): Promise<void> {
  for (const demo of DEMO_USERS) {
    const existing = await server.service.findUserByEmail(demo.email);
    // Verified: the demo logins work under SIGIL_EMAIL_VERIFICATION=required too.
    if (!existing)
      await server.createUser({ email: demo.email, password: demo.password, name: demo.name, roles: [...demo.roles], emailVerified: true });
    print(
      `Demo login${demo.roles.length ? ` (${demo.roles.join(', ')})` : ''}: ${demo.email} / ${demo.password}${existing ? '' : ' (created)'}`,
    );
  }
}

const SIGNAL_NUMBERS: Partial<Record<NodeJS.Signals, number>> = { SIGINT: 2, SIGTERM: 15 };

/** `sigil serve`: the auth server, until SIGTERM or SIGINT (graceful), or a second one (at once). */
export function serveCommand(): Command {
  return new Command('serve')
    .description('run the auth server (configuration from the environment: see docs/server.md)')
    .option('--port <port>', 'port to listen on (default: PORT, or 4000)')
    .option('--host <host>', 'address to listen on (default: HOST, or 127.0.0.1; 0.0.0.0 in containers)')
    .option('--seed-demo', 'create the demo user and demo admin if missing, and print their logins')
    .addHelpText('after', '\nSIGTERM or SIGINT drains in-flight requests and closes storage (exit 0); a second signal exits at once.')
    .action(async (options: { port?: string; host?: string; seedDemo?: boolean }) => {
      const env = process.env;
      const overrides: ConfigInput = {};
      if (options.port !== undefined) overrides.port = options.port;
      if (options.host !== undefined) overrides.host = options.host;
      const config = loadCliConfig(env, overrides);
      // Option values are validated with the env names; say which flag it was instead.
      const server = await openAuthServer(config, options.port !== undefined ? { ...env, PORT: options.port } : env);

      let stopping: Promise<void> | undefined;
      const stopped = new Promise<void>((resolve, reject) => {
        const onSignal = (signal: NodeJS.Signals) => {
          if (stopping) {
            process.stderr.write(`sigil: ${signal} again: exiting now\n`);
            process.exit(128 + (SIGNAL_NUMBERS[signal] ?? 1));
          }
          process.stderr.write(`sigil: ${signal}: shutting down (draining requests, closing storage)\n`);
          stopping = server.close().then(resolve, reject);
        };
        process.on('SIGTERM', onSignal);
        process.on('SIGINT', onSignal);
      });

      try {
        if (options.seedDemo) await seedDemoUsers(server);
        const { url } = await server.listen(config.port, config.host);
        print(
          `Sigil auth server listening on ${url} (issuer ${server.issuer}, storage ${config.databaseUrl ? 'PostgreSQL' : config.dataDir}, ${config.alg})`,
        );
        for (const line of await startupHints(server, config)) print(line);
      } catch (error) {
        await server.close(0).catch(() => {});
        const code = (error as NodeJS.ErrnoException).code;
        if (code === 'EADDRINUSE') throw new CliError(`Port ${config.port} on ${config.host} is already in use (set PORT or --port)`);
        if (code === 'EACCES') throw new CliError(`Not allowed to listen on ${config.host}:${config.port} (set PORT or --port)`);
        if (error instanceof CliError) throw error;
        throw new CliError(`Could not start: ${oneLine((error as Error).message ?? String(error))}`, EXIT.failure);
      }
      await stopped;
      print('Sigil auth server stopped.');
    });
}
