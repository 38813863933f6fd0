import { isUtf8 } from 'node:buffer';
import { notUtf8Message, utf8Chunks } from './encoding.ts';
import { rowProblem, type RowLocation } from './problems.ts';
import { DEFAULT_MAX_RECORD_BYTES, describeJsonValue, type ReadTableOptions, type TableItem } from './tableTypes.ts';

const NEWLINE = 0x0a;
const CR = 0x0d;
const NON_SPACE = /\S/;

/**
 * JSON Lines, one object per line, streamed in 1 MiB chunks. Lines are split on raw bytes and each
 * line is checked for valid UTF-8 on its own, so one bad line is one problem, not a failed file.
 * A UTF-8 BOM on the first line, CRLF endings and blank lines are accepted.
 */
export async function* readJsonl(file: string, options: ReadTableOptions = {}): AsyncGenerator<TableItem> {
  const maxBytes = options.maxRecordBytes ?? DEFAULT_MAX_RECORD_BYTES;
  let pending: Buffer[] = [];
  let pendingBytes = 0;
  let oversized = false;
  let line = 0;
  let row = 0;

  function* finishLine(bytes: Buffer | null): Generator<TableItem> {
    line++;
    if (oversized) {
      oversized = false;
      row++;
      const location: RowLocation = { file, line, row };
      yield { problem: rowProblem(location, `the line is longer than ${maxBytes} bytes; skipped`), location };
      return;
    }
    if (bytes === null) return;
    const item = parseLine(bytes, line, row + 1);
    if (item) {
      row++;
      yield item;
    }
  }

  function parseLine(raw: Buffer, lineNo: number, rowNo: number): TableItem | null {
    let bytes = raw;
    if (bytes.length > 0 && bytes[bytes.length - 1] === CR) bytes = bytes.subarray(0, bytes.length - 1);
    if (lineNo === 1 && bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) bytes = bytes.subarray(3);
    const location: RowLocation = { file, line: lineNo, row: rowNo };
    if (!isUtf8(bytes)) {
      // A blank-looking line of invalid bytes is still a row the user meant to write.
      return { problem: rowProblem(location, notUtf8Message('the line', bytes)), location };
    }
    const text = bytes.toString('utf8');
    if (!NON_SPACE.test(text)) return null;
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch (err) {
      const detail = err instanceof Error ? err.message : String(err);
      return { problem: rowProblem(location, `malformed JSON: ${detail}`), location };
    }
    if (value === null || typeof value !== 'object' || Array.isArray(value)) {
      return { problem: rowProblem(location, `expected a JSON object, got ${describeJsonValue(value)}`), location };
    }
    return { record: value as Record<string, unknown>, location };
  }

  const stream = utf8Chunks(file, options.encoding);
  for await (const chunk of stream) {
    let start = 0;
    while (start <= chunk.length) {
      const nl = chunk.indexOf(NEWLINE, start);
      if (nl === -1) {
        const rest = chunk.length - start;
        if (rest > 0 && !oversized) {
          pendingBytes += rest;
          if (pendingBytes > maxBytes) {
            oversized = true;
            pending = [];
            pendingBytes = 0;
          } else {
            pending.push(chunk.subarray(start));
          }
        }
        break;
      }
      let bytes: Buffer | null = null;
      if (!oversized) {
        const piece = chunk.subarray(start, nl);
        if (pendingBytes + piece.length > maxBytes) oversized = true;
        else bytes = pending.length > 0 ? Buffer.concat([...pending, piece]) : piece;
      }
      pending = [];
      pendingBytes = 0;
      yield* finishLine(bytes);
      start = nl + 1;
    }
  }
  if (pending.length > 0 || oversized) yield* finishLine(pending.length > 0 ? Buffer.concat(pending) : null);
}
