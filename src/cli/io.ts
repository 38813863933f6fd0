import type { Readable, Writable } from 'node:stream';

/**
 * Where a command writes: the process's streams in `pollux`, any Writable in process (a test
 * collects into a string). A terminal (isTTY) gets a live progress bar; anything else plain lines.
 */
export type CliStream = Writable & { isTTY?: boolean; columns?: number };

/**
 * Everything a command may take from its surroundings. `main()` is given one, so the same code runs
 * as the `pollux` process and in process (tests, scripts) without touching the process's globals.
 */
export interface CliIO {
  stdout: CliStream;
  stderr: CliStream;
  stdin: Readable;
  /** POLLUX_API_KEY / OPENAI_API_KEY, HF_TOKEN, POLLUX_DEBUG are read from here, never from process.env. */
  env: Readonly<Record<string, string | undefined>>;
  /**
   * Relative paths on the command line are relative to this directory. The file system resolves
   * them against the process's directory, so `main()` enters this one for the duration of the
   * command (and refuses two concurrent in-process commands in different directories).
   */
  cwd: string;
  /**
   * Ctrl-C / SIGTERM: `pollux run` stops gracefully on the first and aborts on the second. Returns
   * the function that removes the handler. Absent: the command is not interruptible by signals.
   */
  onInterrupt?: (handler: () => void) => () => void;
  /** Ends the process at once (a second Ctrl-C before any request is in flight). Absent in process. */
  exit?: (code: number) => void;
}

/** The running process's own streams, environment, directory and signals. */
export function processIO(): CliIO {
  return {
    stdout: process.stdout,
    stderr: process.stderr,
    stdin: process.stdin,
    env: process.env,
    cwd: process.cwd(),
    onInterrupt: (handler) => {
      process.on('SIGINT', handler);
      process.on('SIGTERM', handler);
      return () => {
        process.off('SIGINT', handler);
        process.off('SIGTERM', handler);
      };
    },
    exit: (code) => process.exit(code),
  };
}

/**
 * What a command is handed: the injected io plus the output helpers every command uses, so that no
 * command writes to process.stdout or reads process.env itself.
 */
export class Cli {
  /** What the command returned; `main()` returns it. */
  exitCode = 0;

  constructor(readonly io: CliIO) {}

  /**
   * Wraps a command's handler for commander: the handler returns its exit code (or nothing for 0),
   * and main() returns that code instead of the command setting process.exitCode.
   */
  action<A extends unknown[]>(handler: (...args: A) => number | void | Promise<number | void>): (...args: A) => Promise<void> {
    return async (...args: A) => {
      this.exitCode = (await handler(...args)) ?? 0;
    };
  }

  get env(): Readonly<Record<string, string | undefined>> {
    return this.io.env;
  }

  /** Raw text on stdout, as is (prompt bytes, formatted reports). */
  write(text: string): void {
    this.io.stdout.write(text);
  }

  /** Quits the process now when io allows it; false in process, where the caller must wind down itself. */
  exitNow(code: number): boolean {
    if (!this.io.exit) return false;
    this.io.exit(code);
    return true;
  }

  /** One line on stdout. */
  line(text = ''): void {
    this.io.stdout.write(`${text}\n`);
  }

  /** One JSON document on stdout (`--json`). */
  json(value: unknown): void {
    this.io.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
  }

  /** A line on stderr: warnings, notes, where files went. */
  warn(text: string): void {
    this.io.stderr.write(`${text}\n`);
  }
}
