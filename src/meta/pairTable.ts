/**
 * The compact, columnar form of the records meta-evaluation reads: one row per record that has an
 * expert score, whether or not the judge scored it (the unscored ones are the coverage gap). Only
 * the fields needed are kept, so a run's raw replies and rationales are never held in memory.
 */
import type { JudgmentRecord } from '../core/types.ts';
import { domainSide, type DomainSide } from './domains.ts';

export const ROW_USED = 0;
export const ROW_UNSCORED = 1;
export const ROW_ERROR = 2;
export const ROW_PENDING = 3;

/** Labels shown for records that lack an attribute. */
export const NO_MODEL = '(no model)';
export const NO_GROUP = '(no group)';
export const NO_TASK = '(no task type)';
export const NO_DIFFICULTY = '(no difficulty)';

export interface PairTable {
  size: number;
  /** Judge score; NaN for rows the judge did not score (status ≠ ROW_USED). */
  judge: Float64Array;
  human: Float64Array;
  status: Uint8Array;
  /** Dense instruction index: the bootstrap's cluster. */
  cluster: Int32Array;
  clusterCount: number;
  model: string[];
  criterionGroup: string[];
  taskType: string[];
  difficulty: string[];
  criterionKey: string[];
  criterionName: string[];
  domain: DomainSide[];
  /** Which judge a row belongs to (one table can hold several judges for a paired comparison). */
  judgeLabel: string[];
}

/** The fields of a JudgmentRecord that a pair row needs. */
export type PairSource = Pick<
  JudgmentRecord,
  'instructionId' | 'modelId' | 'criterionGroup' | 'taskType' | 'difficulty' | 'criterionKey' | 'criterionName' | 'status' | 'score'
>;

/** Grows a PairTable row by row; cluster ids are shared by every row added through one builder. */
export class PairTableBuilder {
  private judge: number[] = [];
  private human: number[] = [];
  private status: number[] = [];
  private cluster: number[] = [];
  private readonly clusters = new Map<string, number>();
  private readonly t = {
    model: [] as string[],
    criterionGroup: [] as string[],
    taskType: [] as string[],
    difficulty: [] as string[],
    criterionKey: [] as string[],
    criterionName: [] as string[],
    domain: [] as DomainSide[],
    judgeLabel: [] as string[],
  };

  constructor(private readonly outOfDomain: ReadonlySet<string>) {}

  get size(): number {
    return this.judge.length;
  }

  /** Adds a row for a record whose expert score is `human`; `judgeScore` overrides the record's. */
  add(r: PairSource, human: number, judgeLabel: string, judgeScore: number | null = r.score): void {
    const used = r.status === 'scored' && judgeScore !== null && Number.isFinite(judgeScore);
    this.judge.push(used ? (judgeScore as number) : NaN);
    this.human.push(human);
    this.status.push(used ? ROW_USED : r.status === 'error' ? ROW_ERROR : r.status === 'pending' ? ROW_PENDING : ROW_UNSCORED);
    let c = this.clusters.get(r.instructionId);
    if (c === undefined) {
      c = this.clusters.size;
      this.clusters.set(r.instructionId, c);
    }
    this.cluster.push(c);
    this.t.model.push(r.modelId ?? NO_MODEL);
    this.t.criterionGroup.push(r.criterionGroup ?? NO_GROUP);
    this.t.taskType.push(r.taskType ?? NO_TASK);
    this.t.difficulty.push(r.difficulty ?? NO_DIFFICULTY);
    this.t.criterionKey.push(r.criterionKey);
    this.t.criterionName.push(r.criterionName);
    this.t.domain.push(domainSide(r.taskType, this.outOfDomain));
    this.t.judgeLabel.push(judgeLabel);
  }

  build(): PairTable {
    return {
      size: this.judge.length,
      judge: Float64Array.from(this.judge),
      human: Float64Array.from(this.human),
      status: Uint8Array.from(this.status),
      cluster: Int32Array.from(this.cluster),
      clusterCount: this.clusters.size,
      ...this.t,
    };
  }
}

/** Row indices grouped by a label, labels in a stable order (Russian collation, then code points). */
export function splitRows(rows: Int32Array, labels: readonly string[]): Array<[string, Int32Array]> {
  const groups = new Map<string, number[]>();
  for (const i of rows) {
    const key = labels[i]!;
    let g = groups.get(key);
    if (!g) groups.set(key, (g = []));
    g.push(i);
  }
  return [...groups.entries()]
    .sort(([a], [b]) => a.localeCompare(b, 'ru') || (a < b ? -1 : a > b ? 1 : 0))
    .map(([k, v]) => [k, Int32Array.from(v)]);
}

export function allRows(table: PairTable): Int32Array {
  return Int32Array.from({ length: table.size }, (_, i) => i);
}
