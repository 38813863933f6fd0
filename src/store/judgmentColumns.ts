import { REQUEST_STATUSES, type StoredRecord } from './records.ts';

/**
 * The one definition of a judgment record's columns: each column of the run file's `request_rows`
 * and `judgments` tables, its SQL declaration, the StoredRecord field it fills and its place in
 * exports. The schema's CREATE TABLE column lists and views (schema.ts), the store's statements
 * and row types (runStore.ts, records.ts) and the export columns (exportColumns.ts) are derived
 * from it. The shipped migrations are derived too and must never change (a test pins their
 * hashes): a new column gets a `since` of the next store format and its own migration.
 */

/** How a value is kept: its SQL type, its TypeScript type in a record and its export type follow. */
export type ColumnKind = 'text' | 'integer' | 'real' | 'boolean' | 'time';

export interface ColumnSpec {
  /** `request_rows`: one row per request; `judgments`: one per judgment key, shared by requests with one prompt. */
  readonly table: 'request_rows' | 'judgments';
  readonly name: string;
  readonly kind: ColumnKind;
  readonly primaryKey?: true;
  readonly notNull?: true;
  /** SQL literal. */
  readonly default?: string;
  readonly check?: string;
  readonly references?: string;
  /** Written into the CREATE TABLE above the column (part of the shipped schema text). */
  readonly comment?: string;
  /**
   * The store format that added the column (1 when absent). Its migration adds it to its table;
   * a verdict column also to `superseded`, which a retry copies every verdict column into.
   */
  readonly since?: number;
  /** The StoredRecord field the column fills; absent for ids that are no record field. */
  readonly field?: keyof StoredRecord;
  /** Part of the judge's verdict: set by saveJudgment, kept in `superseded`, cleared by a retry. */
  readonly verdict?: true;
}

/** Statuses a judgment row may hold (the `status` CHECK constraint). */
const STATUSES = REQUEST_STATUSES.map((s) => `'${s}'`).join(', ');

export const JUDGMENT_COLUMNS = [
  { table: 'request_rows', name: 'id', kind: 'integer', primaryKey: true },
  { table: 'request_rows', name: 'seq', kind: 'integer', notNull: true, field: 'seq' },
  { table: 'request_rows', name: 'key', kind: 'text', notNull: true, references: 'judgments (key)', field: 'key' },
  { table: 'request_rows', name: 'sample_id', kind: 'text', notNull: true, field: 'sampleId' },
  { table: 'request_rows', name: 'instruction_id', kind: 'text', notNull: true, field: 'instructionId' },
  { table: 'request_rows', name: 'model_id', kind: 'text', field: 'modelId' },
  { table: 'request_rows', name: 'task_type', kind: 'text', field: 'taskType' },
  { table: 'request_rows', name: 'task_subtype', kind: 'text', field: 'taskSubtype' },
  { table: 'request_rows', name: 'task_subsubtype', kind: 'text', field: 'taskSubsubtype' },
  { table: 'request_rows', name: 'difficulty', kind: 'text', field: 'difficulty' },
  { table: 'request_rows', name: 'domain', kind: 'text', field: 'domain' },
  { table: 'request_rows', name: 'criterion_key', kind: 'text', notNull: true, field: 'criterionKey' },
  { table: 'request_rows', name: 'criterion_name', kind: 'text', notNull: true, field: 'criterionName' },
  { table: 'request_rows', name: 'criterion_group', kind: 'text', field: 'criterionGroup' },
  { table: 'request_rows', name: 'gate', kind: 'boolean', notNull: true, field: 'gate' },
  { table: 'request_rows', name: 'scale_kind', kind: 'text', notNull: true, field: 'scaleKind' },
  { table: 'request_rows', name: 'scale_min', kind: 'real', notNull: true, field: 'scaleMin' },
  { table: 'request_rows', name: 'scale_max', kind: 'real', notNull: true, field: 'scaleMax' },
  { table: 'request_rows', name: 'repeat', kind: 'integer', notNull: true, field: 'repeat' },
  { table: 'request_rows', name: 'human_score', kind: 'real', field: 'humanScore' },
  { table: 'request_rows', name: 'judge_model', kind: 'text', notNull: true, field: 'judgeModel' },
  {
    table: 'request_rows',
    name: 'criterion_id',
    kind: 'integer',
    references: 'criteria (id)',
    since: 2,
    comment: 'NULL for requests listed before the run file kept texts (store format 1).',
  },

  { table: 'judgments', name: 'key', kind: 'text', primaryKey: true, notNull: true },
  {
    table: 'judgments',
    name: 'seq',
    kind: 'integer',
    notNull: true,
    comment: 'seq of the first request that needed this judgment: the order pending keys come out in',
  },
  { table: 'judgments', name: 'prompt_hash', kind: 'text', notNull: true, field: 'promptHash' },
  {
    table: 'judgments',
    name: 'status',
    kind: 'text',
    notNull: true,
    default: `'pending'`,
    check: `status IN (${STATUSES})`,
    field: 'status',
    verdict: true,
  },
  { table: 'judgments', name: 'score', kind: 'real', field: 'score', verdict: true },
  { table: 'judgments', name: 'rationale', kind: 'text', field: 'rationale', verdict: true },
  { table: 'judgments', name: 'raw', kind: 'text', field: 'raw', verdict: true },
  { table: 'judgments', name: 'reasoning', kind: 'text', field: 'reasoning', verdict: true },
  { table: 'judgments', name: 'reason', kind: 'text', field: 'reason', verdict: true },
  { table: 'judgments', name: 'finish_reason', kind: 'text', field: 'finishReason', verdict: true },
  { table: 'judgments', name: 'prompt_tokens', kind: 'integer', field: 'promptTokens', verdict: true },
  { table: 'judgments', name: 'completion_tokens', kind: 'integer', field: 'completionTokens', verdict: true },
  { table: 'judgments', name: 'latency_ms', kind: 'real', field: 'latencyMs', verdict: true },
  { table: 'judgments', name: 'attempts', kind: 'integer', notNull: true, default: '0', field: 'attempts', verdict: true },
  { table: 'judgments', name: 'endpoint', kind: 'text', field: 'endpoint', verdict: true },
  // The judge's provenance (backend, model, params) is the same for almost every row: a `judges` row.
  { table: 'judgments', name: 'judge_id', kind: 'integer', references: 'judges (id)', verdict: true },
  { table: 'judgments', name: 'started_at', kind: 'time', field: 'startedAt', verdict: true },
  { table: 'judgments', name: 'finished_at', kind: 'time', field: 'finishedAt', verdict: true },
  {
    table: 'judgments',
    name: 'retries',
    kind: 'integer',
    notNull: true,
    default: '0',
    comment: 'how many times --retry-unscored / --retry-errors sent this judgment back to pending',
    field: 'retries',
  },
] as const satisfies readonly ColumnSpec[];

/**
 * Export column order (every format): table columns by name, and the judge's provenance as
 * `judge_backend` and `judge_params`. Users' scripts read these names in this order: never reorder.
 */
export const EXPORT_ORDER = [
  'seq', 'key', 'sample_id', 'instruction_id', 'model_id', 'task_type', 'task_subtype', 'task_subsubtype', 'difficulty',
  'domain', 'criterion_key', 'criterion_name', 'criterion_group', 'gate', 'scale_kind', 'scale_min', 'scale_max', 'repeat',
  'human_score', 'status', 'score', 'reason', 'rationale', 'raw', 'reasoning', 'finish_reason', 'prompt_tokens',
  'completion_tokens', 'latency_ms', 'attempts', 'retries', 'endpoint', 'judge_model', 'judge_backend', 'judge_params',
  'prompt_hash', 'started_at', 'finished_at',
] as const satisfies readonly (FieldColumn['name'] | 'judge_backend' | 'judge_params')[];

type Column = (typeof JUDGMENT_COLUMNS)[number];
export type RequestColumn = Extract<Column, { table: 'request_rows' }>;
export type JudgmentTableColumn = Extract<Column, { table: 'judgments' }>;
export type VerdictColumn = Extract<Column, { verdict: true }>;
export type FieldColumn = Extract<Column, { field: string }>;
/** What a record is read from: the columns with a field, the row id (paging) and judge_id (provenance). */
export type RecordColumn = FieldColumn | Extract<Column, { name: 'id' | 'judge_id' }>;
/** What addRequests writes into `judgments`: the columns without a default that no verdict sets. */
export type AddedJudgmentColumn = Exclude<JudgmentTableColumn, { verdict: true } | { default: string }>;
/** What a judgment gains after it was added (and a carry-over copies): its verdict and retry count. */
export type GainedJudgmentColumn = Exclude<JudgmentTableColumn, AddedJudgmentColumn>;
/** Named parameters of saveJudgment's update: the verdict, and the key and prompt hash it must match. */
export type SaveParams = SqlRow<VerdictColumn | Extract<JudgmentTableColumn, { name: 'key' | 'prompt_hash' }>>;
/** What addRequests writes into `request_rows`: every column but the row id. */
export type InsertedRequestColumn = Exclude<RequestColumn, { primaryKey: true }>;

type Nullability<C extends ColumnSpec> = C extends { notNull: true } | { primaryKey: true } ? never : null;
/** A column's value as SQLite gives and takes it. */
export type SqlValue<C extends ColumnSpec> = (C['kind'] extends 'text' ? string : number) | Nullability<C>;
/** A row (or named parameters) of these columns as better-sqlite3 reads (or binds) them. */
export type SqlRow<C extends ColumnSpec> = { [K in C as K['name']]: SqlValue<K> };

export const sqlType = (c: ColumnSpec): 'TEXT' | 'INTEGER' | 'REAL' => (c.kind === 'text' ? 'TEXT' : c.kind === 'real' ? 'REAL' : 'INTEGER');

const isRequest = (c: Column): c is RequestColumn => c.table === 'request_rows';
const isJudgment = (c: Column): c is JudgmentTableColumn => c.table === 'judgments';

export const REQUEST_COLUMNS: readonly RequestColumn[] = JUDGMENT_COLUMNS.filter(isRequest);
export const JUDGMENT_TABLE_COLUMNS: readonly JudgmentTableColumn[] = JUDGMENT_COLUMNS.filter(isJudgment);
export const VERDICT_COLUMNS: readonly VerdictColumn[] = JUDGMENT_COLUMNS.filter((c): c is VerdictColumn => 'verdict' in c);
export const FIELD_COLUMNS: readonly FieldColumn[] = JUDGMENT_COLUMNS.filter((c): c is FieldColumn => 'field' in c);
export const RECORD_COLUMNS: readonly RecordColumn[] = JUDGMENT_COLUMNS.filter(
  (c): c is RecordColumn => 'field' in c || c.name === 'id' || c.name === 'judge_id',
);
export const ADDED_JUDGMENT_COLUMNS: readonly AddedJudgmentColumn[] = JUDGMENT_TABLE_COLUMNS.filter(
  (c): c is AddedJudgmentColumn => !('verdict' in c || 'default' in c),
);
export const GAINED_JUDGMENT_COLUMNS: readonly GainedJudgmentColumn[] = JUDGMENT_TABLE_COLUMNS.filter(
  (c): c is GainedJudgmentColumn => !ADDED_JUDGMENT_COLUMNS.includes(c as AddedJudgmentColumn),
);
export const INSERTED_REQUEST_COLUMNS: readonly InsertedRequestColumn[] = REQUEST_COLUMNS.filter(
  (c): c is InsertedRequestColumn => !('primaryKey' in c),
);

/** `TYPE [PRIMARY KEY] [NOT NULL] [DEFAULT x] [CHECK (…)] [REFERENCES …]`, as in CREATE TABLE. */
export function declaration(c: ColumnSpec): string {
  return [
    sqlType(c),
    c.primaryKey ? 'PRIMARY KEY' : '',
    c.notNull ? 'NOT NULL' : '',
    c.default !== undefined ? `DEFAULT ${c.default}` : '',
    c.check ? `CHECK (${c.check})` : '',
    c.references ? `REFERENCES ${c.references}` : '',
  ]
    .filter(Boolean)
    .join(' ');
}

/** `r.` for request columns, `j.` for judgment columns: the aliases every store query joins with. */
export const qualified = (c: ColumnSpec): string => `${c.table === 'request_rows' ? 'r' : 'j'}.${c.name}`;

/** A record column by its name (request_rows' `key` and `seq` for the names both tables have). */
export type RecordColumnNamed<N extends RecordColumn['name']> = Extract<RecordColumn, { name: N }>;

/** `r.a, j.b, …` for record columns picked by name, for queries over `request_rows r` joined with `judgments j`. */
export function selectList(picked: readonly RecordColumn['name'][]): string {
  return picked
    .map((n) => {
      const c = RECORD_COLUMNS.find((r) => r.name === n);
      if (!c) throw new Error(`no record column ${n}`);
      return qualified(c);
    })
    .join(', ');
}

/** The names of columns, comma-separated. */
export const columnNames = (columns: readonly ColumnSpec[]): string => columns.map((c) => c.name).join(', ');

/** Named parameters for columns (`@name`, as better-sqlite3 binds an object), comma-separated. */
export const namedParameters = (columns: readonly ColumnSpec[]): string => columns.map((c) => `@${c.name}`).join(', ');

/** The record fields the table does not hold: the judge's provenance (via judge_id) and the texts. */
type NotColumnFields = 'judge' | 'texts';
type RecordValue<C extends ColumnSpec> = (C['kind'] extends 'text' ? string : C['kind'] extends 'boolean' ? boolean : number) | Nullability<C>;
type RecordColumns = { [C in FieldColumn as C['field']]: RecordValue<C> };
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
type Assert<T extends true> = T;
/**
 * Compile-time guards: every StoredRecord field but NotColumnFields is a column's field, and each
 * field's type fits its column (a narrower string union is fine; nullable exactly where the column is).
 */
export type FieldsAreColumns = Assert<Same<keyof RecordColumns, Exclude<keyof StoredRecord, NotColumnFields>>>;
export type FieldTypesFit = Assert<
  {
    [K in keyof RecordColumns]: StoredRecord[K] extends RecordColumns[K]
      ? Same<null extends StoredRecord[K] ? 1 : 0, null extends RecordColumns[K] ? 1 : 0>
      : false;
  }[keyof RecordColumns]
>;
