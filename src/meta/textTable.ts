/** Plain aligned text tables: the first column left-aligned, the others right-aligned. */

export interface TableOptions {
  /** Columns (by index) to align left besides the first. */
  leftAligned?: readonly number[];
  indent?: string;
}

// Combining marks take no column; everything else in our output is one column wide.
function width(s: string): number {
  return [...s.normalize('NFC')].filter((ch) => !/\p{M}/u.test(ch)).length;
}

export function textTable(header: readonly string[], rows: ReadonlyArray<readonly string[]>, options: TableOptions = {}): string {
  const all = [header, ...rows];
  const cols = header.length;
  const widths = Array.from({ length: cols }, (_, c) => Math.max(...all.map((r) => width(r[c] ?? ''))));
  const left = new Set([0, ...(options.leftAligned ?? [])]);
  const indent = options.indent ?? '';
  const line = (r: readonly string[]) =>
    indent +
    r
      .map((cell, c) => {
        const pad = ' '.repeat(widths[c]! - width(cell));
        return left.has(c) ? cell + pad : pad + cell;
      })
      .join('  ')
      .trimEnd();
  return [line(header), ...rows.map(line)].join('\n') + '\n';
}
