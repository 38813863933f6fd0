import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { ProgressReporter } from '../../src/cli/progress.ts';
import { JudgeError } from '../../src/core/errors.ts';
import { runCli } from '../support/cli.ts';
import { writeGenericDataset } from '../support/datasets.ts';
import { startFakeJudgeServer, verdict, type FakeJudgeServer } from '../support/fakeJudgeServer.ts';

const dir = mkdtempSync(join(tmpdir(), 'pollux-small-'));
let server: FakeJudgeServer;
before(async () => {
  // Every third request fails once with a 500: retries to count.
  server = await startFakeJudgeServer({ reply: ({ n }) => (n % 3 === 0 ? { kind: 'status', status: 500 } : verdict(1)) });
});
after(() => server.close());

test('--criterion KEY overrides the criterion of an --input file', async () => {
  const r = await runCli(['prompt', '--input', 'examples/item.json', '--criterion', 'general']);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /Общее впечатление от ответа модели/);
  assert.doesNotMatch(r.stdout, /форма хайку/);
});

test('run: retries counted in the summary, the next command printed; export rounds latency to 0.1 ms', async () => {
  const dataset = join(dir, 'd.jsonl');
  writeGenericDataset(dataset, 6, 2);
  const out = join(dir, 'd.sqlite');
  const r = await runCli(['run', dataset, '--judge', server.url, '--out', out, '--concurrency', '1']);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /retries: [1-9]\d*/);
  assert.match(r.stdout, new RegExp(`next: pollux score ${out.replace(/[/.]/g, '\\$&')}\\n`));
  assert.doesNotMatch(r.stderr, /retry in/);
  const exported = await runCli(['export', out]);
  for (const line of exported.stdout.trim().split('\n')) {
    const latency = JSON.parse(line).latency_ms as number;
    assert.equal(Math.round(latency * 10) / 10, latency, String(latency));
  }
});

test('plain progress sums retries up on its progress line, never one line per retry', () => {
  let text = '';
  const reporter = new ProgressReporter({ quiet: false, tty: false, intervalMs: 1000, stream: { write: (t: string) => (text += t) } });
  const error = new JudgeError('http://x/v1: HTTP 500: boom', 'transient', { status: 500 });
  for (let i = 0; i < 50; i++) reporter.handle({ type: 'retry', retry: { attempt: 1, error, delayMs: 500, endpoint: 'http://x/v1' } });
  const progress = { total: 10, done: 5, doneNow: 5, scored: 5, unscored: 0, error: 0, inFlight: 1, concurrency: 1, completionTokens: 0, elapsedMs: 2000 };
  reporter.handle({ type: 'progress', progress });
  assert.equal(text.split('\n').filter(Boolean).length, 2, text);
  assert.match(text, /50 retries since the last line \(last: http:\/\/x\/v1: HTTP 500: boom\)/);
});

test('help texts name the API key variables', async () => {
  for (const command of ['run', 'judge']) {
    const r = await runCli([command, '--help']);
    assert.match(r.stdout, /POLLUX_API_KEY/, command);
    assert.match(r.stdout, /OPENAI_API_KEY/, command);
  }
});

test('score tables by key name each criterion, not only its key', async () => {
  const dataset = join(dir, 'keys.jsonl');
  writeFileSync(dataset, `${JSON.stringify({ id: 'k1', instruction: 'И', answer: 'О', model_id: 'm', criteria: [{ name: 'Своя мера ясности', rubric: '0: нет\n\n1: отчасти\n\n2: да' }] })}\n`);
  const out = join(dir, 'keys.sqlite');
  assert.equal((await runCli(['run', dataset, '--judge', server.url, '--out', out, '--quiet'])).code, 0);
  const r = await runCli(['score', out, '--group-by', 'key']);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /Своя мера ясности \(custom:[0-9a-f]+/);
});
