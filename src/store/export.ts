import { closeSync, openSync, renameSync, rmSync, writeSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import type { Writable } from 'node:stream';
import { ParquetWriter, fileWriter, schemaFromColumnData } from 'hyparquet-writer';
import { UsageError } from '../core/errors.ts';
import { refuseClobbering } from '../core/outputPaths.ts';
import { csvField, exportColumns, jsonValue, type ExportColumn, type ExportValue } from './exportColumns.ts';
import type { RequestStatus, StoredRecord } from './records.ts';
import { openRunStore, type RunStore } from './runStore.ts';

export type ExportFormat = 'jsonl' | 'csv' | 'parquet';
export const EXPORT_FORMATS: readonly ExportFormat[] = ['jsonl', 'csv', 'parquet'];

export interface ExportOptions {
  format: ExportFormat;
  /** Output file; without it JSONL and CSV go to `stdout`. Parquet needs a file. */
  out?: string;
  /** Only rows with these statuses (all rows by default). */
  status?: RequestStatus[];
  /** CSV only: start with a UTF-8 byte order mark, which Excel needs to read UTF-8. */
  bom?: boolean;
  /** CSV only: cells starting with = + - @ written as they are, not neutralised (see csvCell). */
  rawCsv?: boolean;
  /** Where JSONL/CSV go when `out` is absent (default process.stdout). */
  stdout?: Writable;
  /** Write the text columns (TEXT_COLUMNS: instruction, answer, rubric…); default true. */
  texts?: boolean;
}

export interface ExportResult {
  rows: number;
  /** Rows exported without their texts because the run file has none for them (0 with texts: false). */
  rowsWithoutTexts: number;
  /** The file written, or null for stdout. */
  out: string | null;
}

/** Text is flushed in chunks of about this size: memory stays flat, writes stay few. */
const TEXT_CHUNK = 1 << 20;
/** A Parquet row group ends at this many rows or this much text, whichever comes first. */
const ROW_GROUP_ROWS = 10_000;
const ROW_GROUP_CHARS = 32 << 20;

/**
 * Exports a run file, one row per request in seq order (columns: EXPORT_COLUMNS, then TEXT_COLUMNS
 * unless `texts: false`). A file is
 * written under a temporary name and renamed at the end, so a failed export leaves nothing behind.
 * The rows are read inside one read transaction: a run still being written exports consistently.
 */
export async function exportRun(file: string, options: ExportOptions): Promise<ExportResult> {
  if (!EXPORT_FORMATS.includes(options.format)) {
    throw new UsageError(`unknown export format ${JSON.stringify(options.format)}; expected ${EXPORT_FORMATS.join(', ')}`);
  }
  if (options.format === 'parquet' && !options.out) throw new UsageError('a Parquet export needs an output file (-o FILE)');
  if (options.out) refuseClobbering([{ path: options.out, role: 'the output file' }], [{ path: file, role: 'the run file' }]);
  const store = openRunStore(file, { readonly: true });
  try {
    return await store.snapshot(async () => {
      const texts = options.texts ?? true;
      const columns = exportColumns(texts);
      const coverage = store.textCoverage();
      // Counted over the whole run, not the --status subset: enough to say that texts are missing.
      const rowsWithoutTexts = texts ? coverage.requests - coverage.withTexts : 0;
      const read = () => store.records({ status: options.status, texts });
      if (!options.out) {
        const rows = await writeText(read(), columns, options, streamSink(options.stdout ?? process.stdout));
        return { rows, rowsWithoutTexts, out: null };
      }
      const out = options.out;
      const temp = join(dirname(out), `.${basename(out)}.${process.pid}.tmp`);
      try {
        const rows =
          options.format === 'parquet' ? writeParquet(store, read(), columns, temp) : await writeTextFile(read(), columns, options, temp);
        renameSync(temp, out);
        return { rows, rowsWithoutTexts, out };
      } catch (err) {
        rmSync(temp, { force: true });
        throw err;
      }
    });
  } finally {
    store.close();
  }
}

interface Sink {
  write(text: string): Promise<void>;
}

function streamSink(stream: Writable): Sink {
  return {
    write: (text) =>
      new Promise<void>((resolve, reject) => {
        const onError = (err: Error) => reject(err);
        stream.once('error', onError);
        const ready = stream.write(text, (err) => {
          if (err) reject(err);
        });
        const done = () => {
          stream.off('error', onError);
          resolve();
        };
        if (ready) done();
        else stream.once('drain', done);
      }),
  };
}

async function writeTextFile(records: Iterable<StoredRecord>, columns: readonly ExportColumn[], options: ExportOptions, path: string): Promise<number> {
  const fd = openSync(path, 'w');
  try {
    return await writeText(records, columns, options, {
      write: async (text) => {
        writeSync(fd, text);
      },
    });
  } finally {
    closeSync(fd);
  }
}

async function writeText(records: Iterable<StoredRecord>, columns: readonly ExportColumn[], options: ExportOptions, sink: Sink): Promise<number> {
  const line =
    options.format === 'csv'
      ? (r: StoredRecord) => columns.map((c) => csvField(c.value(r), { raw: options.rawCsv ?? false })).join(',') + '\r\n'
      : (r: StoredRecord) => JSON.stringify(Object.fromEntries(columns.map((c) => [c.name, jsonValue(c.value(r))]))) + '\n';
  let chunk = '';
  if (options.format === 'csv') chunk = (options.bom ? '\uFEFF' : '') + columns.map((c) => c.name).join(',') + '\r\n';
  let rows = 0;
  for (const r of records) {
    chunk += line(r);
    rows++;
    if (chunk.length >= TEXT_CHUNK) {
      await sink.write(chunk);
      chunk = '';
    }
  }
  if (chunk) await sink.write(chunk);
  return rows;
}

function writeParquet(store: RunStore, records: Iterable<StoredRecord>, columns: readonly ExportColumn[], path: string): number {
  const schema = schemaFromColumnData({ columnData: columns.map((c) => ({ name: c.name, type: c.type, data: [] })) });
  const manifest = store.getManifest();
  const writer = new ParquetWriter({
    writer: fileWriter(path),
    schema,
    createdBy: 'pollux-eval',
    kvMetadata: manifest ? [{ key: 'pollux.manifest', value: JSON.stringify(manifest) }] : undefined,
  });
  let buffers: ExportValue[][] = columns.map(() => []);
  let buffered = 0;
  let chars = 0;
  const flush = () => {
    if (buffered === 0) return;
    // One write = one row group: everything buffered since the last flush. With fileWriter (no
    // async flush) write and finish are synchronous.
    void writer.write({ columnData: columns.map((c, i) => ({ name: c.name, data: buffers[i] as ExportValue[] })), rowGroupSize: buffered });
    buffers = columns.map(() => []);
    buffered = 0;
    chars = 0;
  };
  let rows = 0;
  for (const r of records) {
    columns.forEach((c, i) => {
      const v = c.value(r);
      if (typeof v === 'string') chars += v.length;
      (buffers[i] as ExportValue[]).push(v);
    });
    buffered++;
    rows++;
    if (buffered >= ROW_GROUP_ROWS || chars >= ROW_GROUP_CHARS) flush();
  }
  flush();
  void writer.finish();
  return rows;
}
