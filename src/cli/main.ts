import { Command, CommanderError } from 'commander';
import { EXIT, PolluxError, errorMessage, fileSystemErrorMessage } from '../core/errors.ts';
import { commands, type CommandEntry } from './commands/index.ts';
import { Cli, processIO, type CliIO } from './io.ts';
import { TOOL_VERSION } from '../core/version.ts';

/**
 * The program with every command listed; only the command being run (`for`) is loaded and given
 * its options. Without one (`pollux --help`, an unknown command) nothing is loaded.
 */
export async function buildProgram(cli: Cli, argv: readonly string[] = []): Promise<Command> {
  const { stdout, stderr } = cli.io;
  const program = new Command('pollux')
    .description('Judge Russian-language LLM answers the POLLUX way, and measure judges against experts.')
    .version(TOOL_VERSION)
    // No help after an error: a mistyped flag's "Did you mean …?" stays the last line, in sight.
    .exitOverride()
    // Set before the commands are added: subcommands copy the output settings of their parent.
    .configureOutput({
      writeOut: (s) => stdout.write(s),
      writeErr: (s) => stderr.write(s),
      getOutHelpWidth: () => columnsOf(stdout),
      getErrHelpWidth: () => columnsOf(stderr),
    });
  const wanted = commandNamed(argv);
  for (const entry of commands) {
    const cmd = program.command(entry.name).description(entry.description);
    if (entry === wanted) (await entry.load()).register(cmd, cli);
  }
  return program;
}

function columnsOf(stream: unknown): number {
  const columns = (stream as { columns?: unknown }).columns;
  return typeof columns === 'number' && columns > 0 ? columns : 80;
}

/** The command argv names: the first word that is not an option (`pollux help run` names run). */
function commandNamed(argv: readonly string[]): CommandEntry | undefined {
  const words = argv.slice(2).filter((a) => !a.startsWith('-'));
  const name = words[0] === 'help' ? words[1] : words[0];
  return commands.find((c) => c.name === name);
}

let activeInDir: { cwd: string; count: number } | null = null;

/** Enters io.cwd for the command's duration: the file system resolves relative paths against the process's directory. */
function enterCwd(cwd: string): () => void {
  if (activeInDir && activeInDir.cwd !== cwd) {
    throw new Error(`main(): another command is running in process in ${activeInDir.cwd}; cannot run one in ${cwd} at the same time`);
  }
  const previous = process.cwd();
  if (!activeInDir) {
    if (cwd !== previous) process.chdir(cwd);
    activeInDir = { cwd, count: 0 };
  }
  const active = activeInDir;
  active.count++;
  return () => {
    if (--active.count === 0) {
      activeInDir = null;
      if (process.cwd() !== previous) process.chdir(previous);
    }
  };
}

/**
 * Runs `pollux ARGV…` (argv as in process.argv: two leading entries, then the words) and returns the
 * exit code. Never calls process.exit, never sets process.exitCode; streams, environment and working
 * directory come from `io` (the process's own by default).
 */
export async function main(argv: readonly string[], io: CliIO = processIO()): Promise<number> {
  const cli = new Cli(io);
  const leave = enterCwd(io.cwd);
  try {
    const program = await buildProgram(cli, argv);
    await program.parseAsync([...argv]);
    return cli.exitCode;
  } catch (err) {
    if (err instanceof CommanderError) {
      // --help and --version end through here too, with code 0.
      return err.exitCode === 0 ? EXIT.ok : EXIT.usage;
    }
    if (err instanceof PolluxError) {
      io.stderr.write(`pollux: ${err.message}\n`);
      return err.exitCode;
    }
    const fileProblem = fileSystemErrorMessage(err);
    if (fileProblem) {
      io.stderr.write(`pollux: ${fileProblem}\n`);
      return EXIT.usage;
    }
    io.stderr.write(`pollux: unexpected error: ${errorMessage(err)}\n`);
    if (io.env.POLLUX_DEBUG && err instanceof Error) io.stderr.write(`${err.stack}\n`);
    return EXIT.judgeFailed;
  } finally {
    leave();
  }
}
