/**
 * The one renderer of aligned text tables for the terminal. Every table pollux prints has the same
 * style: columns two spaces apart, a rule of `─` under the header, labels left-aligned and numbers
 * right-aligned (the first column left, the others right, unless told), no trailing blanks.
 */

export type Align = 'left' | 'right';

export interface TableSpec {
  /** Column names; a table without them starts with its first row and has no rule. */
  header?: readonly string[];
  rows: ReadonlyArray<readonly string[]>;
  /** Per column; a column not given is left-aligned when it is the first, right-aligned otherwise. */
  align?: ReadonlyArray<Align | undefined>;
  /** Put before every line. */
  indent?: string;
  /**
   * Per column, the most it widens to fit its cells: a longer cell overflows its own line only,
   * so one long name does not push every other row to the right.
   */
  maxWidth?: ReadonlyArray<number | undefined>;
}

/**
 * The table's lines, without line ends; none for a table without columns. A cell is kept on its
 * line: control characters in it (a newline or a terminal escape in a model id) are shown escaped.
 */
export function renderTable(spec: TableSpec): string[] {
  const header = spec.header?.map(oneLine);
  const rows = spec.rows.map((r) => r.map(oneLine));
  const all = header ? [header, ...rows] : rows;
  const cellWidths = all.map((r) => r.map(textWidth));
  const widths: number[] = [];
  for (const r of cellWidths) r.forEach((w, c) => (widths[c] = Math.max(widths[c] ?? 0, w)));
  if (widths.length === 0) return [];
  spec.maxWidth?.forEach((cap, c) => {
    if (cap !== undefined && c < widths.length) widths[c] = Math.min(widths[c]!, cap);
  });
  const align = (c: number): Align => spec.align?.[c] ?? (c === 0 ? 'left' : 'right');
  const indent = spec.indent ?? '';
  const line = (i: number) =>
    (
      indent +
      widths
        .map((w, c) => {
          const cell = all[i]![c] ?? '';
          const fill = ' '.repeat(Math.max(0, w - (cellWidths[i]![c] ?? 0)));
          return align(c) === 'left' ? cell + fill : fill + cell;
        })
        .join('  ')
    ).trimEnd();
  const out = all.map((_, i) => line(i));
  if (header) out.splice(1, 0, (indent + widths.map((w) => '─'.repeat(w)).join('  ')).trimEnd());
  return out;
}

const ESCAPES: Record<string, string> = { '\n': '\\n', '\r': '\\r', '\t': '\\t' };

function oneLine(cell: string): string {
  return cell.replace(/\p{Cc}/gu, (ch) => ESCAPES[ch] ?? `\\u${ch.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

const segmenter = new Intl.Segmenter('en', { granularity: 'grapheme' });

/**
 * The columns a text takes in a monospace terminal. Cyrillic and Latin letters take one column
 * each however they are encoded (`й` as one code point or as `и` + a combining breve); combining
 * marks, joiners and other format characters take none; CJK, full-width forms and emoji take two.
 * A grapheme cluster (a letter with its accents, an emoji with its modifiers) is measured as one.
 */
export function textWidth(text: string): number {
  if (ASCII.test(text)) return text.length;
  if (NARROW.test(text)) {
    let n = 0;
    for (const _ of text) n++;
    return n;
  }
  // Rare (a mark, an emoji, CJK): splitting into grapheme clusters costs ~100x the above.
  let width = 0;
  for (const { segment } of segmenter.segment(text)) width += clusterWidth(segment);
  return width;
}

const ASCII = /^[\x20-\x7e]*$/;
// Text in which every code point is one column and no two combine: Latin, Greek, Cyrillic, general
// punctuation (dashes, quotes, …), letterlike signs (№), arrows and math (−, ×, →), box drawing (─).
const NARROW = /^[\x20-\x7e\u00a0-\u00ac\u00ae-\u02ff\u0370-\u0482\u048a-\u052f\u2010-\u2027\u2030-\u205e\u2100-\u22ff\u2500-\u257f]*$/;

function clusterWidth(cluster: string): number {
  const first = cluster.codePointAt(0)!;
  if (/^[\p{M}\p{Cf}\p{Cc}]+$/u.test(cluster)) return 0;
  if (/\p{Emoji_Presentation}/u.test(cluster) || (cluster.includes('\uFE0F') && /\p{Emoji}/u.test(cluster))) return 2;
  return isWide(first) ? 2 : 1;
}

// The East Asian Wide and Fullwidth blocks (Unicode UAX #11) that hold letters and signs.
const WIDE: ReadonlyArray<readonly [number, number]> = [
  [0x1100, 0x115f], // Hangul Jamo initials
  [0x2e80, 0x303e], // CJK radicals, Kangxi, CJK symbols and punctuation
  [0x3041, 0x33ff], // Hiragana, Katakana, Bopomofo, Hangul compatibility, CJK compatibility
  [0x3400, 0x4dbf], // CJK extension A
  [0x4e00, 0x9fff], // CJK unified ideographs
  [0xa000, 0xa4cf], // Yi
  [0xa960, 0xa97f], // Hangul Jamo extended A
  [0xac00, 0xd7a3], // Hangul syllables
  [0xf900, 0xfaff], // CJK compatibility ideographs
  [0xfe10, 0xfe19], // vertical forms
  [0xfe30, 0xfe6f], // CJK compatibility forms, small form variants
  [0xff00, 0xff60], // full-width forms
  [0xffe0, 0xffe6], // full-width signs
  [0x20000, 0x3fffd], // CJK extensions B and later
];

function isWide(cp: number): boolean {
  if (cp < 0x1100) return false;
  for (const [lo, hi] of WIDE) if (cp >= lo && cp <= hi) return true;
  return false;
}
