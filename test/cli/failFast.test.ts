import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { runCli } from '../support/cli.ts';
import { writeGenericDataset } from '../support/datasets.ts';
import { startFakeJudgeServer, verdict, type FakeAction, type FakeJudgeServer } from '../support/fakeJudgeServer.ts';

const dir = mkdtempSync(join(tmpdir(), 'pollux-fail-fast-'));
let server: FakeJudgeServer;
let reply: () => FakeAction = () => verdict(1);

before(async () => {
  server = await startFakeJudgeServer({ reply: () => reply() });
});
after(() => server.close());

test('every row rejected: plan, run and batch export exit 2 naming the columns found and --map; no run file', async () => {
  const dataset = join(dir, 'renamed.jsonl');
  const rows = Array.from({ length: 5 }, (_, i) => JSON.stringify({ prompt: `Вопрос ${i}`, response: `Ответ ${i}`, model: 'm' }));
  writeFileSync(dataset, `${rows.join('\n')}\n`);
  const out = join(dir, 'renamed.sqlite');
  const requests = join(dir, 'renamed-requests.jsonl');
  const runs: Array<[string, string[]]> = [
    ['plan', ['plan', dataset]],
    ['run', ['run', dataset, '--judge', server.url, '--out', out, '--criterion', 'general', '--quiet']],
    ['batch export', ['batch', 'export', dataset, '-o', requests, '--out', out, '--model', 'ai-forever/pollux-judge-7b', '--criterion', 'general']],
  ];
  for (const [name, args] of runs) {
    const r = await runCli(args);
    assert.equal(r.code, 2, `${name}: ${r.stderr}`);
    assert.match(r.stderr, /all 5 rows were rejected/, name);
    assert.match(r.stderr, /the columns found: prompt, response, model/, name);
    assert.match(r.stderr, /--map ours=theirs/, name);
    assert.equal(existsSync(out), false, `${name} left a run file`);
    assert.equal(existsSync(requests), false, `${name} left a requests file`);
  }
  assert.equal(server.requests.length, 0);
});

test('a judge that does not speak POLLUX: stopped after the first 20 replies, one shown, exit 1, the rest pending', async () => {
  const dataset = join(dir, 'chat.jsonl');
  const total = writeGenericDataset(dataset, 100, 2);
  reply = () => ({ kind: 'verdict', text: 'Конечно! Вот подробный разбор ответа: он хороший.' });
  const before = server.requests.length;
  const r = await runCli(['run', dataset, '--judge', server.url, '--out', join(dir, 'chat.sqlite'), '--concurrency', '4', '--json', '--quiet']);
  assert.equal(r.code, 1, r.stderr);
  assert.match(r.stderr, /none of the first 20 replies holds a POLLUX verdict \(no_result_block\)/);
  assert.match(r.stderr, /Конечно! Вот подробный разбор ответа/);
  assert.match(r.stderr, /\[RESULT\] <score> \[END\]/);
  const s = JSON.parse(r.stdout);
  assert.equal(s.counts.scored, 0);
  assert.ok(s.counts.unscored >= 20 && s.counts.unscored < 30, JSON.stringify(s.counts));
  assert.equal(s.counts.pending, total - s.counts.unscored);
  // Two asks per judgment (one re-ask), and the few in flight when the check failed.
  assert.ok(server.requests.length - before < 70, `${server.requests.length - before} requests sent`);
});

test('run exits 1 when the judge answered but nothing was scored, even below the check', async () => {
  const dataset = join(dir, 'few.jsonl');
  writeGenericDataset(dataset, 2, 2);
  reply = () => ({ kind: 'verdict', text: 'Не знаю.' });
  const r = await runCli(['run', dataset, '--judge', server.url, '--out', join(dir, 'few.sqlite'), '--quiet']);
  assert.equal(r.code, 1, r.stderr);
  reply = () => verdict(1);
});
