/**
 * Several judges side by side (a judge leaderboard). Judges are compared on the items every one of
 * them scored, matched on (sample, criterion, repeat), against the same expert score; one cluster
 * bootstrap drives all of them, so the interval of the difference between two judges is paired
 * (both judges are re-evaluated on exactly the same resampled instructions).
 */
import type { JudgmentRecord } from '../core/types.ts';
import { AgreementBuilder } from './agreementBuilder.ts';
import { differenceSeries, percentileInterval, type Interval } from './intervals.ts';
import { humanItemFor, type HumanScores } from './humanScores.ts';
import { PairTableBuilder, type PairSource } from './pairTable.ts';
import type { BootstrapSettings, ModelBreakdown } from './reportTypes.ts';
import { bootstrapSettings, outOfDomainSet, type BootstrapOptionsInput } from './settings.ts';

export interface JudgeRun {
  label: string;
  records: Iterable<JudgmentRecord>;
}

export interface CompareOptions extends BootstrapOptionsInput {
  outOfDomain?: readonly string[];
  human?: HumanScores;
}

export interface JudgeStanding {
  label: string;
  judgeModel: string;
  /** The judge's own coverage, over all its records with an expert score. */
  withHuman: number;
  scored: number;
  coverage: number | null;
  /** Agreement on the common items. */
  common: ModelBreakdown;
}

export interface PairedDifference {
  /** Point difference a − b of the mean over models, and its paired bootstrap interval. */
  difference: number | null;
  ci: Interval | null;
}

export interface JudgeDifference {
  a: string;
  b: string;
  /** Positive: a agrees better (higher Spearman). */
  spearman: PairedDifference;
  /** Negative: a errs less (lower MAE). */
  mae: PairedDifference;
}

export interface JudgeComparison {
  settings: BootstrapSettings & { clusters: number; humanSource: string };
  /** Items scored by every judge and carrying an expert score. */
  commonItems: number;
  /** Common items where the runs disagree on the expert score (the first run's is used). */
  humanMismatches: number;
  /** Best first, by mean-over-models Spearman. */
  judges: JudgeStanding[];
  differences: JudgeDifference[];
}

interface JudgeItems {
  label: string;
  judgeModel: string;
  withHuman: number;
  scored: Map<string, { source: PairSource; human: number; score: number }>;
}

function itemKey(r: JudgmentRecord): string {
  return `${r.sampleId}\u0000${r.criterionKey}\u0000${r.repeat}`;
}

/**
 * A run holding records of several judge models counts as several judges, labelled
 * `label [judge model]`.
 */
function collect(runs: readonly JudgeRun[], human: HumanScores | undefined): JudgeItems[] {
  const judges: JudgeItems[] = [];
  for (const run of runs) {
    const byModel = new Map<string, JudgeItems>();
    for (const r of run.records) {
      let j = byModel.get(r.judgeModel);
      if (!j) byModel.set(r.judgeModel, (j = { label: run.label, judgeModel: r.judgeModel, withHuman: 0, scored: new Map() }));
      const h = human ? (humanItemFor(human, r)?.score ?? null) : r.humanScore;
      if (h === null || !Number.isFinite(h)) continue;
      j.withHuman++;
      if (r.status !== 'scored' || r.score === null || !Number.isFinite(r.score)) continue;
      const { instructionId, modelId, criterionGroup, taskType, difficulty, criterionKey, criterionName, status, score } = r;
      j.scored.set(itemKey(r), {
        source: { instructionId, modelId, criterionGroup, taskType, difficulty, criterionKey, criterionName, status, score },
        human: h,
        score: r.score,
      });
    }
    const many = byModel.size > 1;
    for (const j of byModel.values()) judges.push(many ? { ...j, label: `${j.label} [${j.judgeModel}]` } : j);
  }
  return judges;
}

export function compareJudges(runs: readonly JudgeRun[], options: CompareOptions = {}): JudgeComparison {
  const settings = bootstrapSettings(options);
  const judges = collect(runs, options.human);
  const first = judges[0];
  const common: string[] = [];
  if (first) {
    for (const key of first.scored.keys()) if (judges.every((j) => j.scored.has(key))) common.push(key);
  }
  const rows = new PairTableBuilder(outOfDomainSet(options.outOfDomain));
  let mismatches = 0;
  const ranges: Array<[number, number]> = [];
  for (const j of judges) {
    const from = rows.size;
    for (const key of common) {
      const item = j.scored.get(key)!;
      const reference = first!.scored.get(key)!.human;
      if (j !== first && Math.abs(item.human - reference) > 1e-9) mismatches++;
      rows.add(item.source, reference, j.label, item.score);
    }
    ranges.push([from, rows.size]);
  }
  const table = rows.build();
  const builder = new AgreementBuilder(table, settings);
  const standings: JudgeStanding[] = judges.map((j, k) => {
    const [from, to] = ranges[k]!;
    const scored = j.scored.size;
    return {
      label: j.label,
      judgeModel: j.judgeModel,
      withHuman: j.withHuman,
      scored,
      coverage: j.withHuman === 0 ? null : scored / j.withHuman,
      common: builder.breakdown(j.label, Int32Array.from({ length: to - from }, (_, i) => from + i)),
    };
  });
  builder.finish();

  const differences: JudgeDifference[] = [];
  for (let a = 0; a < standings.length; a++) {
    for (let b = a + 1; b < standings.length; b++) {
      const A = standings[a]!.common.meanOverModels;
      const B = standings[b]!.common.meanOverModels;
      const sa = builder.meanSeriesOf(A);
      const sb = builder.meanSeriesOf(B);
      const diff = (x: number | null, y: number | null) => (x === null || y === null ? null : x - y);
      differences.push({
        a: standings[a]!.label,
        b: standings[b]!.label,
        spearman: {
          difference: diff(A.spearman, B.spearman),
          ci: sa && sb ? percentileInterval(differenceSeries(sa.spearman, sb.spearman), settings.ci) : null,
        },
        mae: { difference: diff(A.mae, B.mae), ci: sa && sb ? percentileInterval(differenceSeries(sa.mae, sb.mae), settings.ci) : null },
      });
    }
  }
  const order = [...standings].sort((x, y) => (y.common.meanOverModels.spearman ?? -Infinity) - (x.common.meanOverModels.spearman ?? -Infinity));
  return {
    settings: { ...settings, clusters: table.clusterCount, humanSource: options.human ? options.human.source : 'run' },
    commonItems: common.length,
    humanMismatches: mismatches,
    judges: order,
    differences,
  };
}
