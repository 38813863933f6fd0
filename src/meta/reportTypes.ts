import type { Interval } from './intervals.ts';
import type { ConfusionMatrix } from './confusion.ts';
import type { PointMetrics } from './metrics.ts';

/** Records in a set that have an expert score but were left out because the judge gave no score. */
export interface Excluded {
  unscored: number;
  error: number;
  pending: number;
}

/**
 * Agreement of one set of pairs (a model, a domain, a criterion group …): every point statistic,
 * bootstrap intervals for Spearman and MAE, and the coverage the numbers rest on.
 */
export interface AgreementEntry extends PointMetrics {
  key: string;
  /** Records in the set that have an expert score: the coverage denominator. */
  withHuman: number;
  /** n / withHuman: the share of expert-scored records the judge scored. */
  coverage: number | null;
  excluded: Excluded;
  /** Distinct instructions among the pairs used (the bootstrap's clusters). */
  instructions: number;
  spearmanCI: Interval | null;
  maeCI: Interval | null;
}

export interface ModelEntry extends AgreementEntry {
  model: string;
}

/** The paper's headline figure: Spearman and MAE per evaluated model, averaged over the models. */
export interface MeanOverModels {
  /** Models in the set. */
  models: number;
  /** Models whose Spearman is defined (the mean is over these). */
  spearmanModels: number;
  /** Models left out of the Spearman mean, with the reason. */
  undefinedModels: Array<{ model: string; reason: string }>;
  n: number;
  withHuman: number;
  coverage: number | null;
  spearman: number | null;
  spearmanCI: Interval | null;
  mae: number | null;
  maeCI: Interval | null;
}

/** A set of pairs seen per evaluated model, averaged over the models, and pooled. */
export interface ModelBreakdown {
  key: string;
  models: ModelEntry[];
  meanOverModels: MeanOverModels;
  pooled: AgreementEntry;
}

export type BreakdownDimension = 'group' | 'task' | 'difficulty';
export const BREAKDOWN_DIMENSIONS: readonly BreakdownDimension[] = ['group', 'task', 'difficulty'];

export interface CriterionConfusion extends ConfusionMatrix {
  criterionKey: string;
  criterionName: string;
  n: number;
}

export interface BootstrapSettings {
  /** Resamples (0: no intervals). */
  resamples: number;
  seed: number;
  /** Interval level, e.g. 0.95. */
  ci: number;
}

export interface RecordCounts {
  /** Records read. */
  total: number;
  withHuman: number;
  withoutHuman: number;
  /** Records with an expert score and a judge score: the pairs. */
  used: number;
  excluded: Excluded;
}

/** Experts against experts: how well one expert agrees with the others, the ceiling for a judge. */
export interface ExpertCeiling extends ModelBreakdown {
  method: 'leave-one-out';
  /** (sample, criterion) items with two or more experts, found in the run. */
  items: number;
  experts: number;
  inDomain: ModelBreakdown;
  outOfDomain: ModelBreakdown;
}

export interface MetaReport extends ModelBreakdown {
  /** The judge models that produced the records. */
  judges: string[];
  records: RecordCounts;
  settings: BootstrapSettings & {
    cluster: 'instruction';
    clusters: number;
    outOfDomainTasks: string[];
    humanSource: string;
  };
  inDomain: ModelBreakdown;
  outOfDomain: ModelBreakdown;
  /** Pairs whose record names no task type, so neither in- nor out-of-domain. */
  unknownDomainPairs: number;
  breakdowns: Partial<Record<'criterionGroup' | 'taskType' | 'difficulty', ModelBreakdown[]>>;
  confusion?: CriterionConfusion[];
  experts?: ExpertCeiling;
}
