import { basename } from 'node:path';
import { InputError } from '../../core/errors.ts';
import type { JudgmentRecord } from '../../core/types.ts';
import { buildMetaReport, type MeanOverModels, type ModelEntry } from '../../meta/index.ts';
import { buildScoreReport, taskGroupLookup, type GatePolicy, type ScoreReport } from '../../scoring/index.ts';
import { openRunStore, type RequestStatus, type RunStore, type StoredRecord } from '../../store/index.ts';

export type ReportLang = 'ru' | 'en';
export const REPORT_LANGS: readonly ReportLang[] = ['ru', 'en'];

/** Status codes of the judgment columns, in this order. */
export const STATUS_CODES: readonly RequestStatus[] = ['pending', 'scored', 'unscored', 'error'];

export interface ReportRun {
  /** The file's name (not its path: a shared report should not reveal the author's directories). */
  name: string;
  requests: number;
  requestsWithTexts: number;
  judgeModels: string[];
  template: string | null;
  dataset: string | null;
}

export interface ReportCriterion {
  key: string;
  name: string;
  min: number;
  max: number;
  gate: boolean;
}

/** Per judge model: agreement with the experts, as `pollux meta` reports it. */
export interface ReportAgreement {
  judge: string;
  pairs: number;
  withHuman: number;
  models: Array<Pick<ModelEntry, 'model' | 'n' | 'withHuman' | 'coverage' | 'spearman' | 'spearmanCI' | 'mae' | 'maeCI'>>;
  meanOverModels: MeanOverModels;
  resamples: number;
  ci: number;
}

/**
 * Every judgment as columns of small integers (indices into the dictionaries): what the filters,
 * distributions, confusion matrices and tables of a static report are computed from in the browser.
 */
export interface JudgmentColumns {
  run: number[];
  model: number[];
  task: number[];
  criterion: number[];
  status: number[];
  score: Array<number | null>;
  human: Array<number | null>;
  /** Index into `reasons`, or -1. */
  reason: number[];
  repeat: number[];
}

/** One judgment with its texts, for the detail panel; text fields are indices into `texts`. */
export interface JudgmentDetail {
  sampleId: string;
  judgeModel: string;
  instruction: number | null;
  referenceAnswer: number | null;
  answer: number | null;
  rubric: number | null;
  rationale: number | null;
  raw: number | null;
  reasoning: number | null;
  finishReason: string | null;
  latencyMs: number | null;
  attempts: number;
}

export interface ReportDictionaries {
  models: Array<string | null>;
  tasks: Array<string | null>;
  criteria: ReportCriterion[];
  reasons: string[];
}

export interface ReportData {
  format: 1;
  lang: ReportLang;
  generatedAt: string;
  gate: GatePolicy;
  runs: ReportRun[];
  dict: ReportDictionaries;
  score: ScoreReport;
  agreement: ReportAgreement[];
  /** Requests with an expert score. */
  withHuman: number;
  judgments: JudgmentColumns;
  /** Row index → detail, for the rows whose texts the report carries. */
  details: Record<string, JudgmentDetail>;
  /** Every text of the details, each once. */
  texts: string[];
  /** How many rows of each kind carry their texts (`--details`). */
  detailLimit: number;
}

export interface ReportOptions {
  lang?: ReportLang;
  gate?: GatePolicy;
  /** Bootstrap resamples for the leaderboard and agreement intervals (0: none); 95% intervals. */
  resamples?: number;
  seed?: number;
  /** The N largest judge–expert disagreements and the first N unscored/failed judgments carry texts. */
  details?: number;
  /** Read the judgment columns and details (default true); false: the summary only. */
  judgments?: boolean;
  now?: Date;
}

export const DEFAULT_DETAILS = 500;

class Dictionary<T> {
  readonly values: T[] = [];
  private readonly index = new Map<T, number>();
  id(value: T): number {
    let i = this.index.get(value);
    if (i === undefined) {
      i = this.values.length;
      this.values.push(value);
      this.index.set(value, i);
    }
    return i;
  }
}

function* recordsOf(stores: readonly RunStore[], texts = false): Generator<StoredRecord> {
  for (const s of stores) yield* s.records({ texts });
}

function* filtered(records: Iterable<JudgmentRecord>, keep: (r: JudgmentRecord) => boolean): Generator<JudgmentRecord> {
  for (const r of records) if (keep(r)) yield r;
}

/** Builds everything a report shows from run files, reading each file a few times in constant memory per pass. */
export function buildReportData(files: readonly string[], options: ReportOptions = {}): ReportData {
  if (files.length === 0) throw new InputError('name at least one run file');
  const twice = files.filter((f, i) => files.indexOf(f) !== i);
  if (twice.length > 0) throw new InputError(`a run file is named twice: ${twice.join(', ')}`);
  const stores: RunStore[] = [];
  try {
    for (const file of files) stores.push(openRunStore(file, { readonly: true }));
    return buildFromStores(stores, options);
  } finally {
    for (const s of stores) s.close();
  }
}

function buildFromStores(stores: readonly RunStore[], options: ReportOptions): ReportData {
  const gate = options.gate ?? 'critical';
  const detailLimit = options.details ?? DEFAULT_DETAILS;
  const models = new Dictionary<string | null>();
  const tasks = new Dictionary<string | null>();
  const reasons = new Dictionary<string>();
  const criteria = new Dictionary<string>();
  const criterionInfo: ReportCriterion[] = [];
  const columns: JudgmentColumns = { run: [], model: [], task: [], criterion: [], status: [], score: [], human: [], reason: [], repeat: [] };
  const runs: ReportRun[] = [];
  const judges = new Set<string>();
  let withHuman = 0;
  const wantColumns = options.judgments ?? true;
  stores.forEach((store, runIndex) => {
    const judgeModels = new Set<string>();
    for (const r of store.records()) {
      judgeModels.add(r.judgeModel);
      if (r.humanScore !== null) withHuman++;
      if (!wantColumns) continue;
      columns.run.push(runIndex);
      columns.model.push(models.id(r.modelId));
      columns.task.push(tasks.id(r.taskType));
      const c = criteria.id(r.criterionKey);
      if (c === criterionInfo.length) criterionInfo.push({ key: r.criterionKey, name: r.criterionName, min: r.scaleMin, max: r.scaleMax, gate: r.gate });
      columns.criterion.push(c);
      columns.status.push(STATUS_CODES.indexOf(r.status));
      columns.score.push(r.score);
      columns.human.push(r.humanScore);
      columns.reason.push(r.reason === null ? -1 : reasons.id(r.reason));
      columns.repeat.push(r.repeat);
    }
    for (const j of judgeModels) judges.add(j);
    const coverage = store.textCoverage();
    const manifest = store.getManifest();
    runs.push({
      name: basename(store.file),
      requests: coverage.requests,
      requestsWithTexts: coverage.withTexts,
      judgeModels: [...judgeModels],
      template: manifest?.template ?? null,
      dataset: manifest ? basename(manifest.dataset.path) : null,
    });
  });

  const resamples = options.resamples ?? 1000;
  const seed = options.seed ?? 1;
  const score = buildScoreReport(recordsOf(stores), { gate, groupOf: taskGroupLookup(), bootstrap: { resamples, seed, ci: 0.95 } });
  const agreement: ReportAgreement[] = [];
  if (withHuman > 0) {
    for (const judge of judges) {
      const meta = buildMetaReport(
        filtered(recordsOf(stores), (r) => r.judgeModel === judge),
        { resamples, seed, breakdowns: [] },
      );
      agreement.push({
        judge,
        pairs: meta.records.used,
        withHuman: meta.records.withHuman,
        models: meta.models.map((m) => ({ model: m.model, n: m.n, withHuman: m.withHuman, coverage: m.coverage, spearman: m.spearman, spearmanCI: m.spearmanCI, mae: m.mae, maeCI: m.maeCI })),
        meanOverModels: meta.meanOverModels,
        resamples: meta.settings.resamples,
        ci: meta.settings.ci,
      });
    }
  }

  const chosen = detailRows(columns, detailLimit);
  const texts = new Dictionary<string>();
  const text = (t: string | null | undefined): number | null => (t === null || t === undefined ? null : texts.id(t));
  const details: Record<string, JudgmentDetail> = {};
  if (chosen.size > 0) {
    let row = 0;
    for (const r of recordsOf(stores, true)) {
      if (chosen.has(row)) {
        details[row] = {
          sampleId: r.sampleId,
          judgeModel: r.judgeModel,
          instruction: text(r.texts?.instruction),
          referenceAnswer: text(r.texts?.referenceAnswer),
          answer: text(r.texts?.answer),
          rubric: text(r.texts?.rubric),
          rationale: text(r.rationale),
          raw: text(r.raw),
          reasoning: text(r.reasoning),
          finishReason: r.finishReason,
          latencyMs: r.latencyMs,
          attempts: r.attempts,
        };
      }
      row++;
    }
  }

  return {
    format: 1,
    lang: options.lang ?? 'ru',
    generatedAt: (options.now ?? new Date()).toISOString(),
    gate,
    runs,
    dict: { models: models.values, tasks: tasks.values, criteria: criterionInfo, reasons: reasons.values },
    score,
    agreement,
    withHuman,
    judgments: columns,
    details,
    texts: texts.values,
    detailLimit,
  };
}

/** The rows whose texts travel in the report: the largest |judge − expert| first, and the first failures. */
function detailRows(c: JudgmentColumns, limit: number): Set<number> {
  const chosen = new Set<number>();
  if (limit <= 0) return chosen;
  const disagreements: number[] = [];
  let problems = 0;
  for (let i = 0; i < c.status.length; i++) {
    const status = STATUS_CODES[c.status[i] as number];
    if (status === 'scored' && c.human[i] !== null) disagreements.push(i);
    else if ((status === 'unscored' || status === 'error') && problems < limit) {
      chosen.add(i);
      problems++;
    }
  }
  const gap = (i: number) => Math.abs((c.score[i] as number) - (c.human[i] as number));
  disagreements.sort((a, b) => gap(b) - gap(a) || a - b);
  for (const i of disagreements.slice(0, limit)) chosen.add(i);
  return chosen;
}
