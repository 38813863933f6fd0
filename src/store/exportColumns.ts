import { csvCell, type CsvOptions } from '../core/csv.ts';
import { canonicalJson } from '../core/hash.ts';
import type { StoredRecord } from './records.ts';

export type ExportValue = string | number | boolean | Date | null;

/** Column types, named as hyparquet-writer's basic types. */
export type ExportColumnType = 'STRING' | 'DOUBLE' | 'INT32' | 'BOOLEAN' | 'TIMESTAMP';

export interface ExportColumn {
  name: string;
  type: ExportColumnType;
  value(r: StoredRecord): ExportValue;
}

const time = (ms: number | null): Date | null => (ms === null ? null : new Date(ms));

/** One exported row per request, in this column order, in every format. */
export const EXPORT_COLUMNS: readonly ExportColumn[] = [
  { name: 'seq', type: 'INT32', value: (r) => r.seq },
  { name: 'key', type: 'STRING', value: (r) => r.key },
  { name: 'sample_id', type: 'STRING', value: (r) => r.sampleId },
  { name: 'instruction_id', type: 'STRING', value: (r) => r.instructionId },
  { name: 'model_id', type: 'STRING', value: (r) => r.modelId },
  { name: 'task_type', type: 'STRING', value: (r) => r.taskType },
  { name: 'task_subtype', type: 'STRING', value: (r) => r.taskSubtype },
  { name: 'task_subsubtype', type: 'STRING', value: (r) => r.taskSubsubtype },
  { name: 'difficulty', type: 'STRING', value: (r) => r.difficulty },
  { name: 'domain', type: 'STRING', value: (r) => r.domain },
  { name: 'criterion_key', type: 'STRING', value: (r) => r.criterionKey },
  { name: 'criterion_name', type: 'STRING', value: (r) => r.criterionName },
  { name: 'criterion_group', type: 'STRING', value: (r) => r.criterionGroup },
  { name: 'gate', type: 'BOOLEAN', value: (r) => r.gate },
  { name: 'scale_kind', type: 'STRING', value: (r) => r.scaleKind },
  { name: 'scale_min', type: 'DOUBLE', value: (r) => r.scaleMin },
  { name: 'scale_max', type: 'DOUBLE', value: (r) => r.scaleMax },
  { name: 'repeat', type: 'INT32', value: (r) => r.repeat },
  { name: 'human_score', type: 'DOUBLE', value: (r) => r.humanScore },
  { name: 'status', type: 'STRING', value: (r) => r.status },
  { name: 'score', type: 'DOUBLE', value: (r) => r.score },
  { name: 'reason', type: 'STRING', value: (r) => r.reason },
  { name: 'rationale', type: 'STRING', value: (r) => r.rationale },
  { name: 'raw', type: 'STRING', value: (r) => r.raw },
  { name: 'reasoning', type: 'STRING', value: (r) => r.reasoning },
  { name: 'finish_reason', type: 'STRING', value: (r) => r.finishReason },
  { name: 'prompt_tokens', type: 'INT32', value: (r) => r.promptTokens },
  { name: 'completion_tokens', type: 'INT32', value: (r) => r.completionTokens },
  // A tenth of a millisecond is finer than any judge call can be timed.
  { name: 'latency_ms', type: 'DOUBLE', value: (r) => (r.latencyMs === null ? null : Math.round(r.latencyMs * 10) / 10) },
  { name: 'attempts', type: 'INT32', value: (r) => r.attempts },
  { name: 'retries', type: 'INT32', value: (r) => r.retries },
  { name: 'endpoint', type: 'STRING', value: (r) => r.endpoint },
  { name: 'judge_model', type: 'STRING', value: (r) => r.judgeModel },
  { name: 'judge_backend', type: 'STRING', value: (r) => r.judge?.backend ?? null },
  { name: 'judge_params', type: 'STRING', value: (r) => (r.judge ? canonicalJson(r.judge.params) : null) },
  { name: 'prompt_hash', type: 'STRING', value: (r) => r.promptHash },
  { name: 'started_at', type: 'TIMESTAMP', value: (r) => time(r.startedAt) },
  { name: 'finished_at', type: 'TIMESTAMP', value: (r) => time(r.finishedAt) },
];

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
