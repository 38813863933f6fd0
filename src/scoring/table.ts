/**
 * Plain aligned text tables. Widths count code points: Cyrillic and Latin letters are one column
 * each in a terminal, and a combining accent or an astral character is rare enough in labels.
 */

export type Align = 'left' | 'right';

export function textWidth(s: string): number {
  let n = 0;
  for (const _ of s) n++;
  return n;
}

function pad(s: string, width: number, align: Align): string {
  const fill = ' '.repeat(Math.max(0, width - textWidth(s)));
  return align === 'left' ? s + fill : fill + s;
}

/** Columns separated by two spaces, a rule under the header, no trailing blanks. */
export function renderTable(headers: readonly string[], rows: ReadonlyArray<readonly string[]>, align: readonly Align[]): string {
  const widths = headers.map((h, i) => Math.max(textWidth(h), ...rows.map((r) => textWidth(r[i] ?? ''))));
  const line = (cells: readonly string[]) =>
    widths
      .map((w, i) => pad(cells[i] ?? '', w, align[i] ?? 'left'))
      .join('  ')
      .trimEnd();
  return [line(headers), widths.map((w) => '─'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
}

/** Three decimals; a missing mean is a dash, never NaN. */
export function formatMean(x: number | null): string {
  return x === null || !Number.isFinite(x) ? '—' : x.toFixed(3);
}

/** `0.734 (812/820)`. */
export function formatWithCoverage(x: number | null, scored: number, total: number): string {
  return `${formatMean(x)} (${scored}/${total})`;
}
