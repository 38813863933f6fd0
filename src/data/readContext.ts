import { stableHash } from '../core/hash.ts';
import type { Criterion, Sample } from '../core/types.ts';
import { CriterionResolver } from './criteria.ts';
import type { DatasetFileStats, DatasetOptions, DatasetStats, UnmatchedTaskPath } from './datasetTypes.ts';
import { FIRST_PROBLEMS_SHOWN, problemToInputError, type RowLocation, type RowProblem } from './problems.ts';
import type { RowCounts, RowLoopContext } from './rowLoop.ts';
import type { RowView } from './rowView.ts';
import type { TableFormat } from './tableTypes.ts';

const PATHS_REMEMBERED = 100_000;

/**
 * What every shape reader shares: the options, the stats, problem handling (for the row loop),
 * criteria lookup, task paths and repeated sample ids.
 */
export class ReadContext implements RowLoopContext {
  readonly resolver: CriterionResolver;
  readonly map: Readonly<Record<string, string>>;
  /** The `--criterion` keys, resolved once up front. */
  readonly flagCriteria: Criterion[] | null;
  readonly #paths = new Map<string, { matched: number; partial: boolean; entry: UnmatchedTaskPath | null }>();
  /** Each sample id's first row (packed position); null when repeats are not checked. */
  readonly #sampleIds: Map<string, number> | null;

  constructor(
    readonly options: DatasetOptions,
    readonly stats: DatasetStats,
    flagCriteria: Criterion[] | null,
  ) {
    this.resolver = new CriterionResolver(options.catalog, options.matchCriterion);
    this.map = options.map ?? {};
    this.flagCriteria = flagCriteria;
    this.#sampleIds = options.checkDuplicates === false ? null : new Map();
  }

  addFile(file: string, format: TableFormat, role: DatasetFileStats['role']): DatasetFileStats {
    const entry: DatasetFileStats = { file, format, role, rows: 0, rejected: 0, columns: null };
    this.stats.files.push(entry);
    return entry;
  }

  countRow(counts: RowCounts): void {
    counts.rows++;
    this.stats.rows++;
  }

  /**
   * The packed position of an earlier row with this sample id, if any; otherwise the id is noted
   * for this row. The ids are kept as a map (16-character strings: ~100 bytes each, so about 100 MB
   * per million rows); a re-read (`checkDuplicates: false`) keeps none, the first read having
   * already rejected the repeats.
   */
  repeatedSample(sampleId: string, location: RowLocation): number | undefined {
    if (!this.#sampleIds) return undefined;
    const first = this.#sampleIds.get(sampleId);
    if (first === undefined) this.#sampleIds.set(sampleId, packPosition(location));
    return first;
  }

  /**
   * The row's task path, noted for the stats when the catalog knows only a prefix of it. Distinct
   * paths are few (hundreds in POLLUX), so the look-up is remembered per path.
   */
  taskPath(fields: InstructionFields): Array<string | null> {
    const path = [fields.taskType, fields.taskSubtype, fields.taskSubsubtype];
    if (fields.taskType === null) return path;
    const id = path.join('\u0000');
    let seen = this.#paths.get(id);
    if (!seen) {
      const m = this.resolver.matchTaskPath(path);
      seen = { matched: m.matched, partial: m.matched < m.given, entry: null };
      if (seen.partial) {
        this.stats.taskPathsUnmatched++;
        if (this.stats.taskPathsUnmatchedFirst.length < FIRST_PROBLEMS_SHOWN) {
          seen.entry = { path: path.filter((p): p is string => p !== null), matched: m.matched, rows: 0 };
          this.stats.taskPathsUnmatchedFirst.push(seen.entry);
        }
      }
      if (this.#paths.size < PATHS_REMEMBERED) this.#paths.set(id, seen);
    }
    if (seen.partial) {
      this.stats.taskPathsPartial++;
      if (seen.entry) seen.entry.rows++;
    }
    return path;
  }

  /** Rejects one row for one or more problems; in strict mode the first problem ends the read. */
  reject(problems: readonly RowProblem[], counts: RowCounts): void {
    counts.rejected++;
    this.stats.rejected++;
    for (const p of problems) {
      this.stats.problemCount++;
      if (this.stats.firstProblems.length < FIRST_PROBLEMS_SHOWN) this.stats.firstProblems.push(p);
      this.options.onProblem?.(p);
    }
    const first = problems[0];
    if (this.options.strict && first) throw problemToInputError(first);
  }
}

/** Where a sample came from, kept on the Sample for error messages and traces. */
export function sourceOf(location: RowLocation): NonNullable<Sample['source']> {
  const source: NonNullable<Sample['source']> = { file: location.file };
  if (location.line !== undefined) source.line = location.line;
  if (location.row !== undefined) source.row = location.row;
  return source;
}

/** A stable sample id when the data has none: the same four texts always give the same id. */
export function derivedSampleId(instruction: string, referenceAnswer: string | null, answer: string, modelId: string | null): string {
  return stableHash({ instruction, reference_answer: referenceAnswer, answer, model_id: modelId });
}

/** The instruction-side fields of a sample (everything but the answer and who wrote it). */
export interface InstructionFields {
  instruction: string;
  referenceAnswer: string | null;
  taskType: string | null;
  taskSubtype: string | null;
  taskSubsubtype: string | null;
  difficulty: string | null;
  domain: string | null;
}

export function readInstructionFields(view: RowView): InstructionFields {
  return {
    instruction: view.requiredText('instruction'),
    referenceAnswer: view.referenceAnswer(),
    taskType: view.optionalText('task_type'),
    taskSubtype: view.optionalText('task_subtype'),
    taskSubsubtype: view.optionalText('task_subsubtype'),
    difficulty: view.optionalText('difficulty'),
    domain: view.optionalText('domain'),
  };
}

export function makeSample(
  fields: InstructionFields,
  answer: string,
  modelId: string | null,
  id: string | null,
  location: RowLocation,
): Sample {
  return {
    id: id ?? derivedSampleId(fields.instruction, fields.referenceAnswer, answer, modelId),
    instruction: fields.instruction,
    referenceAnswer: fields.referenceAnswer,
    answer,
    modelId,
    taskType: fields.taskType,
    taskSubtype: fields.taskSubtype,
    taskSubsubtype: fields.taskSubsubtype,
    difficulty: fields.difficulty,
    domain: fields.domain,
    source: sourceOf(location),
  };
}

/**
 * A row's position packed in one number (line, or minus the row number) so that the first
 * occurrence of each id can be remembered for hundreds of thousands of rows at little cost.
 */
export function packPosition(location: RowLocation): number {
  return location.line ?? -(location.row ?? 0);
}

export function describePosition(packed: number): string {
  return packed < 0 ? `row ${-packed}` : `line ${packed}`;
}
