/**
 * One CSV cell, the one way every CSV writer makes it. Untrusted text (ids, model ids, criterion
 * names, judge replies quoting the answer) that begins with `=`, `+`, `-`, `@`, a tab or a carriage
 * return would be run as a formula by a spreadsheet: it gets a leading `'`, as OWASP recommends
 * (CSV injection). `raw` (`--raw-csv`) writes the text as it is. Numbers are written as numbers.
 */
export interface CsvOptions {
  raw?: boolean;
}

const FORMULA_START = /^[=+\-@\t\r]/;

export function csvCell(value: string | number | boolean | null, options: CsvOptions = {}): string {
  if (value === null) return '';
  if (typeof value === 'number') return Number.isFinite(value) ? String(value) : '';
  let text = String(value);
  if (typeof value === 'string' && !options.raw && FORMULA_START.test(text)) text = `'${text}`;
  return /[",\r\n]/.test(text) || text !== text.trim() ? `"${text.replace(/"/g, '""')}"` : text;
}
