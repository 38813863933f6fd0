import type { JudgmentRecord } from '../core/types.ts';
import { differenceSeries, percentileInterval } from '../meta/intervals.ts';
import { bootstrapSummaries, ClusterCells, type SummarySeries } from './uncertainty.ts';
import { AnswerCollector, Status, type AnswerInfo, type CriterionEntry, type Pair } from './collect.ts';
import type {
  ScoreBreakdown,
  ScoreDimension,
  ScoreCell,
  ScoreCoverage,
  ScoredCriterion,
  LeaderboardRow,
  ModelDifference,
  ModelScoreMatrix,
  ScoreOptions,
  ScoreReport,
  ScoreSummary,
} from './types.ts';

/** Sums and counts of the pairs of one (model, dimension value, criterion). */
interface Acc extends ScoreCoverage {
  sum: number;
}

type Dim = 'all' | 'taskGroup' | 'difficulty' | 'taskType';
const DIMS: readonly Dim[] = ['all', 'taskGroup', 'difficulty', 'taskType'];

interface ModelAcc {
  /** dimension → dimension value → accumulators indexed by criterion. */
  dims: Record<Dim, Map<string | null, Array<Acc | undefined>>>;
  answers: number;
  gatedAnswers: number;
  gateUnknownAnswers: number;
  repeats: number;
}

function emptyAcc(): Acc {
  return { sum: 0, scored: 0, total: 0, unscored: 0, error: 0, pending: 0, gated: 0, gateUnknown: 0 };
}

function emptyCoverage(): ScoreCoverage {
  return { scored: 0, total: 0, unscored: 0, error: 0, pending: 0, gated: 0, gateUnknown: 0 };
}

function addPair(acc: Acc, p: Pair): void {
  acc.total++;
  if (p.status === Status.scored) {
    acc.scored++;
    acc.sum += p.value!;
    if (p.gated) acc.gated++;
    if (p.gateUnknown) acc.gateUnknown++;
  } else if (p.status === Status.unscored) acc.unscored++;
  else if (p.status === Status.error) acc.error++;
  else acc.pending++;
}

function addCoverage(cov: ScoreCoverage, acc: Acc): void {
  cov.scored += acc.scored;
  cov.total += acc.total;
  cov.unscored += acc.unscored;
  cov.error += acc.error;
  cov.pending += acc.pending;
  cov.gated += acc.gated;
  cov.gateUnknown += acc.gateUnknown;
}

function coverageOf(acc: Acc | undefined): ScoreCoverage {
  const cov = emptyCoverage();
  if (acc) addCoverage(cov, acc);
  return cov;
}

function cellOf(acc: Acc | undefined): ScoreCell {
  return { mean: acc && acc.scored > 0 ? acc.sum / acc.scored : null, coverage: coverageOf(acc) };
}

/** Micro and macro means over the summarised criteria among `accs` (indexed by criterion). */
function summarise(accs: ReadonlyArray<Acc | undefined> | undefined, criteria: readonly CriterionEntry[], include: (c: CriterionEntry) => boolean): ScoreSummary {
  const coverage = emptyCoverage();
  let sum = 0;
  let macroSum = 0;
  let scoredCriteria = 0;
  let totalCriteria = 0;
  if (accs) {
    for (const c of criteria) {
      const acc = accs[c.index];
      if (!acc || !c.summarised || !include(c)) continue;
      addCoverage(coverage, acc);
      totalCriteria++;
      sum += acc.sum;
      if (acc.scored > 0) {
        scoredCriteria++;
        macroSum += acc.sum / acc.scored;
      }
    }
  }
  return {
    micro: coverage.scored > 0 ? sum / coverage.scored : null,
    macro: scoredCriteria > 0 ? macroSum / scoredCriteria : null,
    criteria: { scored: scoredCriteria, total: totalCriteria },
    coverage,
  };
}

const DIFFICULTY_ORDER = ['easy', 'medium', 'hard', 'high school', 'university'];

function compareKeys(dimension: ScoreDimension | 'model') {
  return (a: string | null, b: string | null): number => {
    if (a === b) return 0;
    if (a === null) return 1;
    if (b === null) return -1;
    if (dimension === 'difficulty') {
      const ia = DIFFICULTY_ORDER.indexOf(a.toLowerCase());
      const ib = DIFFICULTY_ORDER.indexOf(b.toLowerCase());
      if (ia !== ib) return (ia < 0 ? 99 : ia) - (ib < 0 ? 99 : ib);
    }
    return a.localeCompare(b, 'ru');
  };
}

/**
 * POLLUX aggregation of judgment records (NOTES §5):
 * 1. each score is min–max normalised on its own rubric;
 * 2. per evaluated answer (model, sample) and repeat, a fired gate makes every other scored
 *    criterion of that answer count as 0; gates keep their own score; a gate without a score makes
 *    the answer "gate unknown": its other scores are kept as judged and counted in coverage;
 * 3. the K repeats of one (answer, criterion) are averaged into one value, so every answer weighs
 *    the same whatever its number of repeats;
 * 4. summaries (micro, macro) leave out binary criteria and gates; the matrix and the
 *    per-criterion table show them too (for a gate, its mean is the rate at which it fires).
 * Unscored, failed and pending judgments are excluded from every mean and counted in coverage.
 */
export function buildScoreReport(records: Iterable<JudgmentRecord>, options: ScoreOptions): ScoreReport {
  const collector = new AnswerCollector(options.gate);
  for (const r of records) collector.add(r);

  const groupCache = new Map<string | null, string | null>();
  const groupOf = (taskType: string | null): string | null => {
    if (groupCache.has(taskType)) return groupCache.get(taskType)!;
    const g = options.groupOf?.(taskType) ?? taskType;
    groupCache.set(taskType, g);
    return g;
  };

  const modelAccs: ModelAcc[] = collector.models.map(() => ({
    dims: { all: new Map(), taskGroup: new Map(), difficulty: new Map(), taskType: new Map() },
    answers: 0,
    gatedAnswers: 0,
    gateUnknownAnswers: 0,
    repeats: 0,
  }));
  const cells = options.bootstrap && options.bootstrap.resamples > 0 ? new ClusterCells() : null;

  collector.finish((answer: AnswerInfo, pairs, outcome) => {
    const m = modelAccs[answer.modelIndex]!;
    m.answers++;
    if (outcome.gated) m.gatedAnswers++;
    if (outcome.gateUnknown) m.gateUnknownAnswers++;
    const keys: Record<Dim, string | null> = {
      all: '',
      taskGroup: groupOf(answer.taskType),
      difficulty: answer.difficulty,
      taskType: answer.taskType,
    };
    cells?.cluster(answer.instructionId);
    const slots = DIMS.map((d) => {
      let accs = m.dims[d].get(keys[d]);
      if (!accs) m.dims[d].set(keys[d], (accs = []));
      return accs;
    });
    for (const p of pairs) {
      if (p.repeats > m.repeats) m.repeats = p.repeats;
      for (const accs of slots) addPair((accs[p.criterion] ??= emptyAcc()), p);
      if (cells && p.status === Status.scored) cells.add(answer.modelIndex, answer.instructionId, p.criterion, p.value!);
    }
  });

  const criteria = collector.criteria;
  const everything = () => true;
  const leaderboard: LeaderboardRow[] = collector.models.map((model, i) => {
    const m = modelAccs[i]!;
    return {
      model,
      ...summarise(m.dims.all.get(''), criteria, everything),
      answers: m.answers,
      gatedAnswers: m.gatedAnswers,
      gateUnknownAnswers: m.gateUnknownAnswers,
      judgments: collector.judgments[i]!,
      repeats: m.repeats,
      microCi: null,
      macroCi: null,
      rank: null,
    };
  });
  const order = leaderboard.map((_, i) => i);
  order.sort((x, y) => {
    const a = leaderboard[x]!.micro;
    const b = leaderboard[y]!.micro;
    if (a !== b) {
      if (a === null) return 1;
      if (b === null) return -1;
      return b - a;
    }
    return compareKeys('model')(leaderboard[x]!.model, leaderboard[y]!.model);
  });
  const models = order.map((i) => collector.models[i]!);
  const byModel = order.map((i) => modelAccs[i]!);
  const differences: ModelDifference[] = [];
  if (cells && options.bootstrap) {
    const frozen = order.map((i) => cells.frozen(i));
    const accs = frozen.map((f) => {
      const own: Array<Acc | undefined> = [];
      for (const k of f.criterion) own[k] ??= emptyAcc();
      return own;
    });
    const series = bootstrapSummaries(frozen, accs, cells.clusters, options.bootstrap, (a) => summarise(a, criteria, everything));
    differences.push(...rankWithIntervals(order.map((i) => leaderboard[i]!), series, options.bootstrap.ci));
  }

  const taskGroups = distinctKeys(byModel, 'taskGroup');
  const criterionInfos: ScoredCriterion[] = criteria.map((c) => ({
    key: c.key,
    name: c.name,
    group: c.group,
    binary: c.binary,
    gate: c.gate,
    critical: c.recordGate,
    summarised: c.summarised,
  }));

  const breakdown = (dimension: 'taskGroup' | 'difficulty' | 'taskType'): ScoreBreakdown => ({
    dimension,
    rows: distinctKeys(byModel, dimension).map((key) => ({
      key,
      cells: byModel.map((m, i) => ({ model: models[i]!, ...summarise(m.dims[dimension].get(key), criteria, everything) })),
    })),
  });

  const criterionGroups = [...new Set(criteria.filter((c) => c.summarised).map((c) => c.group))].sort(compareKeys('criterionGroup'));
  const byCriterionGroup: ScoreBreakdown = {
    dimension: 'criterionGroup',
    rows: criterionGroups.map((group) => ({
      key: group,
      cells: byModel.map((m, i) => ({ model: models[i]!, ...summarise(m.dims.all.get(''), criteria, (c) => c.group === group) })),
    })),
  };

  const matrix: ModelScoreMatrix[] = byModel.map((m, i) => {
    const all = m.dims.all.get('');
    return {
      model: models[i]!,
      rows: criteria
        .filter((c) => all?.[c.index])
        .map((c) => ({
          criterion: c.key,
          cells: taskGroups.map((g) => ({ taskGroup: g, ...cellOf(m.dims.taskGroup.get(g)?.[c.index]) })),
          overall: cellOf(all?.[c.index]),
        })),
      byTaskGroup: taskGroups.map((g) => ({ taskGroup: g, ...summarise(m.dims.taskGroup.get(g), criteria, everything) })),
      overall: summarise(all, criteria, everything),
    };
  });

  return {
    gate: options.gate,
    models,
    criteria: criterionInfos,
    taskGroups,
    leaderboard: order.map((i) => leaderboard[i]!),
    byCriterion: criteria.map((c) => ({
      criterion: c.key,
      cells: byModel.map((m, i) => ({ model: models[i]!, ...cellOf(m.dims.all.get('')?.[c.index]) })),
    })),
    matrix,
    byTaskGroup: breakdown('taskGroup'),
    byCriterionGroup,
    byDifficulty: breakdown('difficulty'),
    byTaskType: breakdown('taskType'),
    bootstrap: cells && options.bootstrap ? { ...options.bootstrap, clusters: cells.clusters } : null,
    differences,
    warnings: collector.warnings,
  };
}

function distinctKeys(models: readonly ModelAcc[], dim: 'taskGroup' | 'difficulty' | 'taskType'): Array<string | null> {
  const keys = new Set<string | null>();
  for (const m of models) for (const k of m.dims[dim].keys()) keys.add(k);
  return [...keys].sort(compareKeys(dim));
}

/**
 * Fills the rows' intervals and rank ranges (rows in leaderboard order, series alike) and returns
 * every pairwise difference. A model is placed below another only when their paired micro
 * difference has an interval wholly above 0, so a model measured on few instructions shares its
 * places with the models it cannot be told apart from.
 */
function rankWithIntervals(rows: LeaderboardRow[], series: SummarySeries[], level: number): ModelDifference[] {
  const n = rows.length;
  const better = new Array<number>(n).fill(0);
  const worse = new Array<number>(n).fill(0);
  const differences: ModelDifference[] = [];
  rows.forEach((r, i) => {
    r.microCi = percentileInterval(series[i]!.micro, level);
    r.macroCi = percentileInterval(series[i]!.macro, level);
  });
  const diff = (a: number | null, b: number | null) => (a === null || b === null ? null : a - b);
  for (let i = 0; i < n; i++) {
    for (let j = i + 1; j < n; j++) {
      const a = rows[i]!;
      const b = rows[j]!;
      const micro = { difference: diff(a.micro, b.micro), ci: percentileInterval(differenceSeries(series[i]!.micro, series[j]!.micro), level) };
      const macro = { difference: diff(a.macro, b.macro), ci: percentileInterval(differenceSeries(series[i]!.macro, series[j]!.macro), level) };
      differences.push({ a: a.model, b: b.model, micro, macro });
      if (micro.ci && micro.ci.lo > 0) {
        better[j]!++;
        worse[i]!++;
      } else if (micro.ci && micro.ci.hi < 0) {
        better[i]!++;
        worse[j]!++;
      }
    }
  }
  rows.forEach((r, i) => (r.rank = { best: 1 + better[i]!, worst: n - worse[i]! }));
  return differences;
}
