import assert from 'node:assert/strict';
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { parse } from 'csv-parse/sync';
import { asyncBufferFromFile, parquetMetadataAsync, parquetReadObjects } from 'hyparquet';
import { exportColumns } from '../../src/store/exportColumns.ts';
import { exportRun } from '../../src/store/export.ts';
import { openRunStore } from '../../src/store/runStore.ts';
import { runCli } from '../support/cli.ts';
import { judgmentFor, manifest, requestRow, tempDir } from './helpers.ts';

const TRICKY = 'строка с "кавычками", запятой,\r\nпереводом строки\nи эмодзи 🙂';

/** A run with every status, text that needs CSV quoting and a pending row; returns its file. */
function makeRun(dir: string, n = 12): string {
  const file = join(dir, 'run.sqlite');
  const store = openRunStore(file);
  store.setManifest(manifest());
  store.addRequests(Array.from({ length: n }, (_, i) => requestRow(i)));
  const statuses = ['scored', 'unscored', 'error'] as const;
  for (let i = 0; i < n - 2; i++) {
    const j = judgmentFor(i, statuses[i % 3]);
    store.saveJudgment(requestRow(i).key, i === 0 ? { ...j, rationale: TRICKY, raw: TRICKY } : j, { startedAt: 1_700_000_000_000 + i, finishedAt: 1_700_000_000_500 + i });
  }
  store.close();
  return file;
}

/** The rows an export should hold, computed from the store's records, as JSON values. */
const COLUMNS = exportColumns(true);

function expectedRows(file: string, status?: Array<'pending' | 'scored' | 'unscored' | 'error'>, texts = true): Array<Record<string, unknown>> {
  const store = openRunStore(file, { readonly: true });
  const rows = [...store.records({ status, texts })].map((r) =>
    Object.fromEntries(exportColumns(texts).map((c) => {
      const v = c.value(r);
      return [c.name, v instanceof Date ? v.toISOString() : v];
    })),
  );
  store.close();
  return rows;
}

test('JSONL export: one object per request in seq order, every column, values typed', async (t) => {
  const dir = tempDir(t);
  const file = makeRun(dir);
  const out = join(dir, 'out.jsonl');
  const result = await exportRun(file, { format: 'jsonl', out });
  assert.deepEqual(result, { rows: 12, rowsWithoutTexts: 0, out });
  const lines = readFileSync(out, 'utf8').split('\n');
  assert.equal(lines.pop(), '');
  const rows = lines.map((l) => JSON.parse(l) as Record<string, unknown>);
  assert.deepEqual(rows, expectedRows(file));
  const first = rows[0] as Record<string, unknown>;
  assert.deepEqual(Object.keys(first), COLUMNS.map((c) => c.name));
  assert.equal(first.raw, TRICKY);
  assert.equal(first.status, 'scored');
  assert.equal(first.score, 0);
  assert.equal(first.gate, false);
  assert.equal(first.started_at, new Date(1_700_000_000_000).toISOString());
  assert.equal(first.judge_params, '{"max_tokens":1024,"temperature":0}');
  assert.deepEqual(rows.map((r) => r.status), ['scored', 'unscored', 'error', 'scored', 'unscored', 'error', 'scored', 'unscored', 'error', 'scored', 'pending', 'pending']);
  assert.equal((rows[2] as Record<string, unknown>).reason, 'fatal: HTTP 400 prompt too long');
});

test('CSV export: RFC 4180 quoting and CRLF rows that a CSV parser reads back exactly; optional BOM', async (t) => {
  const dir = tempDir(t);
  const file = makeRun(dir);
  for (const bom of [false, true]) {
    const out = join(dir, `out-${bom}.csv`);
    await exportRun(file, { format: 'csv', out, bom });
    const bytes = readFileSync(out);
    assert.equal(bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf, bom);
    const text = bytes.toString('utf8');
    assert.ok(text.startsWith(`${bom ? '\uFEFF' : ''}seq,key,sample_id,`));
    assert.ok(text.includes(`"${TRICKY.replace(/"/g, '""')}"`));
    const table = parse(text, { bom: true, relax_quotes: false }) as string[][];
    const [header, ...body] = table;
    assert.deepEqual(header, COLUMNS.map((c) => c.name));
    const asText = (v: unknown) => (v === null ? '' : String(v));
    assert.deepEqual(body, expectedRows(file).map((r) => COLUMNS.map((c) => asText(r[c.name]))));
  }
});

test('Parquet export: typed columns, nulls, times and the manifest read back with hyparquet', async (t) => {
  const dir = tempDir(t);
  const file = makeRun(dir);
  const out = join(dir, 'out.parquet');
  assert.deepEqual(await exportRun(file, { format: 'parquet', out }), { rows: 12, rowsWithoutTexts: 0, out });
  const buffer = await asyncBufferFromFile(out);
  const rows = await parquetReadObjects({ file: buffer });
  const expected = expectedRows(file).map((r) => ({
    ...r,
    started_at: r.started_at === null ? null : new Date(r.started_at as string),
    finished_at: r.finished_at === null ? null : new Date(r.finished_at as string),
  }));
  assert.deepEqual(rows, expected);
  const meta = await parquetMetadataAsync(buffer);
  const stored = meta.key_value_metadata?.find((kv) => kv.key === 'pollux.manifest')?.value;
  assert.deepEqual(JSON.parse(stored ?? 'null'), manifest());
});

test('Parquet export of a large run is written in several row groups and reads back whole', async (t) => {
  const dir = tempDir(t);
  const file = join(dir, 'run.sqlite');
  const store = openRunStore(file);
  const n = 23_000;
  store.addRequests(Array.from({ length: n }, (_, i) => requestRow(i)));
  store.saveJudgments(Array.from({ length: n }, (_, i) => ({ key: requestRow(i).key, judgment: judgmentFor(i), times: { startedAt: i, finishedAt: i + 1 } })));
  store.close();
  const out = join(dir, 'big.parquet');
  await exportRun(file, { format: 'parquet', out });
  const buffer = await asyncBufferFromFile(out);
  const meta = await parquetMetadataAsync(buffer);
  assert.equal(meta.row_groups.length, 3);
  assert.equal(meta.num_rows, BigInt(n));
  const keys = await parquetReadObjects({ file: buffer, columns: ['key', 'score'] });
  assert.deepEqual(keys.map((r) => r.key), Array.from({ length: n }, (_, i) => requestRow(i).key));
  assert.deepEqual(keys.map((r) => r.score), Array.from({ length: n }, (_, i) => i % 3));
});

test('exports can keep only some statuses', async (t) => {
  const dir = tempDir(t);
  const file = makeRun(dir);
  for (const format of ['jsonl', 'parquet'] as const) {
    const out = join(dir, `errors.${format}`);
    const result = await exportRun(file, { format, out, status: ['unscored', 'error'] });
    assert.equal(result.rows, 6);
    const rows =
      format === 'jsonl'
        ? readFileSync(out, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>)
        : await parquetReadObjects({ file: await asyncBufferFromFile(out) });
    assert.deepEqual(rows.map((r) => r.key), expectedRows(file, ['unscored', 'error']).map((r) => r.key));
  }
});

test('an empty run exports a header-only CSV and a readable zero-row Parquet file', async (t) => {
  const dir = tempDir(t);
  const file = join(dir, 'run.sqlite');
  openRunStore(file).close();
  await exportRun(file, { format: 'csv', out: join(dir, 'e.csv') });
  assert.equal(readFileSync(join(dir, 'e.csv'), 'utf8'), COLUMNS.map((c) => c.name).join(',') + '\r\n');
  await exportRun(file, { format: 'parquet', out: join(dir, 'e.parquet') });
  assert.deepEqual(await parquetReadObjects({ file: await asyncBufferFromFile(join(dir, 'e.parquet')) }), []);
});

test('a failed export leaves no partial or temporary file behind', async (t) => {
  const dir = tempDir(t);
  const file = makeRun(dir);
  const outDir = join(dir, 'out');
  // The target is a non-empty directory: everything is written, then the final rename fails.
  const target = join(outDir, 'taken.jsonl');
  mkdirSync(join(target, 'inside'), { recursive: true });
  for (const format of ['jsonl', 'parquet'] as const) {
    await assert.rejects(exportRun(file, { format, out: target }));
    assert.deepEqual(readdirSync(outDir), ['taken.jsonl']);
  }
});

test('an existing output file is replaced whole', async (t) => {
  const dir = tempDir(t);
  const file = makeRun(dir);
  const out = join(dir, 'out.jsonl');
  writeFileSync(out, 'old content that is longer than nothing\n'.repeat(10_000));
  await exportRun(file, { format: 'jsonl', out, status: ['error'] });
  assert.equal(readFileSync(out, 'utf8').trim().split('\n').length, 3);
});

test('pollux export writes JSONL to stdout by default and files by -o, with the format from the extension', async (t) => {
  const dir = tempDir(t);
  const file = makeRun(dir);
  const toStdout = await runCli(['export', file]);
  assert.equal(toStdout.code, 0, toStdout.stderr);
  assert.deepEqual(toStdout.stdout.trim().split('\n').map((l) => JSON.parse(l) as unknown), expectedRows(file));

  const csv = join(dir, 'x.csv');
  const toFile = await runCli(['export', file, '-o', csv, '--status', 'scored,pending', '--bom']);
  assert.equal(toFile.code, 0, toFile.stderr);
  assert.equal(toFile.stdout, '');
  assert.match(toFile.stderr, /exported 6 rows to .*x\.csv/);
  assert.ok(readFileSync(csv, 'utf8').startsWith('\uFEFFseq,key,'));
});

test('pollux export: a missing or foreign file, or bad flags, exit 2 with a message naming the problem', async (t) => {
  const dir = tempDir(t);
  const file = makeRun(dir);
  const notRun = join(dir, 'data.csv');
  writeFileSync(notRun, 'a,b\n'.repeat(1000));
  const cases: Array<[string[], RegExp]> = [
    [['export', join(dir, 'missing.sqlite')], /missing\.sqlite: no such run file/],
    [['export', notRun], /data\.csv: not a pollux run file/],
    [['export', file, '--format', 'xlsx'], /--format must be one of jsonl, csv, parquet, not "xlsx"/],
    [['export', file, '--format', 'parquet'], /Parquet export needs an output file/],
    [['export', file, '--status', 'done'], /--status takes a comma-separated list/],
    [['export', file, '-o', file], /is the run file .*refusing to overwrite/],
    [['export', file, '--bom'], /--bom applies to CSV only/],
  ];
  for (const [args, message] of cases) {
    const r = await runCli(args);
    assert.equal(r.code, 2, `${args.join(' ')}: ${r.stderr}`);
    assert.match(r.stderr, message, args.join(' '));
    assert.equal(r.stdout, '');
  }
});
