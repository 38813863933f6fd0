import { csvCell, type CsvOptions } from '../core/csv.ts';
import { canonicalJson } from '../core/hash.ts';
import { EXPORT_ORDER, FIELD_COLUMNS, type ColumnKind, type FieldColumn } from './judgmentColumns.ts';
import type { StoredRecord } from './records.ts';

export type ExportValue = string | number | boolean | Date | null;

/** Column types, named as hyparquet-writer's basic types. */
export type ExportColumnType = 'STRING' | 'DOUBLE' | 'INT32' | 'BOOLEAN' | 'TIMESTAMP';

export interface ExportColumn {
  name: string;
  type: ExportColumnType;
  value(r: StoredRecord): ExportValue;
}

const EXPORT_TYPES: Record<ColumnKind, ExportColumnType> = {
  text: 'STRING',
  integer: 'INT32',
  real: 'DOUBLE',
  boolean: 'BOOLEAN',
  time: 'TIMESTAMP',
};

/** Exported otherwise than as the record holds them; judge_backend and judge_params are no table column. */
const COMPUTED: Partial<Record<(typeof EXPORT_ORDER)[number], Omit<ExportColumn, 'name'>>> = {
  // A tenth of a millisecond is finer than any judge call can be timed.
  latency_ms: { type: 'DOUBLE', value: (r) => (r.latencyMs === null ? null : Math.round(r.latencyMs * 10) / 10) },
  judge_backend: { type: 'STRING', value: (r) => r.judge?.backend ?? null },
  judge_params: { type: 'STRING', value: (r) => (r.judge ? canonicalJson(r.judge.params) : null) },
};

/**
 * A reader of one record field, compiled as a function of its own: every export value is read
 * through one, for every row. A shared `(r) => r[field]` sees all 38 field names at one property
 * load and goes megamorphic: the value calls of a row then took twice as long (1.7 µs against
 * 0.8 µs). The field names come from JUDGMENT_COLUMNS, never from data.
 */
function fieldReader(field: FieldColumn['field'], time: boolean): (r: StoredRecord) => ExportValue {
  if (!/^[A-Za-z]+$/.test(field)) throw new Error(`not a record field name: ${field}`);
  return new Function('r', time ? `const ms = r.${field}; return ms === null ? null : new Date(ms);` : `return r.${field};`) as (
    r: StoredRecord,
  ) => ExportValue;
}

function exported(name: (typeof EXPORT_ORDER)[number]): ExportColumn {
  const computed = COMPUTED[name];
  if (computed) return { name, ...computed };
  const column = FIELD_COLUMNS.find((c) => c.name === name);
  if (!column) throw new Error(`export column ${name} is neither a record column nor computed`);
  return { name, type: EXPORT_TYPES[column.kind], value: fieldReader(column.field, column.kind === 'time') };
}

/** One exported row per request, in this column order (EXPORT_ORDER), in every format. */
export const EXPORT_COLUMNS: readonly ExportColumn[] = EXPORT_ORDER.map(exported);

/**
 * The texts of each request, after the columns above, named as POLLUX's own columns, so an export
 * reads back as a POLLUX-shaped dataset. Null where the run file has no texts for the request.
 */
export const TEXT_COLUMNS: readonly ExportColumn[] = [
  { name: 'instruction', type: 'STRING', value: (r) => r.texts?.instruction ?? null },
  { name: 'reference_answer', type: 'STRING', value: (r) => r.texts?.referenceAnswer ?? null },
  { name: 'answer', type: 'STRING', value: (r) => r.texts?.answer ?? null },
  { name: 'criteria_name', type: 'STRING', value: (r) => (r.texts ? r.criterionName : null) },
  { name: 'rubrics', type: 'STRING', value: (r) => r.texts?.rubric ?? null },
];

/** The columns of an export, with or without the texts. */
export function exportColumns(texts: boolean): readonly ExportColumn[] {
  return texts ? [...EXPORT_COLUMNS, ...TEXT_COLUMNS] : EXPORT_COLUMNS;
}

/** JSON value of a cell: times as ISO text, everything else as it is. */
export function jsonValue(v: ExportValue): string | number | boolean | null {
  return v instanceof Date ? v.toISOString() : v;
}

/** A CSV field (RFC 4180): quoted when it holds a quote, comma, CR or LF; null is an empty field. */
export function csvField(v: ExportValue, options: CsvOptions = {}): string {
  return csvCell(v instanceof Date ? v.toISOString() : v, options);
}
