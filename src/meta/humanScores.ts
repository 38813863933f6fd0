/**
 * Expert scores from a file (`pollux meta --human FILE`), keyed by sample id and criterion. A file
 * may give one aggregated score per (sample, criterion), or individual experts' scores, in long form
 * (one row per expert: `expert`, `score`) or wide form (`expert_scores` as a list or an
 * {expert: score} object in JSON/JSONL; columns named `expert:<id>` in CSV). The judge is compared
 * with the aggregated score (the mean of the experts unless a `score` is given without an expert);
 * the individual scores feed the expert-against-expert ceiling.
 */
import { InputError } from '../core/errors.ts';
import { parseNumber } from '../core/scale.ts';
import type { JudgmentRecord } from '../core/types.ts';
import { problemToInputError, type RowLocation } from '../data/problems.ts';
import { readTable } from '../data/table.ts';
import { isProblem, type ReadTableOptions } from '../data/tableTypes.ts';

export interface HumanItem {
  sampleId: string;
  criterion: string;
  /** The reference the judge is compared with. */
  score: number;
  /** Individual experts' scores, by expert id (empty when the file gives only aggregates). */
  experts: Map<string, number>;
}

export interface HumanScores {
  source: string;
  items: Map<string, HumanItem>;
  expertIds: Set<string>;
  rows: number;
}

const SAMPLE_FIELDS = ['sample_id', 'sampleId', 'id'];
const CRITERION_FIELDS = ['criterion_key', 'criterionKey', 'criterion', 'criteria_name', 'criterionName'];
const SCORE_FIELDS = ['score', 'human_score', 'humanScore', 'criteria_score'];
const EXPERT_FIELDS = ['expert', 'expert_id', 'annotator'];
const WIDE_FIELDS = ['expert_scores', 'expertScores'];
const EXPERT_COLUMN = 'expert:';

export function humanKey(sampleId: string, criterion: string): string {
  return `${sampleId}\u0000${criterion}`;
}

/** The file's item for a record: by criterion key first, then by the criterion's name. */
export function humanItemFor(h: HumanScores, r: Pick<JudgmentRecord, 'sampleId' | 'criterionKey' | 'criterionName'>): HumanItem | undefined {
  return h.items.get(humanKey(r.sampleId, r.criterionKey)) ?? h.items.get(humanKey(r.sampleId, r.criterionName));
}

function where(loc: RowLocation, field?: string) {
  return { file: loc.file, line: loc.line, row: loc.line === undefined ? loc.row : undefined, field };
}

function pick(record: Record<string, unknown>, names: readonly string[]): [string, unknown] | undefined {
  for (const n of names) {
    const v = record[n];
    if (v !== undefined && v !== null && v !== '') return [n, v];
  }
  return undefined;
}

function text(record: Record<string, unknown>, names: readonly string[], loc: RowLocation): string {
  const got = pick(record, names);
  if (!got) throw new InputError(`missing field: expected one of ${names.join(', ')}`, where(loc));
  const [field, v] = got;
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'bigint') return String(v);
  throw new InputError(`expected text or a number, got ${JSON.stringify(v)}`, where(loc, field));
}

function score(v: unknown, loc: RowLocation, field: string): number {
  const x = typeof v === 'number' ? v : typeof v === 'string' && v.trim() !== '' ? parseNumber(v.trim()) : NaN;
  if (!Number.isFinite(x)) throw new InputError(`expected a score (a number), got ${JSON.stringify(v)}`, where(loc, field));
  return x;
}

/** Accumulates rows into HumanScores; exported so rows from any source can be added. */
export class HumanScoresBuilder {
  private readonly items = new Map<string, { item: HumanItem; aggregated: boolean }>();
  private readonly expertIds = new Set<string>();
  private rows = 0;

  constructor(private readonly source: string) {}

  add(record: Record<string, unknown>, loc: RowLocation): void {
    this.rows++;
    const sampleId = text(record, SAMPLE_FIELDS, loc);
    const criterion = text(record, CRITERION_FIELDS, loc);
    const key = humanKey(sampleId, criterion);
    let slot = this.items.get(key);
    if (!slot) {
      slot = { item: { sampleId, criterion, score: NaN, experts: new Map() }, aggregated: false };
      this.items.set(key, slot);
    }
    const experts: Array<[string, number, string]> = [];
    const expert = pick(record, EXPERT_FIELDS);
    const scoreField = pick(record, SCORE_FIELDS);
    const wide = pick(record, WIDE_FIELDS);
    if (wide) {
      const [field, v] = wide;
      if (Array.isArray(v)) v.forEach((s, i) => experts.push([String(i + 1), score(s, loc, field), field]));
      else if (v && typeof v === 'object') for (const [id, s] of Object.entries(v)) experts.push([id, score(s, loc, field), field]);
      else throw new InputError('expected a list of scores or an {expert: score} object', where(loc, field));
    }
    for (const [name, v] of Object.entries(record)) {
      if (name.startsWith(EXPERT_COLUMN) && v !== null && v !== undefined && v !== '') {
        experts.push([name.slice(EXPERT_COLUMN.length), score(v, loc, name), name]);
      }
    }
    if (expert) {
      if (!scoreField) throw new InputError(`a row naming an expert needs a score: expected one of ${SCORE_FIELDS.join(', ')}`, where(loc));
      experts.push([text(record, EXPERT_FIELDS, loc), score(scoreField[1], loc, scoreField[0]), scoreField[0]]);
    } else if (scoreField) {
      if (slot.aggregated) throw new InputError(`a second score for sample "${sampleId}", criterion "${criterion}"`, where(loc, scoreField[0]));
      slot.aggregated = true;
      slot.item.score = score(scoreField[1], loc, scoreField[0]);
    }
    if (!expert && !scoreField && experts.length === 0) {
      throw new InputError(
        `no score: expected one of ${SCORE_FIELDS.join(', ')}, an expert_scores field, or ${EXPERT_COLUMN}<id> columns`,
        where(loc),
      );
    }
    for (const [id, s, field] of experts) {
      if (slot.item.experts.has(id)) {
        throw new InputError(`expert "${id}" scores sample "${sampleId}", criterion "${criterion}" twice`, where(loc, field));
      }
      slot.item.experts.set(id, s);
      this.expertIds.add(id);
    }
  }

  build(): HumanScores {
    const items = new Map<string, HumanItem>();
    for (const [key, { item, aggregated }] of this.items) {
      if (!aggregated) {
        let s = 0;
        for (const v of item.experts.values()) s += v;
        item.score = s / item.experts.size;
      }
      items.set(key, item);
    }
    return { source: this.source, items, expertIds: this.expertIds, rows: this.rows };
  }
}

/**
 * Reads a JSONL, JSON, CSV or Parquet file of expert scores; a bad row is an InputError naming it.
 * It keeps its own loop rather than the datasets' row loop (data/rowLoop.ts): here any problem ends
 * the read (nothing is rejected to go on with), a field is found under several accepted names
 * rather than through --map, and no counts are kept for a summary.
 */
export async function readHumanScores(file: string, options: ReadTableOptions = {}): Promise<HumanScores> {
  const builder = new HumanScoresBuilder(file);
  for await (const item of readTable(file, options)) {
    if (isProblem(item)) throw problemToInputError(item.problem);
    builder.add(item.record, item.location);
  }
  const h = builder.build();
  if (h.items.size === 0) throw new InputError('the file holds no expert scores', { file });
  return h;
}
