import { isUtf8 } from 'node:buffer';
import { Readable } from 'node:stream';
import { CsvError, parse } from 'csv-parse';
import { InputError } from '../core/errors.ts';
import { detectCsvDelimiter, notUtf8Message, utf8Chunks } from './encoding.ts';
import { rowProblem, type RowLocation } from './problems.ts';
import type { ReadTableOptions, TableItem } from './tableTypes.ts';

interface CsvChunk {
  // Buffers (encoding: null), except that csv-parse hands the first field back as text when it strips a BOM.
  record: Array<Buffer | string>;
  info: { empty_lines: number };
}

/** Only spaces, tabs and CRs: stops at the first other byte, so a normal row costs next to nothing. */
function isBlank(field: Buffer): boolean {
  for (const b of field) if (b !== 0x20 && b !== 0x09 && b !== 0x0d) return false;
  return true;
}

function countNewlines(fields: readonly Buffer[]): number {
  let n = 0;
  for (const f of fields) {
    for (let at = f.indexOf(0x0a); at !== -1; at = f.indexOf(0x0a, at + 1)) n++;
  }
  return n;
}

/**
 * CSV with a header row, streamed through csv-parse. Fields come back as raw bytes so each one can be
 * checked for valid UTF-8 and a bad cell is reported with its column. Line numbers are counted here
 * (csv-parse counts a CRLF inside quotes twice): a record starts after the previous one, plus any
 * blank lines skipped. Every cell is text; cells that hold JSON are parsed by the dataset layer.
 * A quoting error is fatal: after it the row boundaries of the rest of the file are unknowable.
 */
export async function* readCsv(file: string, options: ReadTableOptions = {}): AsyncGenerator<TableItem> {
  const delimiter = options.delimiter ?? detectCsvDelimiter(file);
  const parser = Readable.from(utf8Chunks(file, options.encoding)).pipe(
    parse({ bom: true, encoding: null, info: true, skip_empty_lines: true, relax_column_count: true, delimiter }),
  );
  let header: string[] | null = null;
  let nextLine = 1;
  let emptySeen = 0;
  let row = 0;
  try {
    for await (const chunk of parser as AsyncIterable<CsvChunk>) {
      const fields = chunk.record.map((f) => (typeof f === 'string' ? Buffer.from(f, 'utf8') : f));
      const startLine = nextLine + (chunk.info.empty_lines - emptySeen);
      emptySeen = chunk.info.empty_lines;
      nextLine = startLine + countNewlines(fields) + 1;
      if (header === null) {
        header = readHeader(fields, file, startLine);
        continue;
      }
      if (fields.every(isBlank)) continue; // a line of spaces is a blank line
      row++;
      const location: RowLocation = { file, line: startLine, row };
      if (fields.length !== header.length) {
        const message = `has ${fields.length} fields, the header has ${header.length}`;
        yield { problem: rowProblem(location, message), location };
        continue;
      }
      const record: Record<string, unknown> = {};
      let badColumn: string | null = null;
      let badBytes: Buffer | null = null;
      for (let c = 0; c < header.length; c++) {
        const bytes = fields[c] as Buffer;
        const name = header[c] as string;
        if (!isUtf8(bytes)) {
          badColumn = name;
          badBytes = bytes;
          break;
        }
        record[name] = bytes.toString('utf8');
      }
      if (badColumn !== null) {
        yield { problem: rowProblem(location, notUtf8Message('the cell', badBytes ?? Buffer.alloc(0)), badColumn), location };
        continue;
      }
      yield { record, location };
    }
  } catch (err) {
    if (err instanceof CsvError) {
      const at = typeof err.lines === 'number' ? err.lines : undefined;
      throw new InputError(`CSV cannot be split into rows: ${err.message}`, { file, line: at }, { cause: err });
    }
    throw err;
  }
  if (header === null) throw new InputError('the CSV file is empty: expected a header row', { file });
}

function readHeader(fields: Buffer[], file: string, line: number): string[] {
  const names: string[] = [];
  const seen = new Set<string>();
  for (const f of fields) {
    if (!isUtf8(f)) throw new InputError(notUtf8Message('the header row', f), { file, line });
    const name = f.toString('utf8').trim();
    if (name !== '' && seen.has(name)) throw new InputError(`the header names column "${name}" twice`, { file, line });
    seen.add(name);
    names.push(name);
  }
  return names;
}
