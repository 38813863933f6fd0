import type { RowLocation, RowProblem } from './problems.ts';

export type TableFormat = 'jsonl' | 'json' | 'csv' | 'parquet';
export const TABLE_FORMATS: readonly TableFormat[] = ['jsonl', 'json', 'csv', 'parquet'];

/** A row that was read, with its location. */
export interface TableRecord {
  record: Record<string, unknown>;
  location: RowLocation;
}

/** A row that could not be read (bad UTF-8, malformed JSON, wrong field count…). */
export interface TableProblem {
  problem: RowProblem;
  location: RowLocation;
}

/** Every data row of a file comes out as exactly one of these, in file order. */
export type TableItem = TableRecord | TableProblem;

export interface ReadTableOptions {
  format?: TableFormat;
  /**
   * Longest record accepted, in bytes (JSONL line, JSON array element); a longer one is reported as a
   * problem and skipped without being held in memory. Default 128 MiB.
   */
  maxRecordBytes?: number;
  /** CSV: the field delimiter; detected from the header row when absent. */
  delimiter?: string;
  /** JSONL, JSON and CSV: the file's text encoding (`--encoding`); UTF-8 when absent. */
  encoding?: string;
}

export const DEFAULT_MAX_RECORD_BYTES = 128 * 1024 * 1024;

export function isProblem(item: TableItem): item is TableProblem {
  return 'problem' in item;
}

export function describeJsonValue(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return typeof value === 'object' ? 'an object' : `a ${typeof value}`;
}
