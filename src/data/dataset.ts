import { UsageError } from '../core/errors.ts';
import type { Criterion } from '../core/types.ts';
import { emptyStats, type DatasetItem, type DatasetOptions, type DatasetShape, type DatasetStats } from './datasetTypes.ts';
import { genericItems } from './genericShape.ts';
import { instructionItems } from './instructionsShape.ts';
import { polluxItems } from './polluxShape.ts';
import { ReadContext } from './readContext.ts';
import type { RowSource } from './rowLoop.ts';
import { readTable, tableFormatOf } from './table.ts';
import { isProblem, type TableItem, type TableRecord } from './tableTypes.ts';

/** Reads items until the first good record, then hands back a stream that replays them. */
async function peekFirstRecord(items: AsyncIterable<TableItem>): Promise<{ first: TableRecord | null; all: AsyncIterable<TableItem> }> {
  const iterator = items[Symbol.asyncIterator]();
  const buffered: TableItem[] = [];
  let first: TableRecord | null = null;
  let done = false;
  while (first === null) {
    const next = await iterator.next();
    if (next.done) {
      done = true;
      break;
    }
    buffered.push(next.value);
    if (!isProblem(next.value)) first = next.value;
  }
  async function* all(): AsyncGenerator<TableItem> {
    yield* buffered;
    buffered.length = 0;
    if (done) return;
    while (true) {
      const next = await iterator.next();
      if (next.done) return;
      yield next.value;
    }
  }
  return { first, all: all() };
}

function hasColumn(record: Record<string, unknown>, map: Record<string, string>, name: string): boolean {
  return Object.prototype.hasOwnProperty.call(record, map[name] ?? name);
}

/**
 * The shape a row's columns say: POLLUX rows have `criteria_name`; POLLUX-instructions rows have
 * `prompt_id` and no `answer`, plus a `criteria` list (or an answers file was given); anything else
 * is generic.
 */
export function detectShape(record: Record<string, unknown>, map: Record<string, string> = {}, withAnswersFile = false): DatasetShape {
  if (hasColumn(record, map, 'criteria_name')) return 'pollux';
  const instructionLike = hasColumn(record, map, 'prompt_id') && !hasColumn(record, map, 'answer');
  if (instructionLike && (withAnswersFile || hasColumn(record, map, 'criteria'))) return 'instructions';
  return 'generic';
}

function resolveFlagCriteria(options: DatasetOptions): Criterion[] | null {
  if (!options.criteria || options.criteria.length === 0) return null;
  const out: Criterion[] = [];
  for (const key of options.criteria) {
    const found = options.catalog.byKey(key);
    if (!found) {
      const close = options.catalog.suggestKeys?.(key) ?? [];
      throw new UsageError(`--criterion: unknown criterion key "${key}"${close.length ? `; did you mean ${close.join(', ')}?` : ' (pollux criteria --search TEXT finds keys)'}`);
    }
    if (!out.includes(found)) out.push(found);
  }
  return out;
}

/**
 * A dataset read as items (one answer with its criteria). Iterate it once; `stats` fills in as it
 * goes and is final when the iteration ends. Rows with problems are rejected and reported through
 * `onProblem` (and counted in `stats`); with `strict`, the first problem throws an InputError.
 */
export class DatasetReader implements AsyncIterable<DatasetItem> {
  readonly stats: DatasetStats = emptyStats();
  private started = false;

  constructor(
    readonly file: string,
    readonly options: DatasetOptions,
  ) {}

  [Symbol.asyncIterator](): AsyncIterator<DatasetItem> {
    if (this.started) throw new Error('a dataset can be iterated once: call readDataset again');
    this.started = true;
    return this.items()[Symbol.asyncIterator]();
  }

  private async *items(): AsyncGenerator<DatasetItem> {
    // Items and requests are counted here, as each shape hands its items on.
    for await (const item of await this.openShape()) {
      this.stats.items++;
      this.stats.requests += item.criteria.length;
      yield item;
    }
  }

  /** Reads the first row to tell the shape, and returns that shape's items. */
  private async openShape(): Promise<AsyncIterable<DatasetItem>> {
    const { options, file } = this;
    const ctx = new ReadContext(options, this.stats, resolveFlagCriteria(options));
    const format = tableFormatOf(file, options.format);
    const encoding = options.encoding ? { encoding: options.encoding } : {};
    const tableOptions = { format, maxRecordBytes: options.maxRecordBytes, ...encoding, ...(options.delimiter ? { delimiter: options.delimiter } : {}) };
    const { first, all } = await peekFirstRecord(readTable(file, tableOptions));
    const withAnswers = options.answers !== undefined;
    const shape: DatasetShape = options.shape ?? (first ? detectShape(first.record, ctx.map, withAnswers) : withAnswers ? 'instructions' : 'generic');
    this.stats.shape = shape;
    this.stats.columns = first ? Object.keys(first.record) : null;

    if (shape === 'instructions') {
      if (!options.answers) {
        throw new UsageError(`${file} holds instructions (prompt_id and criteria, no answer): give the answers to judge with --answers FILE`);
      }
      const answersFormat = tableFormatOf(options.answers, options.answersFormat);
      const instructions: RowSource = { table: all, format, counts: ctx.addFile(file, format, 'instructions') };
      const answersCounts = ctx.addFile(options.answers, answersFormat, 'answers');
      const answersTable = readTable(options.answers, { format: answersFormat, maxRecordBytes: options.maxRecordBytes, ...encoding });
      return await instructionItems(ctx, instructions, { table: answersTable, format: answersFormat, counts: answersCounts });
    }
    if (options.answers) {
      throw new UsageError(`--answers is for POLLUX-instructions datasets, but ${file} has ${shape} rows`);
    }
    const rows: RowSource = { table: all, format, counts: ctx.addFile(file, format, 'rows') };
    return shape === 'pollux' ? polluxItems(ctx, rows) : genericItems(ctx, rows);
  }
}

/** Streams a dataset (JSONL, JSON array, CSV or Parquet; POLLUX, POLLUX-instructions or generic rows). */
export function readDataset(file: string, options: DatasetOptions): DatasetReader {
  if (!options.catalog) throw new TypeError('readDataset needs options.catalog (a CriteriaCatalog)');
  return new DatasetReader(file, options);
}
