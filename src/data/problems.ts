import { closeSync, openSync, renameSync, writeSync } from 'node:fs';
import { basename, dirname, extname, join } from 'node:path';
import { InputError, formatLocation } from '../core/errors.ts';

/** Where a row sits in its file: `line` for line-oriented formats, `row` (1-based record number) always. */
export interface RowLocation {
  file: string;
  line?: number;
  row?: number;
}

/** One thing wrong with one row: the row is rejected, never dropped silently. */
export interface RowProblem {
  file: string;
  line?: number;
  row?: number;
  /** The column at fault, as the file names it. */
  column?: string;
  message: string;
}

export function rowProblem(location: RowLocation, message: string, column?: string): RowProblem {
  const p: RowProblem = { file: location.file, message };
  if (location.line !== undefined) p.line = location.line;
  if (location.row !== undefined) p.row = location.row;
  if (column !== undefined) p.column = column;
  return p;
}

export function formatProblem(p: RowProblem): string {
  return `${formatLocation({ file: p.file, line: p.line, row: p.row, field: p.column })}: ${p.message}`;
}

export function problemToInputError(p: RowProblem): InputError {
  return new InputError(p.message, { file: p.file, line: p.line, row: p.row, field: p.column });
}

/** `runs/out.sqlite` → `runs/out.rejects.jsonl`: the rejects file lives next to the output. */
export function rejectsPathFor(outputPath: string): string {
  const ext = extname(outputPath);
  return join(dirname(outputPath), `${basename(outputPath, ext)}.rejects.jsonl`);
}

/**
 * Writes every problem as one JSON line. The file is created on the first problem only, so a clean
 * dataset leaves no empty rejects file behind. Writes are synchronous so it can sit in an
 * `onProblem` callback; they go to a temporary name renamed over `path` by close(), so an earlier
 * rejects file (or whatever a mistyped path names) is replaced only by a complete one.
 */
export class RejectsWriter {
  readonly path: string;
  private readonly temp: string;
  private fd: number | null = null;
  private written = 0;

  constructor(path: string) {
    this.path = path;
    this.temp = join(dirname(path), `.${basename(path)}.${process.pid}.tmp`);
  }

  write(problem: RowProblem): void {
    if (this.fd === null) this.fd = openSync(this.temp, 'w');
    writeSync(this.fd, `${JSON.stringify(problem)}\n`);
    this.written++;
  }

  get count(): number {
    return this.written;
  }

  /** Returns the path when anything was written, else null. */
  close(): string | null {
    if (this.fd !== null) {
      closeSync(this.fd);
      this.fd = null;
      renameSync(this.temp, this.path);
    }
    return this.written > 0 ? this.path : null;
  }
}

export const FIRST_PROBLEMS_SHOWN = 20;

export interface ProblemSummaryInput {
  rows: number;
  rejected: number;
  problemCount: number;
  firstProblems: readonly RowProblem[];
  rejectsFile?: string | null;
}

/** Human-readable lines: the counts, the first problems, and where the rest are. */
export function summarizeProblems(s: ProblemSummaryInput): string[] {
  const lines = [`${s.rows} rows read, ${s.rejected} rejected (${s.problemCount} problems)`];
  if (s.problemCount === 0) return lines;
  const shown = s.firstProblems.slice(0, FIRST_PROBLEMS_SHOWN);
  for (const p of shown) lines.push(`  ${formatProblem(p)}`);
  if (s.problemCount > shown.length) lines.push(`  … and ${s.problemCount - shown.length} more`);
  if (s.rejectsFile) lines.push(`all problems: ${s.rejectsFile}`);
  return lines;
}

/** The counts allRowsRejectedError looks at: the whole dataset's, and each file's when known. */
export interface RejectedRowCounts {
  rows: number;
  rejected: number;
  columns: string[] | null;
  files?: ReadonlyArray<{ file: string; rows: number; rejected: number; columns?: string[] | null }>;
}

/**
 * Every row rejected: most often the columns have other names than ours. The error names the
 * columns the file does have and how to map them, instead of a run or plan over nothing. A dataset
 * joined from two files (instructions and `--answers`) loses every answer when only the answers
 * file's columns are off; that file is then the one named.
 */
export function allRowsRejectedError(file: string, s: RejectedRowCounts): InputError | null {
  const whole = s.rows > 0 && s.rejected >= s.rows;
  const lost = whole ? undefined : s.files?.slice(1).find((f) => f.rows > 0 && f.rejected >= f.rows);
  if (!whole && !lost) return null;
  const rows = lost ? lost.rows : s.rows;
  const columns = lost ? (lost.columns ?? null) : s.columns;
  const found = columns && columns.length > 0 ? `the columns found: ${columns.join(', ')}` : 'no row could be read as a record';
  return new InputError(
    `all ${rows} rows were rejected (see the problems above); ${found}. ` +
      'If the data is there under other names, map them with --map ours=theirs (e.g. --map instruction=prompt,answer=response)',
    { file: lost ? lost.file : file },
  );
}
