import assert from 'node:assert/strict';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import Database from 'better-sqlite3';
import { InputError } from '../../src/core/errors.ts';
import { openRunStore } from '../../src/store/runStore.ts';
import { judgmentFor, requestRow, tempDir } from './helpers.ts';

test('opening creates missing parent folders and a run file in WAL mode while open, rollback-journal mode at rest', (t) => {
  const file = join(tempDir(t), 'a', 'b', 'run.sqlite');
  const store = openRunStore(file);
  const open = new Database(file, { readonly: true });
  assert.equal(open.pragma('journal_mode', { simple: true }), 'wal');
  open.close();
  store.close();
  assert.ok(existsSync(file));
  assert.ok(!existsSync(`${file}-wal`));
  const db = new Database(file, { readonly: true });
  assert.equal(db.pragma('journal_mode', { simple: true }), 'delete');
  assert.equal(db.pragma('integrity_check', { simple: true }), 'ok');
  db.close();
});

test('addRequests adds each key once, however often it is called', (t) => {
  const store = openRunStore(join(tempDir(t), 'run.sqlite'));
  const rows = Array.from({ length: 50 }, (_, i) => requestRow(i));
  assert.equal(store.addRequests(rows.slice(0, 30)), 30);
  assert.equal(store.addRequests(rows), 20);
  assert.equal(store.addRequests(rows), 0);
  assert.equal(store.counts().total, 50);
  assert.equal(store.counts().requests, 50);
  assert.equal(store.counts().pending, 50);
  assert.equal(store.statusOf('key-000007'), 'pending');
  assert.equal(store.statusOf('no-such-key'), undefined);
  store.close();
});

test('re-adding a key keeps its judgment (a resume does not reset finished work)', (t) => {
  const store = openRunStore(join(tempDir(t), 'run.sqlite'));
  store.addRequests([requestRow(1)]);
  store.saveJudgment('key-000001', judgmentFor(1), { startedAt: 1, finishedAt: 2 });
  assert.equal(store.addRequests([requestRow(1)]), 0);
  assert.equal(store.statusOf('key-000001'), 'scored');
  store.close();
});

test('requests with the same prompt share one judgment and each keeps its own record', (t) => {
  const store = openRunStore(join(tempDir(t), 'run.sqlite'));
  // Two models gave the same answer: different samples, the very same prompt, hence the same key.
  const first = requestRow(1, { modelId: 'model-a' });
  const twin = { ...first, sampleId: 'twin-sample', modelId: 'model-b', seq: 50 };
  assert.equal(store.addRequests([first, requestRow(2), twin]), 3);
  assert.deepEqual([...store.pendingKeys()], ['key-000001', 'key-000002']);
  store.saveJudgment('key-000001', judgmentFor(1), { startedAt: 0, finishedAt: 1 });
  const records = [...store.records()];
  assert.deepEqual(records.map((r) => [r.sampleId, r.modelId, r.key, r.status, r.score]), [
    [first.sampleId, 'model-a', 'key-000001', 'scored', 1],
    ['sample-0', null, 'key-000002', 'pending', null],
    ['twin-sample', 'model-b', 'key-000001', 'scored', 1],
  ]);
  assert.deepEqual(store.counts(), { total: 2, pending: 1, scored: 1, unscored: 0, error: 0, requests: 3, byReason: {} });
  // A third twin added after the judgment exists gets it at once.
  assert.equal(store.addRequests([{ ...first, sampleId: 'late-twin', seq: 60 }]), 1);
  assert.equal([...store.records({ status: ['scored'] })].length, 3);
  store.close();
});

test('one sample id with two different contents is refused, and the batch is not half-added', (t) => {
  const store = openRunStore(join(tempDir(t), 'run.sqlite'));
  store.addRequests([requestRow(1)]);
  const clash = requestRow(2, { sampleId: requestRow(1).sampleId, criterionKey: requestRow(1).criterionKey });
  assert.throws(
    () => store.addRequests([requestRow(3), clash]),
    (err: unknown) => err instanceof InputError && /sample "sample-0", criterion censor, repeat 0: its prompt differs from the one this run holds/.test(err.message),
  );
  assert.equal(store.statusOf('key-000003'), undefined);
  assert.equal(store.counts().requests, 1);
  store.close();
});

test('a key re-added with another prompt hash is a caller bug and is refused', (t) => {
  const store = openRunStore(join(tempDir(t), 'run.sqlite'));
  store.addRequests([requestRow(1)]);
  assert.throws(() => store.addRequests([requestRow(1, { sampleId: 'other', promptHash: 'f'.repeat(64) })]), /was added with prompt hash .* now with f+/);
  store.close();
});

test('scored, unscored and error judgments come back as records with every field', (t) => {
  const file = join(tempDir(t), 'run.sqlite');
  const store = openRunStore(file);
  store.addRequests([0, 1, 2, 3].map((i) => requestRow(i)));
  store.saveJudgment('key-000000', judgmentFor(0, 'scored'), { startedAt: 1000, finishedAt: 1010 });
  store.saveJudgment('key-000001', judgmentFor(1, 'unscored'), { startedAt: 1001, finishedAt: 1011 });
  store.saveJudgment('key-000002', judgmentFor(2, 'error'), { startedAt: 1002, finishedAt: 1012 });
  store.close();

  const reader = openRunStore(file, { readonly: true });
  const records = [...reader.records({ texts: true })];
  assert.equal([...reader.records()][0]?.texts, undefined, 'texts only when asked for');
  reader.close();
  assert.deepEqual(
    records.map((r) => [r.key, r.status]),
    [['key-000000', 'scored'], ['key-000001', 'unscored'], ['key-000002', 'error'], ['key-000003', 'pending']],
  );
  for (const [i, r] of records.entries()) {
    const req = requestRow(i);
    const { seq: _seq, promptHash: _hash, ...requestFields } = req;
    for (const [k, v] of Object.entries(requestFields)) assert.deepEqual(r[k as keyof typeof r], v, `${r.key} ${k}`);
    assert.equal(r.seq, i);
    assert.equal(r.promptHash, req.promptHash);
    if (r.status === 'pending') {
      assert.deepEqual([r.score, r.raw, r.reason, r.attempts, r.judge, r.startedAt], [null, null, null, 0, null, null]);
      continue;
    }
    const j = judgmentFor(i, r.status);
    assert.deepEqual(
      [r.score, r.rationale, r.raw, r.reasoning, r.reason, r.finishReason, r.promptTokens, r.completionTokens, r.latencyMs, r.attempts, r.endpoint],
      [j.score, j.rationale, j.raw, j.reasoning, j.reason, j.finishReason, j.usage.prompt, j.usage.completion, j.latencyMs, j.attempts, j.endpoint],
    );
    assert.deepEqual(r.judge, { backend: j.judge.backend, model: j.judge.model, params: j.judge.params });
    assert.deepEqual([r.startedAt, r.finishedAt, r.retries], [1000 + i, 1010 + i, 0]);
  }
});

test('saving again updates the judgment in place: one per key', (t) => {
  const file = join(tempDir(t), 'run.sqlite');
  const store = openRunStore(file);
  store.addRequests([requestRow(4)]);
  store.saveJudgment('key-000004', judgmentFor(4, 'unscored'), { startedAt: 1, finishedAt: 2 });
  store.saveJudgment('key-000004', judgmentFor(4, 'scored'), { startedAt: 3, finishedAt: 4 });
  store.close();
  const db = new Database(file, { readonly: true });
  assert.deepEqual(db.prepare('SELECT key, status, score FROM judgments').all(), [{ key: 'key-000004', status: 'scored', score: 1 }]);
  assert.deepEqual(db.prepare('SELECT key FROM requests').all(), [{ key: 'key-000004' }]);
  db.close();
});

test('saveJudgment refuses an unknown key, a mismatched prompt hash and a scored judgment without a score', (t) => {
  const store = openRunStore(join(tempDir(t), 'run.sqlite'));
  store.addRequests([requestRow(1)]);
  const times = { startedAt: 1, finishedAt: 2 };
  assert.throws(() => store.saveJudgment('nope', judgmentFor(1), times), /no request with key nope/);
  assert.throws(() => store.saveJudgment('key-000001', judgmentFor(2), times), /was added with prompt hash .* but its judgment carries/);
  assert.throws(() => store.saveJudgment('key-000001', { ...judgmentFor(1), score: null }, times), /needs a finite score/);
  assert.equal(store.statusOf('key-000001'), 'pending');
  store.close();
});

test('saveJudgments writes a batch in one transaction: all or nothing', (t) => {
  const store = openRunStore(join(tempDir(t), 'run.sqlite'));
  store.addRequests([1, 2, 3].map((i) => requestRow(i)));
  const times = { startedAt: 1, finishedAt: 2 };
  assert.throws(() =>
    store.saveJudgments([
      { key: 'key-000001', judgment: judgmentFor(1), times },
      { key: 'missing', judgment: judgmentFor(2), times },
    ]),
  );
  assert.equal(store.statusOf('key-000001'), 'pending');
  store.saveJudgments([1, 2, 3].map((i) => ({ key: requestRow(i).key, judgment: judgmentFor(i), times })));
  assert.equal(store.counts().scored, 3);
  store.close();
});

test('counts, byReason and stats summarise the run', (t) => {
  const store = openRunStore(join(tempDir(t), 'run.sqlite'));
  store.addRequests(Array.from({ length: 20 }, (_, i) => requestRow(i)));
  const statuses = ['scored', 'scored', 'unscored', 'error'] as const;
  for (let i = 0; i < 16; i++) store.saveJudgment(requestRow(i).key, judgmentFor(i, statuses[i % 4]), { startedAt: 0, finishedAt: 1 });
  assert.deepEqual(store.counts(), {
    total: 20,
    pending: 4,
    scored: 8,
    unscored: 4,
    error: 4,
    requests: 20,
    byReason: { no_result_block: 4, 'fatal: HTTP 400 prompt too long': 4 },
  });
  const s = store.stats();
  // latencies are 10, 20, …, 160: nearest rank p50 = 8th = 80, p95 = ceil(15.2) = 16th = 160
  assert.equal(s.latencyP50, 80);
  assert.equal(s.latencyP95, 160);
  assert.equal(s.promptTokens, Array.from({ length: 16 }, (_, i) => 100 + i).reduce((a, b) => a + b));
  assert.equal(s.completionTokens, Array.from({ length: 16 }, (_, i) => 20 + (i % 10)).reduce((a, b) => a + b));
  store.close();
});

test('stats of a run with no judgments has no latency', (t) => {
  const store = openRunStore(join(tempDir(t), 'run.sqlite'));
  store.addRequests([requestRow(0)]);
  assert.deepEqual(store.stats(), { latencyP50: null, latencyP95: null, promptTokens: 0, completionTokens: 0 });
  store.close();
});

test('resetForRetry sends only the asked statuses back to pending and keeps what they held', (t) => {
  const file = join(tempDir(t), 'run.sqlite');
  const store = openRunStore(file);
  store.addRequests([0, 1, 2, 3].map((i) => requestRow(i)));
  store.saveJudgment('key-000000', judgmentFor(0, 'scored'), { startedAt: 0, finishedAt: 1 });
  store.saveJudgment('key-000001', judgmentFor(1, 'unscored'), { startedAt: 0, finishedAt: 1 });
  store.saveJudgment('key-000002', judgmentFor(2, 'error'), { startedAt: 0, finishedAt: 1 });
  assert.equal(store.resetForRetry({}), 0);
  assert.equal(store.resetForRetry({ unscored: true }), 1);
  assert.deepEqual([...store.pendingKeys()], ['key-000001', 'key-000003']);
  assert.equal(store.statusOf('key-000002'), 'error');
  assert.equal(store.resetForRetry({ unscored: true, errors: true }), 1);
  assert.deepEqual([...store.pendingKeys()], ['key-000001', 'key-000002', 'key-000003']);
  const retried = [...store.records({ status: ['pending'] })];
  assert.deepEqual(retried.map((r) => [r.key, r.retries, r.raw, r.reason, r.attempts]), [
    ['key-000001', 1, null, null, 0],
    ['key-000002', 1, null, null, 0],
    ['key-000003', 0, null, null, 0],
  ]);
  store.saveJudgment('key-000001', judgmentFor(1, 'scored'), { startedAt: 5, finishedAt: 6 });
  store.close();

  const db = new Database(file, { readonly: true });
  assert.deepEqual(db.prepare('SELECT key, status, raw, reason, attempts FROM superseded ORDER BY key').all(), [
    { key: 'key-000001', status: 'unscored', raw: judgmentFor(1, 'unscored').raw, reason: 'no_result_block', attempts: 2 },
    { key: 'key-000002', status: 'error', raw: null, reason: 'fatal: HTTP 400 prompt too long', attempts: 1 },
  ]);
  assert.equal(db.prepare('SELECT count(*) FROM judgments').pluck().get(), 4);
  db.close();
});

test('pendingKeys and records follow seq order across pages, and allow writes while iterating', (t) => {
  const store = openRunStore(join(tempDir(t), 'run.sqlite'));
  const n = 2500;
  // Added in reverse, with seq deciding the order; two rows share a seq to exercise the tie-break on key.
  const rows = Array.from({ length: n }, (_, i) => requestRow(i)).reverse();
  rows.push(requestRow(n, { key: 'key-001000a', seq: 1000 }));
  store.addRequests(rows);
  const seen: string[] = [];
  for (const key of store.pendingKeys()) {
    seen.push(key);
    const i = key === 'key-001000a' ? 1000 : Number(key.slice(4));
    store.saveJudgment(key, { ...judgmentFor(i), promptHash: requestRow(key === 'key-001000a' ? n : i).promptHash }, { startedAt: 0, finishedAt: 1 });
  }
  const expected = Array.from({ length: n }, (_, i) => requestRow(i).key);
  expected.splice(1001, 0, 'key-001000a');
  assert.deepEqual(seen, expected);
  assert.deepEqual([...store.pendingKeys()], []);
  assert.deepEqual([...store.records()].map((r) => r.key), expected);
  assert.equal(store.counts().scored, n + 1);
  store.close();
});

test('records can be filtered by one or several statuses, in seq order', (t) => {
  const store = openRunStore(join(tempDir(t), 'run.sqlite'));
  store.addRequests(Array.from({ length: 2100 }, (_, i) => requestRow(i)));
  const statuses = ['scored', 'unscored', 'error'] as const;
  for (let i = 0; i < 2100; i += 2) store.saveJudgment(requestRow(i).key, judgmentFor(i, statuses[i % 3]), { startedAt: 0, finishedAt: 1 });
  const all = [...store.records()];
  for (const filter of [['error'], ['unscored', 'error'], ['pending', 'scored'], ['pending', 'scored', 'unscored', 'error'], []] as const) {
    const got = [...store.records({ status: [...filter] })].map((r) => r.key);
    const want = all.filter((r) => (filter as readonly string[]).includes(r.status)).map((r) => r.key);
    assert.deepEqual(got, want, filter.join(','));
  }
  assert.throws(() => [...store.records({ status: ['done' as never] })], /unknown status done/);
  store.close();
});

test('a read-only store refuses to write', (t) => {
  const file = join(tempDir(t), 'run.sqlite');
  openRunStore(file).close();
  const reader = openRunStore(file, { readonly: true });
  assert.throws(() => reader.addRequests([requestRow(1)]), /readonly/);
  reader.close();
});

test('opening something that is not a run file fails with an InputError naming the file', (t) => {
  const dir = tempDir(t);
  const missing = join(dir, 'missing.sqlite');
  const text = join(dir, 'data.csv');
  writeFileSync(text, 'a,b\n1,2\n'.repeat(200));
  const other = join(dir, 'other.sqlite');
  const db = new Database(other);
  db.exec('CREATE TABLE t (x)');
  db.close();

  const cases: Array<[string, boolean, RegExp]> = [
    [missing, true, /no such run file/],
    [text, true, /not a pollux run file \(not an SQLite database\)/],
    [text, false, /not a pollux run file \(not an SQLite database\)/],
    [other, true, /not a pollux run file \(an SQLite database without the pollux marker\)/],
    [other, false, /not a pollux run file \(an SQLite database without the pollux marker\)/],
  ];
  for (const [file, readonly, message] of cases) {
    assert.throws(
      () => openRunStore(file, { readonly }),
      (err: unknown) => err instanceof InputError && err.exitCode === 2 && err.message.startsWith(file) && message.test(err.message),
      `${file} readonly=${readonly}`,
    );
  }
  assert.equal(existsSync(missing), false);
});

test('a run file from a newer pollux is refused', (t) => {
  const file = join(tempDir(t), 'run.sqlite');
  openRunStore(file).close();
  const db = new Database(file);
  db.pragma('user_version = 99');
  db.close();
  assert.throws(() => openRunStore(file, { readonly: true }), /store format 99, newer than this pollux reads/);
});

test('a reader sees judgments committed by a writer that is still open', (t) => {
  const file = join(tempDir(t), 'run.sqlite');
  const writer = openRunStore(file);
  writer.addRequests([requestRow(0), requestRow(1)]);
  writer.saveJudgment('key-000000', judgmentFor(0), { startedAt: 0, finishedAt: 1 });
  const reader = openRunStore(file, { readonly: true });
  assert.equal(reader.counts().scored, 1);
  writer.saveJudgment('key-000001', judgmentFor(1), { startedAt: 0, finishedAt: 1 });
  assert.equal(reader.counts().scored, 2);
  reader.close();
  writer.close();
});

test('snapshot keeps one view of the file while another connection writes', async (t) => {
  const file = join(tempDir(t), 'run.sqlite');
  const writer = openRunStore(file);
  writer.addRequests(Array.from({ length: 1500 }, (_, i) => requestRow(i)));
  const reader = openRunStore(file, { readonly: true });
  const statuses = await reader.snapshot(async () => {
    const out: string[] = [];
    for (const r of reader.records()) {
      // The writer finishes a row far ahead of the reader, on a page not read yet.
      if (r.seq === 10) writer.saveJudgment('key-001400', judgmentFor(1400), { startedAt: 0, finishedAt: 1 });
      out.push(r.status);
    }
    return out;
  });
  assert.equal(statuses[1400], 'pending');
  assert.equal(reader.statusOf('key-001400'), 'scored');
  reader.close();
  writer.close();
});
