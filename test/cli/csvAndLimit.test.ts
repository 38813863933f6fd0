import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { runCli } from '../support/cli.ts';
import { writeGenericDataset } from '../support/datasets.ts';
import { startFakeJudgeServer, verdict, type FakeAction, type FakeJudgeServer } from '../support/fakeJudgeServer.ts';

const dir = mkdtempSync(join(tmpdir(), 'pollux-csv-limit-'));
let server: FakeJudgeServer;
let reply: (n: number) => FakeAction = () => verdict(1);

before(async () => {
  server = await startFakeJudgeServer({ reply: ({ n }) => reply(n) });
});
after(() => server.close());

test('export and score --csv neutralise cells a spreadsheet would run as formulas; --raw-csv opts out', async () => {
  const dataset = join(dir, 'formulas.jsonl');
  const row = (id: string, model: string) =>
    JSON.stringify({ id, instruction: 'Сложи.', answer: '2', model_id: model, criteria: [{ name: '-Верность', rubric: '0: нет\n\n1: да' }] });
  writeFileSync(dataset, `${row('=HYPERLINK("http://evil")', '+cmd|calc')}\n${row('@SUM(1)', 'model-b')}\n`);
  reply = () => ({ kind: 'verdict', text: '=1+1 ответ верен [RESULT] 1 [END]' });
  const run = join(dir, 'formulas.sqlite');
  assert.equal((await runCli(['run', dataset, '--judge', server.url, '--out', run, '--quiet'])).code, 0);
  const csv = join(dir, 'out.csv');
  assert.equal((await runCli(['export', run, '-o', csv])).code, 0);
  const text = readFileSync(csv, 'utf8');
  assert.match(text, /,"'=HYPERLINK\(""http:\/\/evil""\)",/);
  assert.match(text, /,'@SUM\(1\),/);
  assert.match(text, /,'\+cmd\|calc,/);
  assert.match(text, /,'-Верность,/);
  assert.match(text, /,'=1\+1 ответ верен/);
  for (const cell of text.split(/[\r\n,]+/)) assert.doesNotMatch(cell, /^"?[=+@]/, cell);
  assert.match(text, /,1,/); // numbers stay numbers
  const raw = join(dir, 'raw.csv');
  assert.equal((await runCli(['export', run, '-o', raw, '--raw-csv'])).code, 0);
  assert.match(readFileSync(raw, 'utf8'), /,@SUM\(1\),/);

  const tables = join(dir, 'tables');
  assert.equal((await runCli(['score', run, '--csv', tables])).code, 0);
  const leaderboard = readFileSync(join(tables, 'leaderboard.csv'), 'utf8');
  assert.match(leaderboard, /,'\+cmd\|calc,/);
  assert.equal((await runCli(['score', run, '--csv', tables, '--raw-csv'])).code, 0);
  assert.match(readFileSync(join(tables, 'leaderboard.csv'), 'utf8'), /,\+cmd\|calc,/);
  reply = () => verdict(1);
});

test('--limit is honoured on resume: only the first N requests are judged', async () => {
  const dataset = join(dir, 'limit.jsonl');
  writeGenericDataset(dataset, 30, 2);
  const out = join(dir, 'limit.sqlite');
  const start = server.requests.length;
  // A first run lists everything, then the endpoint goes down after 3 replies: the rest stay pending.
  reply = (n) => (n - start <= 3 ? verdict(1) : { kind: 'reset' });
  const first = await runCli(['run', dataset, '--judge', server.url, '--out', out, '--concurrency', '1', '--json', '--quiet']);
  assert.equal(first.code, 3, first.stderr);
  assert.equal(JSON.parse(first.stdout).counts.scored, 3);
  reply = () => verdict(1);
  const limited = await runCli(['run', dataset, '--judge', server.url, '--out', out, '--limit', '10', '--json', '--quiet']);
  assert.equal(limited.code, 0, limited.stderr);
  const s = JSON.parse(limited.stdout);
  assert.equal(s.counts.scored, 10);
  assert.equal(s.judgedNow, 7);
});

test('-o is --output, the file a command writes, in export, report and batch export; --out stays the run file', async () => {
  const dataset = join(dir, 'one-o.jsonl');
  writeFileSync(dataset, `${JSON.stringify({ id: 'a', instruction: 'Сложи 2 и 2.', answer: '4', model_id: 'm', criteria: ['general'] })}\n`);
  reply = () => verdict(1);
  const run = join(dir, 'one-o.sqlite');
  assert.equal((await runCli(['run', dataset, '--judge', server.url, '--out', run, '--quiet'])).code, 0);
  for (const command of [['export'], ['report'], ['batch', 'export']]) {
    const help = await runCli([...command, '--help']);
    assert.match(help.stdout, /-o, --output <[^>]+>/, command.join(' '));
  }
  assert.doesNotMatch((await runCli(['export', '--help'])).stdout, /--out </, 'the old spelling is not offered');
  const long = join(dir, 'one-o.csv');
  assert.equal((await runCli(['export', run, '--output', long])).code, 0);
  assert.match(readFileSync(long, 'utf8'), /Сложи 2 и 2/);
  const old = join(dir, 'one-o-old.jsonl');
  assert.equal((await runCli(['export', run, '--out', old])).code, 0, 'scripts written for the old spelling keep working');
  assert.equal(readFileSync(old, 'utf8').trim().split('\n').length, 1);
  const html = join(dir, 'one-o.html');
  assert.equal((await runCli(['report', run, '--output', html, '--bootstrap', '0'])).code, 0);
  assert.match(readFileSync(html, 'utf8'), /<html/i);
  const missing = await runCli(['report', run]);
  assert.equal(missing.code, 2);
  assert.match(missing.stderr, /-o\/--output FILE\.html is required/);
});
