import { closeSync, createReadStream, openSync, readSync } from 'node:fs';
import { UsageError } from '../core/errors.ts';

/**
 * Russian data often arrives as Windows-1251 (Excel, older tools). Bytes that are not UTF-8 but
 * read as Cyrillic text in Windows-1251 get that said, with how to convert the file.
 */
export function notUtf8Message(what: string, bytes: Uint8Array): string {
  const base = `${what} is not valid UTF-8 text`;
  let text: string;
  try {
    text = new TextDecoder('windows-1251').decode(bytes);
  } catch {
    return base;
  }
  // Every byte above 0x7F is one character in Windows-1251: mostly Cyrillic letters means Russian text.
  const nonAscii = [...text].filter((ch) => (ch.codePointAt(0) as number) > 0x7f).length;
  const cyrillic = (text.match(/[А-Яа-яЁё]/g) ?? []).length;
  if (cyrillic === 0 || cyrillic < nonAscii * 0.8) return base;
  const sample = text.replace(/\s+/g, ' ').trim().slice(0, 40);
  return `${base}; it reads as Windows-1251 ("${sample}…"): read it with --encoding windows-1251, or convert it to UTF-8, e.g. iconv -f windows-1251 -t utf-8 IN > OUT`;
}

export const CSV_DELIMITERS: Record<string, string> = { ',': ',', ';': ';', tab: '\t', '\t': '\t' };

/**
 * The delimiter a CSV header row uses: the most frequent of `,` `;` and tab outside quotes in the
 * first line (Excel in Russian locales writes `;`). Comma when the line holds none.
 */
export function detectCsvDelimiter(file: string): string {
  const head = Buffer.alloc(64 * 1024);
  let n = 0;
  try {
    const fd = openSync(file, 'r');
    try {
      n = readSync(fd, head, 0, head.length, 0);
    } finally {
      closeSync(fd);
    }
  } catch {
    return ',';
  }
  const counts = new Map<string, number>([[',', 0], [';', 0], ['\t', 0]]);
  let quoted = false;
  for (let i = 0; i < n; i++) {
    const c = String.fromCharCode(head[i] as number);
    if (c === '"') quoted = !quoted;
    else if (!quoted && (c === '\n' || c === '\r')) break;
    else if (!quoted && counts.has(c)) counts.set(c, (counts.get(c) ?? 0) + 1);
  }
  let best = ',';
  for (const [d, k] of counts) if (k > (counts.get(best) ?? 0)) best = d;
  return best;
}

/**
 * The canonical name of a text encoding `--encoding` accepts (any label Node's TextDecoder knows:
 * windows-1251, cp1251, koi8-r, utf-16le, utf-16be, …); an unknown label is a usage error.
 */
export function textEncodingOf(label: string): string {
  try {
    return new TextDecoder(label).encoding;
  } catch {
    throw new UsageError(`--encoding: unknown text encoding "${label}" (expected e.g. utf-8, windows-1251, koi8-r, utf-16le, utf-16be)`);
  }
}

/**
 * A text file's bytes as UTF-8, chunk by chunk: the file as it is for UTF-8 (each reader checks
 * validity itself and reports the bad row), otherwise decoded from `encoding` with a streaming
 * TextDecoder. Newlines map one to one, so line numbers stay those of the file.
 */
export async function* utf8Chunks(file: string, encoding?: string): AsyncGenerator<Buffer> {
  const stream = createReadStream(file, { highWaterMark: 1 << 20 });
  const name = encoding === undefined ? 'utf-8' : textEncodingOf(encoding);
  if (name === 'utf-8') {
    yield* stream as AsyncIterable<Buffer>;
    return;
  }
  const decoder = new TextDecoder(name);
  for await (const chunk of stream as AsyncIterable<Buffer>) {
    const text = decoder.decode(chunk, { stream: true });
    if (text) yield Buffer.from(text, 'utf8');
  }
  const tail = decoder.decode();
  if (tail) yield Buffer.from(tail, 'utf8');
}
