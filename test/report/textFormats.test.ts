import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { RunSummary } from '../../src/engine/run.ts';
import { planDataset } from '../../src/data/plan.ts';
import { estimateTokenCounter } from '../../src/data/tokens.ts';
import { renderPrompt } from '../../src/prompt/render.ts';
import { formatPlan } from '../../src/report/text/plan.ts';
import { formatRunSummary } from '../../src/report/text/run.ts';
import { textWidth } from '../../src/report/text/table.ts';
import { SmallCatalog, tempDir, writeJsonl } from '../data/helpers.ts';

function summary(byReason: Record<string, number>): RunSummary {
  const failed = Object.values(byReason).reduce((a, b) => a + b, 0);
  return {
    file: 'runs/my run.sqlite',
    total: 1200 + failed,
    judgedNow: 1200 + failed,
    counts: { total: 1200 + failed, requests: 1200 + failed, pending: 0, scored: 1200, unscored: failed, error: 0, byReason },
    stats: { latencyP50: 812.4, latencyP95: null, promptTokens: 10, completionTokens: 5 },
    wallMs: 187_000,
    judgmentsPerSecond: 6.5,
    prefixShare: null,
    concurrency: { final: 8, decreases: 0 },
    stopped: false,
    endpoints: [],
    movedAside: null,
    carriedOver: 0,
    outage: null,
    retries: 0,
    notPollux: null,
  };
}

test('the run summary lists the reasons as a table: counts right-aligned, the ten most frequent', () => {
  const reasons: Record<string, number> = { no_result_block: 3, truncated: 1040, out_of_scale: 27 };
  for (let i = 0; i < 9; i++) reasons[`reason_${i}`] = 1;
  const lines = formatRunSummary(summary(reasons), ['dataset.jsonl:3: a problem']);
  assert.equal(lines[0], 'dataset.jsonl:3: a problem');
  assert.equal(lines[1], 'run file: runs/my run.sqlite');
  const table = lines.slice(3, 13);
  assert.deepEqual(table.slice(0, 3), ['  1040  truncated', '    27  out_of_scale', '     3  no_result_block']);
  assert.ok(table.slice(3).every((l) => /^ {5}1 {2}reason_\d$/.test(l)), table.join('\n'));
  assert.equal(lines[13], '  … 2 more reasons (pollux export --status unscored,error)');
  assert.ok(lines.includes('judged now: 2279 in 3m07s (6.5 judgments/s); retries: 0'), lines.join('\n'));
  assert.ok(lines.includes('latency p50 812 ms, p95 —; tokens: prompt 10, completion 5'));
  assert.equal(lines.at(-1), "next: pollux score 'runs/my run.sqlite'");
});

test('the plan lists models and task types as tables that line up in the terminal', async () => {
  const dir = tempDir();
  const long = `m-${'x'.repeat(60)}`;
  const row = (id: string, model: string, task: string | null) => ({ id, instruction: 'Задание', answer: 'Ответ', model_id: model, task_type: task, criteria: ['general'] });
  const file = writeJsonl(dir, 'plan.jsonl', [
    row('s1', 'модель-й', 'Написать код'),
    row('s2', 'Мои\u0306 ответ', 'Написать код'),
    row('s3', 'gpt', null),
    ...Array.from({ length: 11 }, (_, i) => row(`t${i}`, long, 'Решить задачу (STEM)')),
  ]);
  const plan = await planDataset(file, { catalog: new SmallCatalog(), renderPrompt, tokenCounter: estimateTokenCounter(), template: 'paper', maxTokens: 100 });
  const lines = formatPlan(file, plan, null);
  const at = lines.indexOf('Evaluated models (4)');
  const models = lines.slice(at + 1, at + 5);
  assert.equal(models[0], `  ${long}  11 samples  11 requests`, 'a name over 40 columns overflows its own line');
  const end = (name: string) => models.find((l) => l.startsWith(`  ${name} `))!;
  // The others end in the same terminal column, the decomposed "й" counted as one.
  const ends = ['модель-й', 'Мои\u0306 ответ', 'gpt'].map((n) => textWidth(end(n)));
  assert.deepEqual(ends, [ends[0], ends[0], ends[0]]);
  assert.equal(end('gpt'), `  gpt${' '.repeat(37)}   1 samples   1 requests`);
  assert.ok(lines.slice(lines.indexOf('Task types (3)') + 1).some((l) => l === '  Решить задачу (STEM)  11 samples  11 requests'), lines.join('\n'));
});
