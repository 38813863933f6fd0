import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import Database from 'better-sqlite3';
import { EXPORT_COLUMNS, TEXT_COLUMNS } from '../../src/store/exportColumns.ts';
import { exportRun } from '../../src/store/export.ts';
import {
  declaration,
  EXPORT_ORDER,
  FIELD_COLUMNS,
  JUDGMENT_COLUMNS,
  sqlType,
  VERDICT_COLUMNS,
  type ColumnSpec,
} from '../../src/store/judgmentColumns.ts';
import { openRunStore } from '../../src/store/runStore.ts';
import { MIGRATIONS } from '../../src/store/schema.ts';
import { formatOneRun, judgmentFor, manifest, requestRow, tempDir } from './helpers.ts';

// The migrations as shipped: run files were made with exactly this text, so it never changes. A
// column added to JUDGMENT_COLUMNS belongs in a new migration (its `since`), not in these.
const SHIPPED_MIGRATIONS = [
  '01db8a51a3aa196d0a2823edfe501850f1fe086e421fd6243e4787a65a6589fc',
  '23b87f11e19fa4c275d8603a0b2534b2590f162fb7b907e95d13f4b56c5fd273',
];

// Users' scripts read exports by these names, in this order, with these Parquet types.
const EXPORT_HEADER =
  'seq:INT32 key:STRING sample_id:STRING instruction_id:STRING model_id:STRING task_type:STRING task_subtype:STRING ' +
  'task_subsubtype:STRING difficulty:STRING domain:STRING criterion_key:STRING criterion_name:STRING criterion_group:STRING ' +
  'gate:BOOLEAN scale_kind:STRING scale_min:DOUBLE scale_max:DOUBLE repeat:INT32 human_score:DOUBLE status:STRING ' +
  'score:DOUBLE reason:STRING rationale:STRING raw:STRING reasoning:STRING finish_reason:STRING prompt_tokens:INT32 ' +
  'completion_tokens:INT32 latency_ms:DOUBLE attempts:INT32 retries:INT32 endpoint:STRING judge_model:STRING ' +
  'judge_backend:STRING judge_params:STRING prompt_hash:STRING started_at:TIMESTAMP finished_at:TIMESTAMP';
const TEXT_HEADER = ['instruction', 'reference_answer', 'answer', 'criteria_name', 'rubrics'];

interface TableInfo {
  name: string;
  type: string;
  notnull: number;
  dflt_value: string | null;
  pk: number;
}

function tableInfo(db: Database.Database, table: string): TableInfo[] {
  return (db.prepare(`PRAGMA table_info(${table})`).all() as TableInfo[]).map(({ name, type, notnull, dflt_value, pk }) => ({ name, type, notnull, dflt_value, pk }));
}

/** What PRAGMA table_info says of a column declared as the table says. */
function expectedInfo(c: ColumnSpec): TableInfo {
  return { name: c.name, type: sqlType(c), notnull: c.notNull ? 1 : 0, dflt_value: c.default ?? null, pk: c.primaryKey ? 1 : 0 };
}

const columnsOf = (table: ColumnSpec['table'], format = Infinity): ColumnSpec[] =>
  JUDGMENT_COLUMNS.filter((c: ColumnSpec) => c.table === table && (c.since ?? 1) <= format);

test('the shipped migrations, derived from the column table, are byte for byte what run files were made with', () => {
  assert.deepEqual(
    MIGRATIONS.map((m) => createHash('sha256').update(m).digest('hex')),
    SHIPPED_MIGRATIONS,
  );
  // The derived column lists are really in the text (not a coincidence of a constant).
  for (const c of JUDGMENT_COLUMNS) assert.ok(MIGRATIONS.join('').includes(`${c.name} ${declaration(c)}`), c.name);
});

test("a new run file's tables have exactly the table's columns, in order, with their types and constraints", (t) => {
  const file = join(tempDir(t), 'run.sqlite');
  openRunStore(file).close();
  const db = new Database(file, { readonly: true });
  t.after(() => db.close());
  assert.deepEqual(tableInfo(db, 'request_rows'), columnsOf('request_rows').map(expectedInfo));
  assert.deepEqual(tableInfo(db, 'judgments'), columnsOf('judgments').map(expectedInfo));
  assert.deepEqual(
    tableInfo(db, 'superseded').map((c) => c.name),
    ['id', 'key', ...VERDICT_COLUMNS.map((c) => c.name), 'superseded_at'],
  );
  const schema = db.prepare(`SELECT sql FROM sqlite_schema WHERE name = 'judgments'`).pluck().get() as string;
  assert.match(schema, /status TEXT NOT NULL DEFAULT 'pending' CHECK \(status IN \('pending', 'scored', 'unscored', 'error'\)\)/);
  // The flat view: request columns of format 1, then the judgment columns they do not repeat.
  const requestNames = columnsOf('request_rows', 1).map((c) => c.name);
  assert.deepEqual(
    tableInfo(db, 'requests').map((c) => c.name),
    [...requestNames, ...columnsOf('judgments', 1).map((c) => c.name).filter((n) => !requestNames.includes(n))],
  );
});

test('a format-1 run file has the columns of format 1 and still opens read-only with its records', (t) => {
  const file = join(tempDir(t), 'old.sqlite');
  formatOneRun(file, 3);
  const db = new Database(file, { readonly: true });
  assert.deepEqual(tableInfo(db, 'request_rows'), columnsOf('request_rows', 1).map(expectedInfo));
  assert.deepEqual(tableInfo(db, 'judgments'), columnsOf('judgments', 1).map(expectedInfo));
  db.close();
  const store = openRunStore(file, { readonly: true });
  t.after(() => store.close());
  assert.deepEqual([...store.records()].map((r) => r.key), [0, 1, 2].map((i) => requestRow(i).key));
});

test('every record field is a column, read back as saved, and exported once, in the shipped order and types', async (t) => {
  assert.equal(EXPORT_COLUMNS.map((c) => `${c.name}:${c.type}`).join(' '), EXPORT_HEADER);
  assert.deepEqual(EXPORT_COLUMNS.map((c) => c.name), [...EXPORT_ORDER]);
  assert.deepEqual(TEXT_COLUMNS.map((c) => c.name), TEXT_HEADER);
  for (const c of FIELD_COLUMNS) assert.equal(EXPORT_ORDER.filter((n) => n === c.name).length, 1, `${c.name} exported once`);

  const dir = tempDir(t);
  const file = join(dir, 'run.sqlite');
  const store = openRunStore(file);
  store.setManifest(manifest());
  store.addRequests([requestRow(0), requestRow(1)]);
  store.saveJudgment(requestRow(0).key, judgmentFor(0, 'scored'), { startedAt: 1_700_000_000_000, finishedAt: 1_700_000_000_500 });
  const [judged, pending] = [...store.records()];
  store.close();
  assert.ok(judged && pending);
  assert.deepEqual(Object.keys(judged).sort(), [...FIELD_COLUMNS.map((c) => c.field), 'judge'].sort());
  const j = judgmentFor(0, 'scored');
  const { texts: _texts, ...request } = requestRow(0);
  assert.deepEqual(
    judged,
    {
      ...request,
      status: j.status,
      score: j.score,
      rationale: j.rationale,
      raw: j.raw,
      reasoning: j.reasoning,
      reason: j.reason,
      finishReason: j.finishReason,
      promptTokens: j.usage.prompt,
      completionTokens: j.usage.completion,
      latencyMs: j.latencyMs,
      attempts: j.attempts,
      endpoint: j.endpoint,
      judge: { backend: j.judge.backend, model: j.judge.model, params: j.judge.params },
      startedAt: 1_700_000_000_000,
      finishedAt: 1_700_000_000_500,
      retries: 0,
    },
  );
  assert.equal(pending.status, 'pending');
  assert.equal(pending.attempts, 0);

  const out = join(dir, 'run.csv');
  await exportRun(file, { format: 'csv', out });
  const header = readFileSync(out, 'utf8').split('\r\n')[0];
  assert.equal(header, [...EXPORT_HEADER.split(' ').map((c) => c.split(':')[0]), ...TEXT_HEADER].join(','));
});

test("the README's export section lists the export columns in order", () => {
  const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8').replace(/\s+/g, ' ');
  const listed = /with the columns `([^`]+)`/.exec(readme)?.[1];
  assert.equal(listed, EXPORT_ORDER.join(', '));
  assert.ok(readme.includes(`POLLUX's own column names, \`${TEXT_HEADER.join(', ')}\``));
});

test('a carry-over copies every column a judgment gains (its verdict, judge and retries) into the other file', (t) => {
  const dir = tempDir(t);
  const from = openRunStore(join(dir, 'old.sqlite'));
  const rows = [0, 1, 2].map((i) => requestRow(i));
  from.addRequests(rows);
  from.saveJudgment(rows[0]!.key, judgmentFor(0, 'scored'), { startedAt: 10, finishedAt: 20 });
  from.saveJudgment(rows[1]!.key, judgmentFor(1, 'unscored'), { startedAt: 30, finishedAt: 40 });
  from.resetForRetry({ unscored: true });
  from.saveJudgment(rows[1]!.key, { ...judgmentFor(1, 'scored'), judge: { ...judgmentFor(1).judge, model: 'other-judge' } }, { startedAt: 50, finishedAt: 60 });
  const before = [...from.records()];
  from.close();

  const to = openRunStore(join(dir, 'new.sqlite'));
  t.after(() => to.close());
  to.addRequests(rows);
  assert.equal(to.carryOver(join(dir, 'old.sqlite')), 2);
  assert.deepEqual([...to.records()], before);
  assert.deepEqual(before.map((r) => [r.status, r.retries, r.judge?.model ?? null]), [
    ['scored', 0, 'ai-forever/pollux-judge-7b'],
    ['scored', 1, 'other-judge'],
    ['pending', 0, null],
  ]);
});
