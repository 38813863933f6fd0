import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import Database from 'better-sqlite3';
import { exportRun } from '../../src/store/export.ts';
import { openRunStore } from '../../src/store/runStore.ts';
import { STORE_FORMAT_VERSION } from '../../src/store/schema.ts';
import { runCli } from '../support/cli.ts';
import { formatOneRun, judgmentFor, manifest, requestRow, tempDir, textsFor } from './helpers.ts';

const TEXT_NAMES = ['instruction', 'reference_answer', 'answer', 'criteria_name', 'rubrics'];

function tableCount(file: string, table: string): number {
  const db = new Database(file, { readonly: true });
  const n = db.prepare(`SELECT count(*) FROM ${table}`).pluck().get() as number;
  db.close();
  return n;
}

test('texts are stored once: one instruction per instruction, one answer per sample, one rubric per criterion', (t) => {
  const file = join(tempDir(t), 'run.sqlite');
  const store = openRunStore(file);
  // 60 requests: 20 samples (3 criteria each), 10 instructions, 3 distinct criteria; two batches.
  store.addRequests(Array.from({ length: 31 }, (_, i) => requestRow(i)));
  store.addRequests(Array.from({ length: 29 }, (_, i) => requestRow(31 + i)));
  assert.deepEqual(store.textCoverage(), { requests: 60, withTexts: 60 });
  store.close();
  assert.equal(tableCount(file, 'instructions'), 10);
  assert.equal(tableCount(file, 'samples'), 20);
  assert.equal(tableCount(file, 'criteria'), 3);
  const reader = openRunStore(file, { readonly: true });
  for (const r of reader.records({ texts: true })) assert.deepEqual(r.texts, textsFor(r.seq), r.key);
  reader.close();
});

test('the same criterion key with a row-specific rubric keeps each rubric', (t) => {
  const file = join(tempDir(t), 'run.sqlite');
  const store = openRunStore(file);
  const own = { ...textsFor(3), rubric: '0: своя шкала\n\n2: своя' };
  store.addRequests([requestRow(0), requestRow(3, { texts: own })]);
  const texts = [...store.records({ texts: true })].map((r) => r.texts?.rubric);
  store.close();
  assert.deepEqual(texts, [textsFor(0).rubric, own.rubric]);
  assert.equal(tableCount(file, 'criteria'), 2);
});

test('export writes the text columns in every format, and --no-texts leaves them out', async (t) => {
  const dir = tempDir(t);
  const file = join(dir, 'run.sqlite');
  const store = openRunStore(file);
  store.setManifest(manifest());
  store.addRequests([0, 1, 2, 3].map((i) => requestRow(i)));
  store.saveJudgment('key-000000', judgmentFor(0), { startedAt: 1, finishedAt: 2 });
  store.close();

  const out = join(dir, 'x.jsonl');
  await exportRun(file, { format: 'jsonl', out });
  const rows = readFileSync(out, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
  assert.deepEqual(Object.keys(rows[0] ?? {}).slice(-5), TEXT_NAMES);
  rows.forEach((row, i) => {
    const texts = textsFor(i);
    assert.deepEqual(
      TEXT_NAMES.map((n) => row[n]),
      [texts.instruction, texts.referenceAnswer, texts.answer, requestRow(i).criterionName, texts.rubric],
    );
  });

  const bare = await runCli(['export', file, '--no-texts']);
  assert.equal(bare.code, 0, bare.stderr);
  const bareRow = JSON.parse(bare.stdout.split('\n')[0] as string) as Record<string, unknown>;
  for (const name of TEXT_NAMES) assert.equal(name in bareRow, false, name);
  assert.equal(bareRow.criterion_name, requestRow(0).criterionName);

  const csv = await runCli(['export', file, '--format', 'csv']);
  assert.match(csv.stdout.split('\r\n')[0] as string, /,instruction,reference_answer,answer,criteria_name,rubrics$/);
});

test('a run file from before texts opens read-only with texts absent, and a resume adds them', async (t) => {
  const dir = tempDir(t);
  const file = join(dir, 'old.sqlite');
  formatOneRun(file, 6);

  const reader = openRunStore(file, { readonly: true });
  assert.deepEqual(reader.textCoverage(), { requests: 6, withTexts: 0 });
  assert.deepEqual([...reader.records({ texts: true })].map((r) => r.texts), [null, null, null, null, null, null]);
  reader.close();
  const result = await exportRun(file, { format: 'jsonl', out: join(dir, 'old.jsonl') });
  assert.equal(result.rowsWithoutTexts, 6);
  const row = JSON.parse(readFileSync(join(dir, 'old.jsonl'), 'utf8').split('\n')[0] as string) as Record<string, unknown>;
  assert.deepEqual(TEXT_NAMES.map((n) => row[n]), [null, null, null, null, null]);
  const cli = await runCli(['export', file]);
  assert.equal(cli.code, 0);
  assert.match(cli.stderr, /old\.sqlite: texts absent for 6 request\(s\)/);

  // Opening it for writing migrates it; listing the same requests again (a resume) fills the texts in.
  const writer = openRunStore(file);
  assert.equal(writer.addRequests(Array.from({ length: 6 }, (_, i) => requestRow(i))), 0);
  assert.deepEqual(writer.textCoverage(), { requests: 6, withTexts: 6 });
  writer.close();
  const db = new Database(file, { readonly: true });
  assert.equal(db.pragma('user_version', { simple: true }), STORE_FORMAT_VERSION);
  db.close();
  const again = openRunStore(file, { readonly: true });
  assert.deepEqual([...again.records({ texts: true })].map((r) => r.texts), Array.from({ length: 6 }, (_, i) => textsFor(i)));
  again.close();
});

test('a failed addRequests stores no texts, and the next batch stores its own', (t) => {
  const file = join(tempDir(t), 'run.sqlite');
  const store = openRunStore(file);
  store.addRequests([requestRow(0)]);
  // Same sample and criterion with another prompt: refused, rolled back whole.
  assert.throws(() => store.addRequests([requestRow(3), requestRow(0, { key: 'other', promptHash: 'x' })]));
  assert.deepEqual(store.textCoverage(), { requests: 1, withTexts: 1 });
  store.addRequests([requestRow(3), requestRow(4)]);
  const texts = [...store.records({ texts: true })].map((r) => r.texts);
  store.close();
  assert.deepEqual(texts, [textsFor(0), textsFor(3), textsFor(4)]);
});
