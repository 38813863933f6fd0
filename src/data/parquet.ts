import { open, type FileHandle } from 'node:fs/promises';
import { parquetMetadataAsync, parquetReadObjects, type AsyncBuffer } from 'hyparquet';
import { InputError } from '../core/errors.ts';
import type { RowLocation } from './problems.ts';
import type { ReadTableOptions, TableItem } from './tableTypes.ts';

/** Byte ranges read on demand from one open file handle: the file is never loaded whole. */
function fileHandleBuffer(handle: FileHandle, byteLength: number): AsyncBuffer {
  return {
    byteLength,
    async slice(start: number, end?: number): Promise<ArrayBuffer> {
      const stop = end === undefined ? byteLength : Math.min(end, byteLength);
      const length = Math.max(0, stop - start);
      const out = new Uint8Array(length);
      let filled = 0;
      while (filled < length) {
        const { bytesRead } = await handle.read(out, filled, length - filled, start + filled);
        if (bytesRead === 0) break;
        filled += bytesRead;
      }
      return out.buffer;
    },
  };
}

/** INT64 columns arrive as bigint; plain numbers are what every later stage expects. */
function plainValue(value: unknown): unknown {
  if (typeof value === 'bigint') {
    return value <= BigInt(Number.MAX_SAFE_INTEGER) && value >= BigInt(Number.MIN_SAFE_INTEGER) ? Number(value) : value.toString();
  }
  if (Array.isArray(value)) return value.map(plainValue);
  if (value && typeof value === 'object' && Object.getPrototypeOf(value) === Object.prototype) {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = plainValue(v);
    return out;
  }
  return value;
}

/**
 * Parquet through hyparquet (pure JS), one row group at a time over a file handle, so memory is
 * bounded by the largest row group, not by the file. Rows are numbered from 1 across the file.
 */
export async function* readParquet(file: string, _options: ReadTableOptions = {}): AsyncGenerator<TableItem> {
  let handle: FileHandle;
  try {
    handle = await open(file, 'r');
  } catch (err) {
    throw new InputError(`cannot open the file: ${err instanceof Error ? err.message : String(err)}`, { file }, { cause: err });
  }
  try {
    const { size } = await handle.stat();
    const buffer = fileHandleBuffer(handle, size);
    let metadata;
    try {
      metadata = await parquetMetadataAsync(buffer);
    } catch (err) {
      throw new InputError(`not a readable Parquet file: ${err instanceof Error ? err.message : String(err)}`, { file }, { cause: err });
    }
    let rowStart = 0;
    for (const group of metadata.row_groups) {
      const rowEnd = rowStart + Number(group.num_rows);
      let rows;
      try {
        rows = await parquetReadObjects({ file: buffer, metadata, rowStart, rowEnd });
      } catch (err) {
        // A damaged page ("premature end of input"): the rows after it cannot be told apart.
        throw new InputError(
          `damaged Parquet data in rows ${rowStart + 1}–${rowEnd}: ${err instanceof Error ? err.message : String(err)}`,
          { file, row: rowStart + 1 },
          { cause: err },
        );
      }
      for (let i = 0; i < rows.length; i++) {
        const location: RowLocation = { file, row: rowStart + i + 1 };
        yield { record: plainValue(rows[i]) as Record<string, unknown>, location };
      }
      rowStart = rowEnd;
    }
  } finally {
    await handle.close();
  }
}
