import { InputError } from './errors.ts';

export interface ScaleLevel {
  value: number;
  description: string;
}

/**
 * A criterion's scale. `binary` means exactly two levels (0/1 in POLLUX); whether 1 is good or bad
 * is the criterion's business (see Criterion.gate), not the scale's.
 */
export interface Scale {
  kind: 'binary' | 'ordinal';
  levels: ScaleLevel[];
  min: number;
  max: number;
  /** How the scale was obtained: level lines of a rubric, a score → text mapping, or a range phrase. */
  source: 'rubric' | 'mapping' | 'range';
}

export type RubricInput = string | Record<string, string>;

function makeScale(levels: ScaleLevel[], source: Scale['source']): Scale {
  const sorted = [...levels].sort((a, b) => a.value - b.value);
  const first = sorted[0];
  const last = sorted[sorted.length - 1];
  if (!first || !last) throw new InputError('a scale needs at least two levels');
  return { kind: sorted.length === 2 ? 'binary' : 'ordinal', levels: sorted, min: first.value, max: last.value, source };
}

const NUMBER = String.raw`[-−]?\d+(?:[.,]\d+)?`;
// A level line: optional bullet, a number, then one of the separators POLLUX rubrics use
// (`:`, `—`, `–`, `)`, `.`, `-`).
// `-` as a separator must not be the start of a range such as "1-5".
const LEVEL_LINE = new RegExp(String.raw`^[ \t]*(?:[-*•·][ \t]+)?(${NUMBER})[ \t]*(?:[:—–).]|-(?![ \t]*\d))[ \t]*(.*)$`);
const RANGE_PHRASES = [
  new RegExp(String.raw`от\s+(${NUMBER})\s+до\s+(${NUMBER})`, 'i'),
  new RegExp(String.raw`from\s+(${NUMBER})\s+to\s+(${NUMBER})`, 'i'),
  new RegExp(String.raw`(?:шкал[аеуы]|scale)[^\d\n-]{0,20}(${NUMBER})\s*(?:-|–|—|\.\.)\s*(${NUMBER})`, 'i'),
];

export function parseNumber(text: string): number {
  return Number(text.replace('−', '-').replace(',', '.'));
}

/**
 * Levels from rubric text: the line-initial numbers. Each level's description runs until
 * the next level line. Returns null when fewer than two distinct levels are found.
 */
export function levelsFromRubricText(text: string): ScaleLevel[] | null {
  const levels: ScaleLevel[] = [];
  let current: ScaleLevel | null = null;
  for (const line of text.split(/\r\n|\r|\n/)) {
    const m = LEVEL_LINE.exec(line);
    if (m && m[1] !== undefined) {
      current = { value: parseNumber(m[1]), description: (m[2] ?? '').trim() };
      levels.push(current);
    } else if (current && line.trim()) {
      current.description = current.description ? `${current.description}\n${line.trim()}` : line.trim();
    }
  }
  const distinct = new Map<number, ScaleLevel>();
  for (const l of levels) if (!distinct.has(l.value)) distinct.set(l.value, l);
  return distinct.size >= 2 ? [...distinct.values()] : null;
}

/** A range phrase such as `от 1 до 10`, `шкала 1–5` or `from 0 to 3`; integer levels in between. */
export function scaleFromRangePhrase(text: string): Scale | null {
  for (const re of RANGE_PHRASES) {
    const m = re.exec(text);
    if (m && m[1] !== undefined && m[2] !== undefined) {
      const lo = parseNumber(m[1]);
      const hi = parseNumber(m[2]);
      if (Number.isInteger(lo) && Number.isInteger(hi) && hi > lo && hi - lo <= 100) {
        const levels: ScaleLevel[] = [];
        for (let v = lo; v <= hi; v++) levels.push({ value: v, description: '' });
        return makeScale(levels, 'range');
      }
    }
  }
  return null;
}

/** A scale from a score → description mapping, e.g. `{"0": "…", "1": "…"}`. */
export function scaleFromMapping(mapping: Record<string, string>, where: { field?: string; file?: string; line?: number } = {}): Scale {
  const levels: ScaleLevel[] = [];
  const seen = new Set<number>();
  for (const [k, v] of Object.entries(mapping)) {
    const value = parseNumber(k.trim());
    if (k.trim() === '' || !Number.isFinite(value)) {
      throw new InputError(`rubric level "${k}" is not a number`, where);
    }
    if (seen.has(value)) throw new InputError(`rubric level ${value} appears twice`, where);
    if (typeof v !== 'string') throw new InputError(`rubric level ${k} must have a text description`, where);
    seen.add(value);
    levels.push({ value, description: v });
  }
  if (levels.length < 2) throw new InputError('a rubric mapping needs at least two levels', where);
  return makeScale(levels, 'mapping');
}

/** Rubric text first (level lines), then a range phrase; otherwise an error naming the field. */
export function scaleFromRubricText(text: string, where: { field?: string; file?: string; line?: number } = {}): Scale {
  if (!text.trim()) throw new InputError('the rubric is empty', where);
  const levels = levelsFromRubricText(text);
  // A level written with hundreds of digits reads as Infinity: it would be judged, then break every score.
  const huge = levels?.find((l) => !Number.isFinite(l.value));
  if (huge) throw new InputError(`a rubric level is a number too large to use (${huge.value}): levels must be ordinary numbers such as 0, 1, 2`, where);
  if (levels) return makeScale(levels, 'rubric');
  const range = scaleFromRangePhrase(text);
  if (range) return range;
  const preview = text.length > 80 ? `${text.slice(0, 80)}…` : text;
  throw new InputError(
    `cannot find the scale in the rubric "${preview}": expected level lines such as "0: …" / "1: …", or a range such as "от 1 до 10"`,
    where,
  );
}

export function parseScale(rubric: RubricInput, where: { field?: string; file?: string; line?: number } = {}): Scale {
  return typeof rubric === 'string' ? scaleFromRubricText(rubric, where) : scaleFromMapping(rubric, where);
}

/**
 * A score → text mapping rendered the way the dataset writes rubrics: `"0: …\n\n1: …"`, levels in
 * ascending numeric order.
 */
export function renderRubricMapping(mapping: Record<string, string>): string {
  return Object.entries(mapping)
    .map(([k, v]) => ({ value: parseNumber(k.trim()), key: k.trim(), text: v }))
    .sort((a, b) => a.value - b.value)
    .map((l) => `${l.key}: ${l.text}`)
    .join('\n\n');
}

export function rubricText(rubric: RubricInput): string {
  return typeof rubric === 'string' ? rubric : renderRubricMapping(rubric);
}

export function inScale(scale: Scale, score: number): boolean {
  return Number.isFinite(score) && score >= scale.min && score <= scale.max;
}

export function describeScale(scale: Scale): string {
  if (scale.kind === 'binary') return `${scale.min}/${scale.max}`;
  return `${scale.min}–${scale.max}`;
}
