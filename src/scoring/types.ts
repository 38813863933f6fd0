/**
 * The shape of a POLLUX score report. Every mean travels with its coverage, and a mean that has
 * nothing to average is `null` (never NaN, never 0).
 */

/**
 * Which criteria act as gates:
 * - `critical`: the criteria whose record says `gate` (the Critical group: `narushenie_formata`,
 *   `censor`, 0/1 with 1 = bad). The default, and the right rule.
 * - `all-binary`: every 0/1 criterion, as the upstream metrics script does. Wrong for the 0/1
 *   criteria where 1 = good ("the code runs" would zero the answer's other scores); kept so that
 *   upstream numbers can be reproduced.
 * - `none`: no gates; every score counts as judged.
 */
export type GatePolicy = 'critical' | 'all-binary' | 'none';

export const GATE_POLICIES: readonly GatePolicy[] = ['critical', 'all-binary', 'none'];

/** A percentile bootstrap interval (see meta): `defined` = resamples in which the statistic existed. */
export interface ScoreInterval {
  lo: number;
  hi: number;
  defined: number;
}

/** Instructions resampled as clusters; `resamples: 0` turns intervals off. */
export interface ScoreBootstrapOptions {
  resamples: number;
  seed: number;
  /** Interval level, e.g. 0.95. */
  ci: number;
}

/**
 * What makes one criterion row of the report (matrix rows, the per-criterion table, the macro means):
 * - `name`: the criterion name the judge saw, as upstream's `groupby("criteria_name")` does, so
 *   `facts`, `facts__2`, … (one name across domains) are one criterion. The default.
 * - `key`: the catalog key, so each of them is its own criterion.
 */
export type CriterionGrouping = 'name' | 'key';

export const CRITERION_GROUPINGS: readonly CriterionGrouping[] = ['name', 'key'];

/**
 * How a score becomes a number in [0, 1]:
 * - `min-max`: `(s - min) / (max - min)` on the criterion's own rubric; the bottom of every scale is 0.
 * - `max`: `s / max`, as upstream's scorer does; the same on 0–k scales, but a 1–3 scale then starts
 *   at 1/3 instead of 0.
 */
export type Normalisation = 'min-max' | 'max';

export const NORMALISATIONS: readonly Normalisation[] = ['min-max', 'max'];

/**
 * Which verdict of a stored reply counts:
 * - `as-judged`: the status and score the run recorded (the last complete block, leading reasoning
 *   stripped, a reply cut before its verdict unscored).
 * - `upstream`: every stored reply read again the way upstream's scorer reads it: the FIRST complete
 *   numeric `[RESULT] x [END]` block of the whole text, whatever the finish reason; out of scale
 *   is unscored. Judgments without a reply (errors, pending) stay as they are.
 */
export type VerdictRule = 'as-judged' | 'upstream';

export const VERDICT_RULES: readonly VerdictRule[] = ['as-judged', 'upstream'];

export interface ScoreOptions {
  gate: GatePolicy;
  /** Default `name`. */
  groupBy?: CriterionGrouping;
  /** Default `min-max`. */
  normalise?: Normalisation;
  /** Default `as-judged`. */
  verdicts?: VerdictRule;
  /**
   * A fired gate counts 0 itself, with the rest of its answer, as upstream's scorer sets every score
   * of such an answer to 0. Default false: a gate keeps its score, so its mean is its firing rate.
   * Only binary rows of the matrix and the per-criterion table change; summaries never hold gates.
   */
  zeroFiredGates?: boolean;
  /** Leaderboard intervals and pairwise differences; none without it. */
  bootstrap?: ScoreBootstrapOptions;
  /**
   * The task group of a task type (the 8 POLLUX groups). Without it, or when it returns null, the
   * task type itself stands for its group.
   */
  groupOf?: (taskType: string | null) => string | null;
}

/**
 * Counts in (answer, criterion) pairs: the K repeats of one judgment are averaged into one pair
 * first. A pair is scored when at least one repeat is; otherwise it counts as pending (a repeat is
 * still to be judged), else error, else unscored.
 */
export interface ScoreCoverage {
  scored: number;
  total: number;
  unscored: number;
  error: number;
  pending: number;
  /** Of the scored pairs: those that count as 0 because a gate of their answer fired. */
  gated: number;
  /** Of the scored pairs: those kept as judged although a gate of their answer has no score. */
  gateUnknown: number;
}

/** A mean over the summarised criteria (neither binary nor a gate). */
export interface ScoreSummary {
  /** Mean over all scored pairs. */
  micro: number | null;
  /** Mean over criteria of each criterion's mean (criteria without a scored pair are left out). */
  macro: number | null;
  /** Criteria with at least one scored pair, and criteria present at all. */
  criteria: { scored: number; total: number };
  coverage: ScoreCoverage;
}

/** Every judgment (record) of a model, binary criteria and gates included, by status. */
export interface JudgmentStatusCounts {
  total: number;
  scored: number;
  unscored: number;
  error: number;
  pending: number;
}

export interface LeaderboardRow extends ScoreSummary {
  model: string | null;
  /** Evaluated answers (samples) of the model. */
  answers: number;
  /** Answers where a gate fired (in at least one repeat). */
  gatedAnswers: number;
  /** Answers where no gate fired but a gate judgment is unscored, failed or pending. */
  gateUnknownAnswers: number;
  judgments: JudgmentStatusCounts;
  /** The most repeats seen for one (answer, criterion); above 1 means repeats were averaged. */
  repeats: number;
  /** Bootstrap intervals of micro and macro (null without a bootstrap, or when too few resamples define them). */
  microCi: ScoreInterval | null;
  macroCi: ScoreInterval | null;
  /**
   * The places the model could hold: best = 1 + models whose micro is above it with a paired
   * interval above 0, worst = models − those below it likewise. Null without a bootstrap.
   */
  rank: { best: number; worst: number } | null;
}

export interface PairedScoreDifference {
  /** Point difference a − b. */
  difference: number | null;
  /** Paired bootstrap interval of the difference (both models on the same resampled instructions). */
  ci: ScoreInterval | null;
}

/** Two models compared; `a` is the one ranked higher. */
export interface ModelDifference {
  a: string | null;
  b: string | null;
  micro: PairedScoreDifference;
  macro: PairedScoreDifference;
}

export interface ModelScoreSummary extends ScoreSummary {
  model: string | null;
}

export type ScoreDimension = 'taskGroup' | 'criterionGroup' | 'difficulty' | 'taskType';

export interface ScoreBreakdownRow {
  /** The task group, criterion group, difficulty or task type; null when the records have none. */
  key: string | null;
  /** One cell per model, in leaderboard order. */
  cells: ModelScoreSummary[];
}

export interface ScoreBreakdown {
  dimension: ScoreDimension;
  rows: ScoreBreakdownRow[];
}

/** One criterion row of the report; with `groupBy: 'name'` it may hold several keys. */
export interface ScoredCriterion {
  /** The (first) key of the row. */
  key: string;
  name: string;
  group: string | null;
  /** Every pair of the row is on a {0, 1} scale. */
  binary: boolean;
  /** Acts as a gate under the chosen policy. */
  gate: boolean;
  /** Marked a gate by its records (the Critical group, 1 = bad), whatever the policy. */
  critical: boolean;
  /** Enters the summaries (micro, macro): neither binary nor critical nor a gate under the policy. */
  summarised: boolean;
  /** What `criterion` in the tables refers to: the name with `groupedBy: 'name'`, else the key. */
  id: string;
  groupedBy: CriterionGrouping;
  /** The keys grouped in this row, in order of first appearance. */
  keys: string[];
}

export interface ScoreCell {
  mean: number | null;
  coverage: ScoreCoverage;
}

export interface CriterionModelScore extends ScoreCell {
  model: string | null;
}

/** One criterion's mean per model over all its pairs. */
export interface CriterionScoreRow {
  /** The row's `id` in `criteria`. */
  criterion: string;
  cells: CriterionModelScore[];
}

export interface ScoreMatrixCell extends ScoreCell {
  taskGroup: string | null;
}

export interface ScoreMatrixRow {
  /** The row's `id` in `criteria`. */
  criterion: string;
  /** One cell per task group, in `taskGroups` order. */
  cells: ScoreMatrixCell[];
  /**
   * The criterion over all task groups: the mean is upstream's margin, the mean of the group means
   * (groups without a mean left out); the coverage counts every pair.
   */
  overall: ScoreCell;
  /** The mean over all the row's pairs, whatever their group. */
  pooledMean: number | null;
}

/** The upstream criteria × task-group matrix, for one evaluated model. */
export interface ModelScoreMatrix {
  model: string | null;
  /** Criteria the model has pairs for, in report order (binary criteria and gates included). */
  rows: ScoreMatrixRow[];
  /** Per task group, over the summarised criteria: macro is the upstream "mean over criteria". */
  byTaskGroup: Array<ScoreSummary & { taskGroup: string | null }>;
  /** Over all task groups: micro is the upstream grand mean. */
  overall: ScoreSummary;
}

export interface ScoreReport {
  gate: GatePolicy;
  groupBy: CriterionGrouping;
  normalise: Normalisation;
  verdicts: VerdictRule;
  zeroFiredGates: boolean;
  /** Leaderboard order: micro mean descending, models without a mean last. */
  models: Array<string | null>;
  criteria: ScoredCriterion[];
  taskGroups: Array<string | null>;
  leaderboard: LeaderboardRow[];
  byCriterion: CriterionScoreRow[];
  matrix: ModelScoreMatrix[];
  byTaskGroup: ScoreBreakdown;
  byCriterionGroup: ScoreBreakdown;
  byDifficulty: ScoreBreakdown;
  byTaskType: ScoreBreakdown;
  /** The bootstrap behind the intervals (null: none was asked for). `clusters`: instructions. */
  bootstrap: (ScoreBootstrapOptions & { clusters: number }) | null;
  /** Every pair of models in leaderboard order (empty without a bootstrap). */
  differences: ModelDifference[];
  /** Oddities in the input that did not stop the report (e.g. one criterion key with two scales). */
  warnings: string[];
}
