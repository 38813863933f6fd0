import { InputError } from '../core/errors.ts';
import type { JudgmentRecord } from '../core/types.ts';
import { gateFires, isBinaryScale, isGate, normaliseWith } from './normalise.ts';
import type { GatePolicy, JudgmentStatusCounts, Normalisation } from './types.ts';

/**
 * Gathers the records of each evaluated answer, then applies gates and averages repeats.
 *
 * The gate step needs every record of an answer, and nothing promises that they arrive together
 * (a resumed or re-ordered run interleaves them), so answers are kept until the end. Only a few
 * numbers per record are kept (criterion index, repeat, status, normalised score; no text), which
 * holds a million records in some tens of megabytes.
 */

export const Status = { scored: 0, unscored: 1, error: 2, pending: 3 } as const;
export type Status = (typeof Status)[keyof typeof Status];

const STATUS_CODE: Record<string, Status> = {
  scored: Status.scored,
  unscored: Status.unscored,
  error: Status.error,
  pending: Status.pending,
};

/**
 * One way a criterion came in the records: a (key, name, binary, gate) combination. Scores
 * accumulate per entry; the report then groups entries into its criterion rows (by name, as
 * upstream, or by key). Binary and gate status belong to the entry, so a 0/1 row and a 0–2 row
 * that share a key or a name are each counted by their own scale.
 */
export interface CriterionEntry {
  index: number;
  key: string;
  name: string;
  group: string | null;
  /** The level set is exactly {0, 1} (a two-level 1/5 scale is not binary). */
  binary: boolean;
  /** The record's own gate flag (the Critical group). */
  recordGate: boolean;
  /** Acts as a gate under the chosen policy. */
  gate: boolean;
  /** Enters the summaries: not binary and not a gate, whatever the policy (1 = bad never averages with 1 = good). */
  summarised: boolean;
  scaleMin: number;
  scaleMax: number;
}

export interface AnswerInfo {
  model: string | null;
  modelIndex: number;
  sampleId: string;
  /** The instruction the answer responds to: the cluster unit of the bootstrap. */
  instructionId: string;
  taskType: string | null;
  difficulty: string | null;
}

/** One (answer, criterion) after gates and repeat averaging. */
export interface Pair {
  criterion: number;
  /** Normalised, gates applied, repeats averaged; null unless scored. */
  value: number | null;
  status: Status;
  gated: boolean;
  gateUnknown: boolean;
  repeats: number;
}

export interface AnswerOutcome {
  gated: boolean;
  gateUnknown: boolean;
}

interface AnswerAcc extends AnswerInfo {
  crit: number[];
  rep: number[];
  status: Status[];
  value: number[];
}

/** A second judgment for the same (model, sample, criterion, repeat). */
export class DuplicateJudgmentError extends InputError {
  readonly model: string | null;
  readonly sampleId: string;
  readonly criterionKey: string;
  readonly repeat: number;
  constructor(model: string | null, sampleId: string, criterionKey: string, repeat: number) {
    super(
      `two judgments of sample "${sampleId}" (model ${model ?? '(none)'}) on criterion "${criterionKey}", repeat ${repeat}: ` +
        'each (sample, criterion, repeat) must be judged once across the runs scored together',
    );
    this.model = model;
    this.sampleId = sampleId;
    this.criterionKey = criterionKey;
    this.repeat = repeat;
  }
}

export class AnswerCollector {
  readonly criteria: CriterionEntry[] = [];
  readonly models: Array<string | null> = [];
  readonly judgments: JudgmentStatusCounts[] = [];
  readonly warnings: string[] = [];
  private readonly policy: GatePolicy;
  /** The entries of each key; the first one's scale is the key's first, for the two-scales warning. */
  private readonly entriesOfKey = new Map<string, CriterionEntry[]>();
  private readonly warnedCriteria = new Set<string>();
  private readonly modelIndex = new Map<string | null, number>();
  private readonly answers = new Map<string, AnswerAcc>();

  private readonly normalisation: Normalisation;

  private readonly zeroFiredGates: boolean;

  constructor(policy: GatePolicy, normalisation: Normalisation = 'min-max', zeroFiredGates = false) {
    this.policy = policy;
    this.normalisation = normalisation;
    this.zeroFiredGates = zeroFiredGates;
  }

  add(r: JudgmentRecord): void {
    const status = STATUS_CODE[r.status];
    if (status === undefined) {
      throw new InputError(`judgment ${r.key}: unknown status "${String(r.status)}"`, { field: 'status' });
    }
    if (!Number.isFinite(r.scaleMin) || !Number.isFinite(r.scaleMax) || r.scaleMax <= r.scaleMin) {
      throw new InputError(`judgment ${r.key}: the scale ${r.scaleMin}–${r.scaleMax} has its top at or below its bottom`, {
        field: 'scaleMax',
      });
    }
    let value = NaN;
    if (status === Status.scored) {
      if (typeof r.score !== 'number' || !Number.isFinite(r.score)) {
        throw new InputError(`judgment ${r.key}: status "scored" but the score is ${String(r.score)}`, { field: 'score' });
      }
      try {
        value = normaliseWith(this.normalisation, r.score, r.scaleMin, r.scaleMax);
      } catch (err) {
        throw new InputError(`judgment ${r.key}: ${(err as Error).message}`, { field: 'scaleMax' });
      }
    }
    const crit = this.criterion(r);
    const modelIndex = this.model(r.modelId);
    const counts = this.judgments[modelIndex]!;
    counts.total++;
    if (status === Status.scored) counts.scored++;
    else if (status === Status.unscored) counts.unscored++;
    else if (status === Status.error) counts.error++;
    else counts.pending++;

    const answerKey = `${r.modelId === null ? '\u0001' : `\u0002${r.modelId}`}\u0000${r.sampleId}`;
    let a = this.answers.get(answerKey);
    if (!a) {
      a = {
        model: r.modelId,
        modelIndex,
        sampleId: r.sampleId,
        instructionId: r.instructionId,
        taskType: r.taskType,
        difficulty: r.difficulty,
        crit: [],
        rep: [],
        status: [],
        value: [],
      };
      this.answers.set(answerKey, a);
    }
    a.crit.push(crit.index);
    a.rep.push(r.repeat);
    a.status.push(status);
    a.value.push(value);
  }

  /** Applies gates and averages repeats, answer by answer; throws on a duplicate judgment. */
  finish(onAnswer: (answer: AnswerInfo, pairs: Pair[], outcome: AnswerOutcome) => void): void {
    for (const a of this.answers.values()) {
      const { pairs, outcome } = this.resolve(a);
      onAnswer(a, pairs, outcome);
    }
  }

  private criterion(r: JudgmentRecord): CriterionEntry {
    const binary = isBinaryScale(r);
    // Looked up once per record: a key's entries are few (one, unless names or scales vary).
    const entries = this.entriesOfKey.get(r.criterionKey);
    if (entries) {
      for (const e of entries) {
        if (e.name === r.criterionName && e.binary === binary && e.recordGate === r.gate && e.scaleMin === r.scaleMin && e.scaleMax === r.scaleMax) return e;
      }
      const first = entries[0]!;
      if ((first.scaleMin !== r.scaleMin || first.scaleMax !== r.scaleMax || first.binary !== binary) && !this.warnedCriteria.has(r.criterionKey)) {
        this.warnedCriteria.add(r.criterionKey);
        this.warnings.push(
          `criterion "${r.criterionKey}" comes with two scales (${first.scaleMin}–${first.scaleMax}, then ${r.scaleMin}–${r.scaleMax}): ` +
            'each score is normalised on its own scale and counts as binary or a gate by its own scale',
        );
      }
      const same = entries.find((e) => e.name === r.criterionName && e.binary === binary && e.recordGate === r.gate);
      if (same) {
        // Another scale of the same kind (0–2 and 0–4): the same criterion; only scores differ in scale.
        entries.push({ ...same, scaleMin: r.scaleMin, scaleMax: r.scaleMax });
        return same;
      }
    }
    const gate = isGate(this.policy, { gate: r.gate, binary });
    const entry: CriterionEntry = {
      index: this.criteria.length,
      key: r.criterionKey,
      name: r.criterionName,
      group: r.criterionGroup,
      binary,
      recordGate: r.gate,
      gate,
      summarised: !binary && !r.gate && !gate,
      scaleMin: r.scaleMin,
      scaleMax: r.scaleMax,
    };
    this.criteria.push(entry);
    if (entries) entries.push(entry);
    else this.entriesOfKey.set(r.criterionKey, [entry]);
    return entry;
  }

  private model(modelId: string | null): number {
    let i = this.modelIndex.get(modelId);
    if (i === undefined) {
      i = this.models.length;
      this.models.push(modelId);
      this.judgments.push({ total: 0, scored: 0, unscored: 0, error: 0, pending: 0 });
      this.modelIndex.set(modelId, i);
    }
    return i;
  }

  private resolve(a: AnswerAcc): { pairs: Pair[]; outcome: AnswerOutcome } {
    const n = a.crit.length;
    const order = Array.from({ length: n }, (_, i) => i).sort((x, y) => a.crit[x]! - a.crit[y]! || a.rep[x]! - a.rep[y]!);
    for (let k = 1; k < n; k++) {
      const p = order[k - 1]!;
      const q = order[k]!;
      if (a.crit[p] === a.crit[q] && a.rep[p] === a.rep[q]) {
        throw new DuplicateJudgmentError(a.model, a.sampleId, this.criteria[a.crit[p]!]!.key, a.rep[p]!);
      }
    }

    // Each repeat r is one full evaluation of the answer: the gates of repeat r decide for the
    // other criteria of repeat r. A gate judged fewer times than the rest lends its lowest repeat.
    const gateEntries = new Map<number, Map<number, number>>();
    const repeats = new Set<number>();
    for (const i of order) {
      repeats.add(a.rep[i]!);
      if (!this.criteria[a.crit[i]!]!.gate) continue;
      let byRep = gateEntries.get(a.crit[i]!);
      if (!byRep) gateEntries.set(a.crit[i]!, (byRep = new Map()));
      byRep.set(a.rep[i]!, i);
    }
    const state = new Map<number, 'clear' | 'fired' | 'unknown'>();
    const outcome: AnswerOutcome = { gated: false, gateUnknown: false };
    for (const r of repeats) {
      let fired = false;
      let unknown = false;
      for (const byRep of gateEntries.values()) {
        // Entries were added in ascending repeat order, so the first one is the lowest repeat.
        const i = byRep.get(r) ?? byRep.values().next().value!;
        if (a.status[i] === Status.scored) {
          if (gateFires(a.value[i]!)) fired = true;
        } else unknown = true;
      }
      state.set(r, fired ? 'fired' : unknown ? 'unknown' : 'clear');
      if (fired) outcome.gated = true;
      else if (unknown) outcome.gateUnknown = true;
    }

    const pairs: Pair[] = [];
    let k = 0;
    while (k < n) {
      const c = a.crit[order[k]!]!;
      const isGateCriterion = this.criteria[c]!.gate;
      let sum = 0;
      let scored = 0;
      let count = 0;
      let anyPending = false;
      let anyError = false;
      let gated = false;
      let gateUnknown = false;
      for (; k < n && a.crit[order[k]!] === c; k++) {
        const i = order[k]!;
        count++;
        const st = a.status[i]!;
        if (st === Status.scored) {
          const s = isGateCriterion && !this.zeroFiredGates ? 'clear' : state.get(a.rep[i]!);
          if (s === 'fired') gated = true;
          else {
            if (s === 'unknown') gateUnknown = true;
            sum += a.value[i]!;
          }
          scored++;
        } else if (st === Status.pending) anyPending = true;
        else if (st === Status.error) anyError = true;
      }
      const status = scored > 0 ? Status.scored : anyPending ? Status.pending : anyError ? Status.error : Status.unscored;
      pairs.push({ criterion: c, value: scored > 0 ? sum / scored : null, status, gated, gateUnknown, repeats: count });
    }
    return { pairs, outcome };
  }
}
