import { Command, CommanderError } from 'commander';
import { EXIT, PolluxError, errorMessage } from '../core/errors.ts';
import { commands } from './commands/index.ts';
import { TOOL_VERSION } from './version.ts';

export function buildProgram(): Command {
  const program = new Command('pollux')
    .description('Judge Russian-language LLM answers the POLLUX way, and measure judges against experts.')
    .version(packageVersion())
    .showHelpAfterError()
    .exitOverride();
  for (const register of commands) register(program);
  return program;
}

function packageVersion(): string {
  return TOOL_VERSION;
}

/** Runs the CLI and returns the process exit code; never calls process.exit itself. */
export async function main(argv: string[]): Promise<number> {
  const program = buildProgram();
  try {
    await program.parseAsync(argv);
    return typeof process.exitCode === 'number' ? process.exitCode : EXIT.ok;
  } catch (err) {
    if (err instanceof CommanderError) {
      // --help and --version end through here too, with code 0.
      return err.exitCode === 0 ? EXIT.ok : EXIT.usage;
    }
    if (err instanceof PolluxError) {
      process.stderr.write(`pollux: ${err.message}\n`);
      return err.exitCode;
    }
    process.stderr.write(`pollux: unexpected error: ${errorMessage(err)}\n`);
    if (process.env.POLLUX_DEBUG && err instanceof Error) process.stderr.write(`${err.stack}\n`);
    return EXIT.judgeFailed;
  }
}
