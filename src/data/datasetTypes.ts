import type { CriteriaCatalog, Criterion, Sample } from '../core/types.ts';
import type { CriterionMatcher } from './criteria.ts';
import type { RowProblem } from './problems.ts';
import type { TableFormat } from './tableTypes.ts';

/**
 * - `pollux`: one row per (answer, criterion) with `criteria_name`, `rubrics` and the expert
 *   `criteria_score` (the `ai-forever/POLLUX` layout);
 * - `instructions`: one row per instruction with a `criteria` list (`ai-forever/POLLUX-instructions`),
 *   joined by `prompt_id` with an answers file;
 * - `generic`: `{id?, instruction, answer, reference_answer?, model_id?, task_type?, criteria?}`.
 */
export type DatasetShape = 'pollux' | 'instructions' | 'generic';
export const DATASET_SHAPES: readonly DatasetShape[] = ['pollux', 'instructions', 'generic'];

export interface DatasetOptions {
  /** Overrides the format the extension says. Applies to the dataset file, not to `answers`. */
  format?: TableFormat;
  /** Shape `instructions`: the answers file (`prompt_id`, `model_id`, `answer`, optional `id`). */
  answers?: string;
  answersFormat?: TableFormat;
  /** Column remapping, our name → the file's name, e.g. `{ answer: 'response', model_id: 'model' }`. */
  map?: Record<string, string>;
  /** `--criterion KEY…`: the criteria for every row that does not list its own. */
  criteria?: string[];
  catalog: CriteriaCatalog;
  /** Picks the catalog criterion for a (name, rubric) pair; defaults to `catalog.byName`. */
  matchCriterion?: CriterionMatcher;
  /**
   * Take the catalog's rubric for a criterion whose rubric cell is empty (`--fill-rubrics`). Off by
   * default: such a row is rejected, since the judge would see a rubric the dataset never gave.
   */
  fillRubrics?: boolean;
  /** Stop at the first problem with an InputError (exit 2) instead of rejecting the row. */
  strict?: boolean;
  /** Detected from the first row's columns when absent. */
  shape?: DatasetShape;
  /** Called for every problem, in file order (before the strict-mode throw). */
  onProblem?: (problem: RowProblem) => void;
  /**
   * Reject repeated sample ids (default true). A second read of a dataset already checked (the run
   * engine's judging pass) turns it off: the id set grows with the file, and the first pass has
   * already rejected and reported those rows.
   */
  checkDuplicates?: boolean;
  /** Longest record accepted, in bytes (see ReadTableOptions). */
  maxRecordBytes?: number;
  /** CSV: the dataset's field delimiter (`--delimiter`); detected from the header row when absent. */
  delimiter?: string;
  /** The text encoding of the dataset and answers files (`--encoding`); UTF-8 when absent. */
  encoding?: string;
}

export interface ItemCriterion {
  criterion: Criterion;
  /** The expert score for this (sample, criterion) when the dataset has one. */
  humanScore: number | null;
}

/** One answer and the criteria to judge it on; the run engine turns it into one request per criterion. */
export interface DatasetItem {
  sample: Sample;
  criteria: ItemCriterion[];
}

export interface DatasetFileStats {
  file: string;
  format: TableFormat;
  role: 'rows' | 'instructions' | 'answers';
  rows: number;
  rejected: number;
  /** The columns of the file's first readable row (null when no row could be read). */
  columns: string[] | null;
}

/** Filled in while a dataset is read; final once iteration ends. */
export interface DatasetStats {
  shape: DatasetShape | null;
  files: DatasetFileStats[];
  /** Data rows read from all files, good and bad. */
  rows: number;
  /** Rows rejected (a row with several problems counts once). */
  rejected: number;
  problemCount: number;
  firstProblems: RowProblem[];
  items: number;
  requests: number;
  /** Shape `pollux`: samples whose rows were not consecutive, so they came out as more than one item. */
  regroupedSamples: number;
  /** Shape `instructions`: instructions no answer referred to (count, and the first prompt ids). */
  instructionsWithoutAnswers: number;
  instructionsWithoutAnswersFirst: string[];
  /** The columns of the first readable row, as the file names them (null when no row could be read). */
  columns: string[] | null;
  /** Rows whose task path the catalog knows only in part: a prefix of it, or not even the task type. */
  taskPathsPartial: number;
  /** Distinct such paths, and the first of them (in file order) with their depth matched and rows. */
  taskPathsUnmatched: number;
  taskPathsUnmatchedFirst: UnmatchedTaskPath[];
}

export interface UnmatchedTaskPath {
  path: string[];
  /** Levels the catalog knows, from the task type down (0: not even the task type). */
  matched: number;
  rows: number;
}

export function emptyStats(): DatasetStats {
  return {
    shape: null,
    files: [],
    rows: 0,
    rejected: 0,
    problemCount: 0,
    firstProblems: [],
    items: 0,
    requests: 0,
    regroupedSamples: 0,
    instructionsWithoutAnswers: 0,
    instructionsWithoutAnswersFirst: [],
    columns: null,
    taskPathsPartial: 0,
    taskPathsUnmatched: 0,
    taskPathsUnmatchedFirst: [],
  };
}
