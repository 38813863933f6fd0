import { statSync } from 'node:fs';
import { InputError, UsageError } from '../core/errors.ts';
import { readCsv } from './csv.ts';
import { readJsonArray } from './jsonArray.ts';
import { readJsonl } from './jsonl.ts';
import { readParquet } from './parquet.ts';
import { TABLE_FORMATS, type ReadTableOptions, type TableFormat, type TableItem } from './tableTypes.ts';

const EXTENSIONS: ReadonlyArray<[string, TableFormat]> = [
  ['.jsonl', 'jsonl'],
  ['.ndjson', 'jsonl'],
  ['.json', 'json'],
  ['.csv', 'csv'],
  ['.parquet', 'parquet'],
  ['.pq', 'parquet'],
];

export function parseTableFormat(value: string, flag = '--format'): TableFormat {
  if ((TABLE_FORMATS as readonly string[]).includes(value)) return value as TableFormat;
  throw new UsageError(`${flag}: unknown format "${value}": expected one of ${TABLE_FORMATS.join(', ')}`);
}

/** The format named by `--format`, else the one the file's extension says. */
export function tableFormatOf(file: string, format?: TableFormat): TableFormat {
  if (format) return format;
  const lower = file.toLowerCase();
  for (const [ext, f] of EXTENSIONS) if (lower.endsWith(ext)) return f;
  throw new InputError(
    `cannot tell the format from the file name: expected an extension among ${EXTENSIONS.map(([e]) => e).join(', ')}, or give --format ${TABLE_FORMATS.join('|')}`,
    { file },
  );
}

/**
 * Streams the rows of a JSONL, JSON-array, CSV or Parquet file, one item per data row in file order:
 * `{ record, location }` for a row that was read, `{ problem, location }` for one that could not be.
 * A file that cannot be read at all (missing, not the format it claims) throws an InputError.
 */
export async function* readTable(file: string, options: ReadTableOptions = {}): AsyncGenerator<TableItem> {
  const format = tableFormatOf(file, options.format);
  try {
    if (!statSync(file).isFile()) throw new InputError('not a file', { file });
  } catch (err) {
    if (err instanceof InputError) throw err;
    throw new InputError(`cannot read the file: ${err instanceof Error ? err.message : String(err)}`, { file }, { cause: err });
  }
  switch (format) {
    case 'jsonl':
      yield* readJsonl(file, options);
      return;
    case 'json':
      yield* readJsonArray(file, options);
      return;
    case 'csv':
      yield* readCsv(file, options);
      return;
    case 'parquet':
      yield* readParquet(file, options);
      return;
  }
}
