import type { RowProblem } from './problems.ts';
import { RowView } from './rowView.ts';
import { isProblem, type TableFormat, type TableItem } from './tableTypes.ts';

/** A file's row counters: every data row read, and those rejected (a row counts once). */
export interface RowCounts {
  rows: number;
  rejected: number;
  /** The columns of the file's first readable row, as the file names them (null until one is read). */
  columns: string[] | null;
}

/** What the row loop asks of whoever reads: the column mapping, and the bookkeeping of rows. */
export interface RowLoopContext {
  /** `--map`: our column name → the file's. */
  readonly map: Readonly<Record<string, string>>;
  /** One data row read from the file `counts` belongs to, good or bad. */
  countRow(counts: RowCounts): void;
  /**
   * One row rejected with all its problems, in file order. Decides what a problem costs (reported,
   * written to the rejects file, or, in strict mode, the end of the read by throwing).
   */
  reject(problems: readonly RowProblem[], counts: RowCounts): void;
}

/** One file to loop over: its rows as the table readers give them, its format, its counters. */
export interface RowSource {
  readonly table: AsyncIterable<TableItem>;
  readonly format: TableFormat;
  readonly counts: RowCounts;
}

/** What a shape makes of its rows: all that differs between shapes. */
export interface RowShape<T> {
  /**
   * One readable row, seen through the column mapping → what it completes, if anything (null:
   * nothing to hand on yet: a repeat, a row the shape only notes, or one that joins a group still
   * open). Every problem goes on the view (`view.problem`, or an accessor that records one); a row
   * with any problem is rejected whatever this returns.
   */
  read(view: RowView): T | null;
  /** After the last row (not when the read stops early): what is still held, if anything. */
  end?(): T | null;
}

/**
 * The one loop over a file's rows, for every dataset shape (and the instruction list `pollux answer`
 * reads): counts each row, notes the file's columns, rejects the rows the table reader could not
 * read (bad UTF-8, malformed JSON, a wrong field count, a record over the size limit) and those a
 * shape found problems in, each with its problems located (file, line or row, the file's column),
 * and hands on what the good rows give. The shapes supply only `read` (and `end`).
 */
export async function* rowLoop<T>(ctx: RowLoopContext, source: RowSource, shape: RowShape<T>): AsyncGenerator<T> {
  const { counts, format } = source;
  for await (const item of source.table) {
    ctx.countRow(counts);
    if (isProblem(item)) {
      ctx.reject([item.problem], counts);
      continue;
    }
    if (counts.columns === null) counts.columns = Object.keys(item.record);
    const view = new RowView(item.record, item.location, ctx.map, format);
    const out = shape.read(view);
    if (view.problems.length > 0) {
      ctx.reject(view.problems, counts);
      continue;
    }
    if (out !== null) yield out;
  }
  const last = shape.end?.() ?? null;
  if (last !== null) yield last;
}
