import { spawn } from 'node:child_process';
import { existsSync, realpathSync } from 'node:fs';
import { dirname } from 'node:path';
import { Readable, Writable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { main } from '../../src/cli/main.ts';

/**
 * The checkout's root, with a trailing slash: also when the tests run compiled from .test-build/
 * (scripts/build-tests.mjs), whose package.json is a link to the checkout's.
 */
export const ROOT = `${dirname(realpathSync(fileURLToPath(new URL('../../package.json', import.meta.url))))}/`;

/**
 * Node's arguments to run one of the tests' TypeScript entry points as a process: its compiled
 * JavaScript beside it when the tests run compiled, else the source through tsx.
 */
export function scriptArgs(entry: URL): string[] {
  const compiled = new URL(entry.href.replace(/\.ts$/, '.js'));
  return existsSync(compiled) ? [fileURLToPath(compiled)] : ['--import', 'tsx', fileURLToPath(entry)];
}
/** `pollux` run from the sources as a process: `spawn(process.execPath, [BIN, ...args])`. */
export const BIN = fileURLToPath(new URL('./pollux-source.mjs', import.meta.url));

export interface CliResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export interface CliOptions {
  /** Added to the environment of the test process. */
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  input?: string;
  timeoutMs?: number;
}

function collector(): { stream: Writable; text: () => string } {
  const chunks: string[] = [];
  const stream = new Writable({
    decodeStrings: false,
    write(chunk: string | Buffer, _encoding, callback) {
      chunks.push(typeof chunk === 'string' ? chunk : chunk.toString('utf8'));
      callback();
    },
  });
  return { stream, text: () => chunks.join('') };
}

/** Runs `pollux ARGS…` in this process through main(), with its own streams, environment and directory. */
export async function runCli(args: string[], options: CliOptions = {}): Promise<CliResult> {
  const stdout = collector();
  const stderr = collector();
  const code = await main(['node', 'pollux', ...args], {
    stdout: stdout.stream,
    stderr: stderr.stream,
    stdin: Readable.from([options.input ?? '']),
    env: { ...process.env, ...options.env },
    cwd: options.cwd ?? ROOT,
  });
  return { code, signal: null, stdout: stdout.text(), stderr: stderr.text() };
}

/** Runs `pollux ARGS…` as a real child process: for what needs one (signals, kill -9, the lock, the bin itself). */
export function spawnCli(args: string[], options: CliOptions = {}): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    // The bin's own V8 flag, so a spawned run behaves (and uses memory) as `pollux` does.
    const child = spawn(process.execPath, ['--max-semi-space-size=4', BIN, ...args], {
      cwd: options.cwd ?? ROOT,
      env: { ...process.env, ...options.env },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 60_000);
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr });
    });
    child.stdin.end(options.input ?? '');
  });
}
