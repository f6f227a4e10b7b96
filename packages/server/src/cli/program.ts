import { readFileSync } from 'node:fs';
import { Command, CommanderError } from 'commander';
import { clientsCommand } from './clients.ts';
import { describeError, EXIT } from './context.ts';
import { keysCommand } from './keys.ts';
import { mailCommand } from './mail.ts';
import { serveCommand } from './serve.ts';
import { tokenCommand } from './token.ts';
import { usersCommand } from './users.ts';

// src/cli/program.ts and dist/cli/program.js both sit two levels below the package root.
const VERSION = (JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }).version;

/** The `sigil` command tree. Usage errors throw (exitOverride) instead of exiting, so `runCli` maps them to exit 2. */
export function createProgram(): Command {
  const program = new Command('sigil')
    .description('Sigil auth server: run it, and manage its users, OAuth clients, signing keys, mail and tokens')
    .version(VERSION, '-V, --version', 'print the version')
    .addHelpText(
      'after',
      '\nConfiguration comes from the environment (SIGIL_*, PORT, DATABASE_URL...: see docs/server.md).\nCommands other than serve open the storage directly: with the embedded database, stop the server first (or use DATABASE_URL).\nExit status: 0 ok, 1 failure, 2 bad usage or configuration.',
    );
  for (const command of [serveCommand(), usersCommand(), clientsCommand(), keysCommand(), mailCommand(), tokenCommand()])
    program.addCommand(command);
  configure(program);
  return program;
}

/**
 * addCommand() does not pass settings down, so every command gets them here: throw instead of
 * exiting (runCli maps usage errors to exit 2), and report a usage error as one line.
 */
function configure(command: Command): void {
  command
    .exitOverride()
    .helpOption('-h, --help', 'show help')
    .configureOutput({
      outputError: (text, write) =>
        write(
          `sigil: ${text
            .trim()
            .split('\n')[0]!
            .replace(/^error: /, '')} (see --help)\n`,
        ),
    });
  for (const child of command.commands) configure(child);
}

/** Runs the CLI with `argv` (as in `process.argv`); resolves to the exit code. Never throws. */
export async function runCli(argv: readonly string[]): Promise<number> {
  const program = createProgram();
  try {
    await program.parseAsync([...argv]);
    return Number(process.exitCode ?? EXIT.ok);
  } catch (error) {
    if (error instanceof CommanderError) {
      // Help and version were printed on purpose; anything else is a usage error commander reported.
      if (error.code === 'commander.helpDisplayed' || error.code === 'commander.version') return EXIT.ok;
      return EXIT.usage;
    }
    const { exitCode, message } = describeError(error);
    process.stderr.write(`sigil: ${message}\n`);
    if (process.env.SIGIL_DEBUG && error instanceof Error && error.stack) process.stderr.write(`${error.stack}\n`);
    return exitCode;
  }
}
