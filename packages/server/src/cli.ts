#!/usr/bin/env node
/**
 * `sigil`: the auth server's command line (serve, users, clients, keys, mail, token). See `sigil --help` and
 * docs/server.md. Exit status: 0 ok, 1 failure, 2 bad usage or configuration.
 *
 * @example
 * npm run sigil -- users list
 */
import { describeError } from './cli/context.ts';
import { runCli } from './cli/program.ts';

// Last resort: even a bug prints one line, never a stack trace (SIGIL_DEBUG=1 shows it).
const crash = (error: unknown) => {
  process.stderr.write(`sigil: ${describeError(error).message}\n`);
  if (process.env.SIGIL_DEBUG && error instanceof Error) process.stderr.write(`${error.stack}\n`);
  process.exit(1);
};
process.on('uncaughtException', crash);
process.on('unhandledRejection', crash);

const code = await runCli(process.argv);
process.exit(code);
