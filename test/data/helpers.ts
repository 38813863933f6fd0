import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after } from 'node:test';
import { parquetWriteFile } from 'hyparquet-writer';
import { parseScale } from '../../src/core/scale.ts';
import type { CriteriaCatalog, Criterion } from '../../src/core/types.ts';
import type { DatasetItem } from '../../src/data/datasetTypes.ts';
import type { TableFormat, TableItem } from '../../src/data/tableTypes.ts';

/** A fresh temp folder for this test file, removed when the file's tests end. */
export function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'pollux-data-'));
  after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

export function writeText(dir: string, name: string, content: string | Buffer): string {
  const path = join(dir, name);
  writeFileSync(path, content);
  return path;
}

export function writeJsonl(dir: string, name: string, rows: unknown[]): string {
  return writeText(dir, name, rows.map((r) => JSON.stringify(r)).join('\n') + '\n');
}

function csvCell(value: unknown): string {
  if (value === null || value === undefined) return '';
  const text = typeof value === 'string' ? value : JSON.stringify(value);
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

export function writeCsv(dir: string, name: string, rows: Record<string, unknown>[], eol = '\n'): string {
  const columns = Object.keys(rows[0] ?? {});
  const lines = [columns.join(','), ...rows.map((r) => columns.map((c) => csvCell(r[c])).join(','))];
  return writeText(dir, name, lines.join(eol) + eol);
}

type WriteOptions = Parameters<typeof parquetWriteFile>[0];
/** A Parquet schema as the writer takes it (its own copy of hyparquet's types). */
export type WriterSchema = NonNullable<WriteOptions['schema']>;
type ColumnValues = WriteOptions['columnData'][number]['data'];

/** Parquet with one column per key; values of one column must share a type. */
export function writeParquet(
  dir: string,
  name: string,
  columns: Record<string, unknown[]>,
  options: { rowGroupSize?: number; schema?: WriterSchema } = {},
): string {
  const path = join(dir, name);
  parquetWriteFile({
    filename: path,
    columnData: Object.entries(columns).map(([n, data]) => ({ name: n, data: data as ColumnValues })),
    rowGroupSize: options.rowGroupSize ?? 1000,
    ...(options.schema ? { schema: options.schema } : {}),
  });
  return path;
}

/** Rows written in `format` as dir/NAME.EXT; returns the path. */
export function writeRowsAs(format: TableFormat, dir: string, name: string, rows: Record<string, unknown>[]): string {
  switch (format) {
    case 'jsonl':
      return writeJsonl(dir, `${name}.jsonl`, rows);
    case 'json':
      return writeText(dir, `${name}.json`, JSON.stringify(rows, null, 1));
    case 'csv':
      return writeCsv(dir, `${name}.csv`, rows);
    case 'parquet':
      return writeParquet(dir, `${name}.parquet`, toColumns(rows));
  }
}

/** Rows as columns, for writeParquet. */
export function toColumns(rows: Record<string, unknown>[]): Record<string, unknown[]> {
  const out: Record<string, unknown[]> = {};
  for (const key of Object.keys(rows[0] ?? {})) out[key] = rows.map((r) => r[key] ?? null);
  return out;
}

export async function collect<T>(items: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const item of items) out.push(item);
  return out;
}

export function records(items: TableItem[]): Record<string, unknown>[] {
  return items.flatMap((i) => ('record' in i ? [i.record] : []));
}

export function problems(items: TableItem[]): Array<{ line?: number; row?: number; column?: string; message: string }> {
  return items.flatMap((i) => ('problem' in i ? [i.problem] : []));
}

export const RUBRIC_012 = '0: ответ не решает задачу\n\n1: ответ решает задачу частично\n\n2: ответ полностью решает задачу';
export const RUBRIC_01 = '0: нет заглушки\n\n1: ответ — заглушка-отказ';
export const RUBRIC_FACTS_A = '0: есть фактические ошибки\n\n1: ошибок нет';
export const RUBRIC_FACTS_B = '0: грубые ошибки\n\n1: мелкие ошибки\n\n2: ошибок нет';

function criterion(key: string, ru: string, rubric: string, extra: Partial<Criterion> = {}): Criterion {
  return { key, name: { ru, en: null }, group: 'Fine-grained', rubric, scale: parseScale(rubric), gate: false, ...extra };
}

/**
 * A small in-memory catalog with the CriteriaCatalog contract: two criteria share a name (like
 * `facts`/`facts__2`), one is a gate, and one task type maps to a set.
 */
export class SmallCatalog implements CriteriaCatalog {
  readonly all: Criterion[] = [
    criterion('general', 'Общее впечатление', RUBRIC_012),
    criterion('censor', 'Цензор', RUBRIC_01, { group: 'Critical', gate: true }),
    criterion('facts', 'Фактическая точность', RUBRIC_FACTS_A),
    criterion('facts__2', 'Фактическая точность', RUBRIC_FACTS_B),
  ];

  byKey(key: string): Criterion | undefined {
    return this.all.find((c) => c.key === key);
  }

  byName(name: string): Criterion | undefined {
    return this.all.find((c) => c.name.ru === name);
  }

  forTask(path: readonly string[]): Criterion[] | undefined {
    if (path[0] === 'Написать код') return [this.all[1] as Criterion, this.all[0] as Criterion];
    return undefined;
  }
}

export function polluxRow(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    instruction: 'Напиши короткое стихотворение о море.',
    reference_answer: null,
    answer: 'Море шумит, волна бежит.',
    model_id: 'gpt-4o',
    task_type: 'Написать художественный текст',
    task_subtype: 'Стихотворение',
    task_subsubtype: null,
    difficulty: 'Easy',
    domain: null,
    criteria_name: 'Общее впечатление',
    rubrics: RUBRIC_012,
    criteria_score: 1.5,
    ...overrides,
  };
}

export function criterionKeys(item: DatasetItem): string[] {
  return item.criteria.map((c) => c.criterion.key);
}
