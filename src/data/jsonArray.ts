import { isUtf8 } from 'node:buffer';
import { InputError } from '../core/errors.ts';
import { notUtf8Message, utf8Chunks } from './encoding.ts';
import { rowProblem, type RowLocation } from './problems.ts';
import { DEFAULT_MAX_RECORD_BYTES, describeJsonValue, type ReadTableOptions, type TableItem } from './tableTypes.ts';

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COMMA = 0x2c;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACKET = 0x5d;
const OPEN_BRACE = 0x7b;
const CLOSE_BRACE = 0x7d;
const NEWLINE = 0x0a;

function isJsonSpace(b: number): boolean {
  return b === 0x20 || b === 0x09 || b === 0x0a || b === 0x0d;
}

type State = 'start' | 'between' | 'element' | 'end';

/**
 * A top-level JSON array, streamed: a small byte-level scanner finds where each element starts and
 * ends (tracking strings, escapes and nesting), and only one element is parsed at a time, so a
 * multi-gigabyte file never sits in memory. Structural bytes are ASCII, so scanning raw bytes is
 * safe for UTF-8 text; each element is checked for valid UTF-8 on its own.
 */
export async function* readJsonArray(file: string, options: ReadTableOptions = {}): AsyncGenerator<TableItem> {
  const maxBytes = options.maxRecordBytes ?? DEFAULT_MAX_RECORD_BYTES;
  let state: State = 'start';
  let line = 1;
  let row = 0;
  let depth = 0;
  let inString = false;
  let escaped = false;
  let parts: Buffer[] = [];
  let partBytes = 0;
  let oversized = false;
  let elementLine = 0;
  let firstByte = true;

  const fatal = (message: string, at: number): InputError => new InputError(message, { file, line: at });

  function finishElement(): TableItem {
    row++;
    const location: RowLocation = { file, line: elementLine, row };
    const bytes = parts.length === 1 ? (parts[0] as Buffer) : Buffer.concat(parts);
    const wasOversized = oversized;
    parts = [];
    partBytes = 0;
    oversized = false;
    if (wasOversized) return { problem: rowProblem(location, `the element is longer than ${maxBytes} bytes; skipped`), location };
    if (!isUtf8(bytes)) return { problem: rowProblem(location, notUtf8Message('the element', bytes)), location };
    let value: unknown;
    try {
      value = JSON.parse(bytes.toString('utf8'));
    } catch (err) {
      return { problem: rowProblem(location, `malformed JSON: ${err instanceof Error ? err.message : String(err)}`), location };
    }
    if (value === null || typeof value !== 'object' || Array.isArray(value)) {
      return { problem: rowProblem(location, `expected a JSON object, got ${describeJsonValue(value)}`), location };
    }
    return { record: value as Record<string, unknown>, location };
  }

  function keep(chunk: Buffer, from: number, to: number): void {
    if (oversized || to <= from) return;
    partBytes += to - from;
    if (partBytes > maxBytes) {
      oversized = true;
      parts = [];
      return;
    }
    parts.push(chunk.subarray(from, to));
  }

  const stream = utf8Chunks(file, options.encoding);
  for await (const chunk of stream) {
    let i = 0;
    if (firstByte) {
      firstByte = false;
      if (chunk[0] === 0xef && chunk[1] === 0xbb && chunk[2] === 0xbf) i = 3;
    }
    let elementFrom = state === 'element' ? 0 : -1;
    for (; i < chunk.length; i++) {
      const b = chunk[i] as number;
      if (b === NEWLINE) line++;
      if (state === 'element') {
        if (inString) {
          if (escaped) escaped = false;
          else if (b === BACKSLASH) escaped = true;
          else if (b === QUOTE) inString = false;
          continue;
        }
        if (b === QUOTE) inString = true;
        else if (b === OPEN_BRACE || b === OPEN_BRACKET) depth++;
        else if ((b === CLOSE_BRACE || b === CLOSE_BRACKET) && depth > 0) depth--;
        else if (depth === 0 && (b === COMMA || b === CLOSE_BRACKET)) {
          keep(chunk, elementFrom, i);
          elementFrom = -1;
          yield finishElement();
          state = b === COMMA ? 'between' : 'end';
        }
        continue;
      }
      if (isJsonSpace(b)) continue;
      if (state === 'start') {
        if (b !== OPEN_BRACKET) {
          throw fatal('expected a JSON array ("[" first); for one object per line use a .jsonl file or --format jsonl', line);
        }
        state = 'between';
      } else if (state === 'between') {
        if (b === CLOSE_BRACKET && row === 0) {
          state = 'end';
        } else if (b === COMMA || b === CLOSE_BRACKET) {
          throw fatal(`unexpected "${String.fromCharCode(b)}" where an array element should start`, line);
        } else {
          state = 'element';
          elementLine = line;
          elementFrom = i;
          depth = 0;
          inString = false;
          escaped = false;
          i--; // let the element branch see this byte (it may open a string or an object)
        }
      } else {
        throw fatal('unexpected data after the end of the JSON array', line);
      }
    }
    if (state === 'element' && elementFrom >= 0) keep(chunk, elementFrom, chunk.length);
  }
  if (state === 'start') throw fatal('the file is empty: expected a JSON array', line);
  if ((state as State) !== 'end') throw fatal('the file ends before the JSON array is closed (truncated?)', line);
}
