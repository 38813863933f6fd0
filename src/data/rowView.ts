import { parseNumber, type RubricInput } from '../core/scale.ts';
import { rowProblem, type RowLocation, type RowProblem } from './problems.ts';
import { describeJsonValue, type TableFormat } from './tableTypes.ts';

/**
 * One row seen through the user's column mapping (`--map answer=response`: our name → their name).
 * Every accessor checks the value's type and records a problem naming the file's column, so one
 * pass over a row reports everything wrong with it.
 */
export class RowView {
  readonly problems: RowProblem[] = [];

  constructor(
    readonly record: Record<string, unknown>,
    readonly location: RowLocation,
    private readonly map: Readonly<Record<string, string>>,
    readonly format: TableFormat,
  ) {}

  /** The column name as the file has it. */
  column(name: string): string {
    return this.map[name] ?? name;
  }

  has(name: string): boolean {
    return Object.prototype.hasOwnProperty.call(this.record, this.column(name));
  }

  raw(name: string): unknown {
    return this.has(name) ? this.record[this.column(name)] : undefined;
  }

  problem(message: string, name?: string): void {
    this.problems.push(rowProblem(this.location, message, name === undefined ? undefined : this.column(name)));
  }

  /** Text that must be there; `allowEmpty` for values such as an answer that may legitimately be ''. */
  requiredText(name: string, allowEmpty = false): string {
    if (!this.has(name)) {
      this.problem(`missing column "${this.column(name)}"`, name);
      return '';
    }
    const value = this.raw(name);
    const text = this.asText(value, name);
    if (text === null) {
      if (value === null || value === undefined) this.problem('is empty (null)', name);
      return '';
    }
    if (!allowEmpty && text.trim() === '') this.problem('is empty', name);
    return text;
  }

  /** Optional text: absent, null and '' all mean "none". */
  optionalText(name: string): string | null {
    const text = this.asText(this.raw(name), name);
    return text === null || text === '' ? null : text;
  }

  /**
   * The reference answer: null means none, '' an empty one. A CSV cannot tell an empty cell from a
   * missing value, so there an empty cell means none.
   */
  referenceAnswer(name = 'reference_answer'): string | null {
    const text = this.asText(this.raw(name), name);
    if (text === null) return null;
    return this.format === 'csv' && text === '' ? null : text;
  }

  /** An id: text or an integer; absent/empty means "derive one". */
  id(name = 'id'): string | null {
    const value = this.raw(name);
    if (typeof value === 'number' && Number.isInteger(value)) return String(value);
    const text = this.asText(value, name);
    return text === null || text.trim() === '' ? null : text;
  }

  /** A number such as an expert score; decimal commas accepted; absent/empty → null. */
  optionalNumber(name: string): number | null {
    const value = this.raw(name);
    if (value === null || value === undefined || value === '') return null;
    if (typeof value === 'number') {
      if (Number.isFinite(value)) return value;
      if (Number.isNaN(value)) return null;
    } else if (typeof value === 'string') {
      const n = parseNumber(value.trim());
      if (value.trim() !== '' && Number.isFinite(n)) return n;
    }
    const huge = typeof value === 'number' || (typeof value === 'string' && /^[-+−]?(?:Infinity|\d)/.test(value.trim()));
    this.problem(huge ? `expected a finite number, got ${preview(value)}, which is too large to use (it reads as ±Infinity)` : `expected a number, got ${preview(value)}`, name);
    return null;
  }

  /** A rubric: text, a score → text mapping, or (in CSV) a cell holding that mapping as JSON. */
  rubric(name: string): RubricInput | null {
    if (!this.has(name)) {
      this.problem(`missing column "${this.column(name)}"`, name);
      return null;
    }
    return this.rubricValue(this.raw(name), name);
  }

  rubricValue(value: unknown, name: string, label = ''): RubricInput | null {
    if (typeof value === 'string') {
      const trimmed = value.trim();
      if (trimmed.startsWith('{')) {
        const parsed = tryJson(trimmed);
        if (isTextMapping(parsed)) return parsed;
      }
      if (trimmed === '') {
        this.problem(`${label}the rubric is empty`, name);
        return null;
      }
      return value;
    }
    if (isTextMapping(value)) return value;
    this.problem(`${label}expected the rubric as text or a score → text mapping, got ${describeJsonValue(value)}`, name);
    return null;
  }

  /**
   * A list cell: an array (JSON, Parquet), or text holding a JSON array (CSV), or for plain keys a
   * comma/semicolon/space separated list. Absent/empty → null.
   */
  list(name: string): unknown[] | null {
    const value = this.raw(name);
    if (value === null || value === undefined || value === '') return null;
    if (Array.isArray(value)) return value;
    if (typeof value === 'string') {
      const trimmed = value.trim();
      if (trimmed === '') return null;
      if (trimmed.startsWith('[')) {
        const parsed = tryJson(trimmed);
        if (Array.isArray(parsed)) return parsed;
        this.problem('holds text that starts like a JSON array but does not parse as one', name);
        return null;
      }
      return trimmed.split(/[\s,;]+/).filter((k) => k !== '');
    }
    this.problem(`expected a list, got ${describeJsonValue(value)}`, name);
    return null;
  }

  private asText(value: unknown, name: string): string | null {
    if (value === null || value === undefined) return null;
    if (typeof value === 'string') return value;
    if (typeof value === 'number' || typeof value === 'boolean') return String(value);
    this.problem(`expected text, got ${describeJsonValue(value)}`, name);
    return null;
  }
}

function tryJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

export function isTextMapping(value: unknown): value is Record<string, string> {
  if (!value || typeof value !== 'object' || Array.isArray(value)) return false;
  const entries = Object.values(value);
  return entries.length > 0 && entries.every((v) => typeof v === 'string');
}

function preview(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value);
  return describeJsonValue(value);
}
