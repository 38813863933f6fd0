import { stableHash } from '../core/hash.ts';
import type { Criterion, Sample } from '../core/types.ts';
import { CriterionResolver } from './criteria.ts';
import type { DatasetFileStats, DatasetOptions, DatasetStats } from './datasetTypes.ts';
import { FIRST_PROBLEMS_SHOWN, problemToInputError, type RowLocation, type RowProblem } from './problems.ts';
import { RowView } from './rowView.ts';
import type { TableFormat, TableRecord } from './tableTypes.ts';

/** What every shape reader shares: the options, the stats, problem handling, criteria lookup. */
export class ReadContext {
  readonly resolver: CriterionResolver;
  readonly map: Readonly<Record<string, string>>;
  /** The `--criterion` keys, resolved once up front. */
  readonly flagCriteria: Criterion[] | null;

  constructor(
    readonly options: DatasetOptions,
    readonly stats: DatasetStats,
    flagCriteria: Criterion[] | null,
  ) {
    this.resolver = new CriterionResolver(options.catalog, options.matchCriterion);
    this.map = options.map ?? {};
    this.flagCriteria = flagCriteria;
  }

  addFile(file: string, format: TableFormat, role: DatasetFileStats['role']): DatasetFileStats {
    const entry: DatasetFileStats = { file, format, role, rows: 0, rejected: 0 };
    this.stats.files.push(entry);
    return entry;
  }

  view(item: TableRecord, format: TableFormat): RowView {
    return new RowView(item.record, item.location, this.map, format);
  }

  /** Rejects one row for one or more problems; in strict mode the first problem ends the read. */
  reject(problems: readonly RowProblem[], fileStats: DatasetFileStats): void {
    fileStats.rejected++;
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
