import { closeSync, openSync, readSync, realpathSync, statSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { UsageError } from './errors.ts';

/**
 * The file a path names once symlinks are followed: the file itself when it exists, else its
 * (followed) folder joined with the name. Two paths that name one file give the same string.
 */
export function realPathOf(path: string): string {
  const abs = resolve(path);
  try {
    return realpathSync(abs);
  } catch {
    const parent = dirname(abs);
    return parent === abs ? abs : join(realPathOf(parent), basename(abs));
  }
}

/** A file a command reads or writes, with the words that name it to the user (`--rejects`, `the dataset`). */
export interface NamedPath {
  path: string;
  role: string;
  /** An output that is a run file: it may already exist (resume); other outputs never replace a run file. */
  runFile?: boolean;
}

function sameFile(a: string, b: string): boolean {
  if (realPathOf(a) === realPathOf(b)) return true;
  try {
    // Hard links: one inode under two names.
    const sa = statSync(a);
    const sb = statSync(b);
    return sa.ino === sb.ino && sa.dev === sb.dev;
  } catch {
    return false;
  }
}

const SQLITE_MAGIC = 'SQLite format 3\0';

function isSqliteFile(path: string): boolean {
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch {
    return false;
  }
  try {
    const head = Buffer.alloc(SQLITE_MAGIC.length);
    return readSync(fd, head, 0, head.length, 0) === head.length && head.toString('latin1') === SQLITE_MAGIC;
  } catch {
    // a folder, or unreadable: not a run file this could replace
    return false;
  } finally {
    closeSync(fd);
  }
}

/**
 * Refuses (exit 2) before anything is written when an output would replace an input, another
 * output, or an existing SQLite file that is not this command's own run file: a typo in `-o` must
 * never cost a dataset or a run's judgments.
 */
export function refuseClobbering(outputs: readonly NamedPath[], inputs: readonly NamedPath[]): void {
  const present = (p: NamedPath | undefined): p is NamedPath => p !== undefined && p.path !== '';
  const outs = outputs.filter(present);
  const ins = inputs.filter(present);
  for (const [i, out] of outs.entries()) {
    for (const input of ins) {
      if (sameFile(out.path, input.path)) {
        throw new UsageError(`${out.role} ${out.path} is ${input.role} ${input.path}: refusing to overwrite an input; choose another file`);
      }
    }
    for (const other of outs.slice(i + 1)) {
      if (sameFile(out.path, other.path)) {
        throw new UsageError(`${out.role} ${out.path} and ${other.role} ${other.path} are the same file; choose another file for one of them`);
      }
    }
    if (!out.runFile && isSqliteFile(out.path)) {
      throw new UsageError(`${out.role} ${out.path} is an SQLite database (a run file?): refusing to overwrite it; choose another file`);
    }
  }
}
