import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { OpenAIChatJudge, openRun } from '../../src/index.ts';
import { runCli } from '../support/cli.ts';
import { writeGenericDataset } from '../support/datasets.ts';
import { startFakeJudgeServer, verdict, type FakeJudgeServer } from '../support/fakeJudgeServer.ts';

const dir = mkdtempSync(join(tmpdir(), 'pollux-openrun-'));
let server: FakeJudgeServer;

before(async () => {
  server = await startFakeJudgeServer({ reply: () => verdict(1) });
});
after(() => server.close());

test('a run opened from the library is the run `pollux run` resumes: same manifest, same request keys', async () => {
  const dataset = join(dir, 'lib.jsonl');
  const total = writeGenericDataset(dataset, 10, 3);
  const out = join(dir, 'lib.sqlite');
  const run = await openRun({ dataset, judge: { endpoints: server.url }, out, limit: 12, concurrency: 4 });
  let summary;
  try {
    assert.equal(run.manifest.judge.model, 'ai-forever/pollux-judge-7b');
    assert.equal(run.manifest.template, 'paper');
    summary = await run.judge();
  } finally {
    await run.close();
  }
  assert.equal(summary.judgedNow, 12);
  assert.equal(summary.counts.pending, 0);
  const cli = await runCli(['run', dataset, '--judge', server.url, '--out', out, '--json', '--quiet']);
  assert.equal(cli.code, 0, cli.stderr);
  const resumed = JSON.parse(cli.stdout) as { judgedNow: number; counts: { total: number; scored: number } };
  assert.equal(resumed.judgedNow, total - 12, 'the CLI judged only what the library left');
  assert.equal(resumed.counts.scored, total);
});

test('the lock is held from openRun to close: a second open of the same file is refused', async () => {
  const dataset = join(dir, 'lock.jsonl');
  writeGenericDataset(dataset, 2, 1);
  const out = join(dir, 'lock.sqlite');
  const backends = [await OpenAIChatJudge.create({ baseUrl: server.url })];
  const first = await openRun({ dataset, judge: { backends }, out });
  try {
    await assert.rejects(openRun({ dataset, judge: { backends }, out }), /in use|lock|another/i);
  } finally {
    await first.close();
  }
  const again = await openRun({ dataset, judge: { backends }, out });
  await again.close();
});

test('a Batch API export and its import through one opened run; the request body is what an HTTP judge sends', async () => {
  const dataset = join(dir, 'batch.jsonl');
  const total = writeGenericDataset(dataset, 3, 2);
  const out = join(dir, 'batch.sqlite');
  const requests = join(dir, 'requests.jsonl');
  const run = await openRun({ dataset, judge: { batch: { model: 'judge-m', settings: { temperature: 0.5, extraBody: { seed: 3 } } } }, out });
  try {
    const s = await run.exportBatch({ out: requests });
    assert.equal(s.written, total);
    const first = JSON.parse(readFileSync(requests, 'utf8').split('\n')[0]!) as { body: Record<string, unknown> };
    assert.deepEqual(Object.keys(first.body).sort(), ['max_tokens', 'messages', 'model', 'seed', 'temperature']);
    assert.equal(first.body.temperature, 0.5);
    assert.deepEqual(run.manifest.judge.params, { temperature: 0.5, max_tokens: 1024, seed: 3 });
    await assert.rejects(run.judge(), /no judge/);
    // The results go into the run this process holds open, under the lock it already has.
    const lines = readFileSync(requests, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { custom_id: string });
    const results = join(dir, 'results.jsonl');
    const reply = (id: string, text: string) => JSON.stringify({ custom_id: id, response: { status_code: 200, body: { model: 'judge-m', choices: [{ message: { role: 'assistant', content: text }, finish_reason: 'stop' }] } }, error: null });
    writeFileSync(results, `${reply(lines[0]!.custom_id, '[FEEDBACK] ok [RESULT] 1 [END]')}\n`);
    const imported = await run.importBatch(results);
    assert.deepEqual([imported.imported, imported.scored], [1, 1]);
  } finally {
    await run.close();
  }
  // A run file named alone opens the run it holds: its manifest, locked until closed.
  const byFile = await openRun({ run: out });
  try {
    assert.equal(byFile.manifest.judge.model, 'judge-m');
    await assert.rejects(openRun({ run: out }), /in use/);
    const again = await byFile.importBatch(join(dir, 'results.jsonl'));
    assert.deepEqual([again.imported, again.alreadyDone], [0, 1]);
  } finally {
    await byFile.close();
  }
  await assert.rejects(openRun({ run: join(dir, 'lib.jsonl') }), /not a pollux run file/);
  await assert.rejects(openRun({ run: join(dir, 'missing.sqlite') }), /missing\.sqlite: no such run file/);
  assert.equal(existsSync(join(dir, 'missing.sqlite')), false);
});

test('a spec without a judge opens the dataset to be planned only: no run file, outputs checked against the inputs', async () => {
  const dataset = join(dir, 'plan.jsonl');
  const total = writeGenericDataset(dataset, 4, 2);
  const planned = await openRun({ dataset });
  const plan = await planned.plan();
  await planned.close();
  assert.deepEqual([plan.samples, plan.requests], [4, total]);
  assert.deepEqual(readdirSync(dir).filter((f) => f.startsWith('plan')), ['plan.jsonl']);
  await assert.rejects(openRun({ dataset, alsoWrites: [{ path: dataset, role: '--rejects' }] }), /--rejects .* is the dataset/);
});
