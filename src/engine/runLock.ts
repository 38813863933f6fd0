import { closeSync, openSync, readFileSync, rmSync, writeSync } from 'node:fs';
import { hostname } from 'node:os';
import { UsageError } from '../core/errors.ts';
import { realPathOf } from '../core/outputPaths.ts';

/**
 * One writer per run file. Two `pollux run` on the same file would stay consistent (SQLite) but
 * judge the same pending requests twice, wasting GPU time; the second one is refused instead.
 * The lock is `RUN.sqlite.lock` holding the owner's pid and host; a lock left by a process that no
 * longer exists (kill -9, a crash) is taken over. It sits beside the file a path resolves to
 * (symlinks followed), so two names of one run file share one lock.
 */
export interface RunLock {
  readonly path: string;
  release(): void;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    // EPERM: it exists but belongs to someone else.
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export function acquireRunLock(runFile: string): RunLock {
  const path = `${realPathOf(runFile)}.lock`;
  const me = JSON.stringify({ pid: process.pid, host: hostname(), since: new Date().toISOString() });
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fd = openSync(path, 'wx');
      writeSync(fd, me);
      closeSync(fd);
      let released = false;
      return {
        path,
        release: () => {
          if (released) return;
          released = true;
          rmSync(path, { force: true });
        },
      };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      let owner: { pid?: number; host?: string; since?: string } = {};
      try {
        owner = JSON.parse(readFileSync(path, 'utf8')) as typeof owner;
      } catch {
        // unreadable: treat as stale
      }
      const sameHost = !owner.host || owner.host === hostname();
      if (typeof owner.pid === 'number' && (!sameHost || alive(owner.pid))) {
        throw new UsageError(
          `${runFile} is in use by another pollux process (pid ${owner.pid}${sameHost ? '' : ` on ${owner.host}`}, since ${owner.since ?? '?'}); ` +
            `wait for it, or remove ${path} if that process is gone`,
        );
      }
      rmSync(path, { force: true });
    }
  }
  throw new UsageError(`cannot lock ${runFile}: ${path} keeps reappearing`);
}
