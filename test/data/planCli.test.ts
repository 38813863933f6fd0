import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { runCli } from '../support/cli.ts';
import { polluxCatalog } from '../../src/taxonomy/index.ts';
import { polluxRow, tempDir, toColumns, writeCsv, writeJsonl, writeParquet, writeText } from './helpers.ts';

const dir = tempDir();

async function pollux(args: string[]): Promise<{ status: number | null; stdout: string; stderr: string }> {
  const r = await runCli(args, { cwd: dir });
  return { status: r.code, stdout: r.stdout, stderr: r.stderr };
}

const general = polluxCatalog().byKey('general');
const censor = polluxCatalog().byKey('censor');

function rowsFor(answer: string, model: string): Record<string, unknown>[] {
  return [
    polluxRow({ answer, model_id: model, criteria_name: general!.name.ru, rubrics: general!.rubric, criteria_score: 1 }),
    polluxRow({ answer, model_id: model, criteria_name: censor!.name.ru, rubrics: censor!.rubric, criteria_score: 0 }),
  ];
}

test('pollux plan --json on a Parquet POLLUX dataset: one JSON object with the counts', async () => {
  const rows = [...rowsFor('Первый ответ', 'o1'), ...rowsFor('Второй ответ', 'o1'), ...rowsFor('Третий ответ', 'gpt-4o')];
  const file = writeParquet(dir, 'pollux.parquet', toColumns(rows), { rowGroupSize: 4 });
  const r = await pollux(['plan', file, '--json', '--estimate-tokens', '--context', '4096']);
  assert.equal(r.status, 0, r.stderr);
  const plan = JSON.parse(r.stdout) as Record<string, unknown> & { promptTokens: { method: string }; context: { overLimit: number } };
  assert.equal(plan.shape, 'pollux');
  assert.equal(plan.rows, 6);
  assert.equal(plan.rejected, 0);
  assert.equal(plan.samples, 3);
  assert.equal(plan.requests, 6);
  assert.equal(plan.humanScores, 6);
  assert.deepEqual(plan.evaluatedModels, [
    { value: 'o1', samples: 2, requests: 4 },
    { value: 'gpt-4o', samples: 1, requests: 2 },
  ]);
  assert.equal(plan.customCriteria, 0);
  assert.equal(plan.promptTokens.method, 'estimate');
  assert.equal(plan.context.overLimit, 0);
});

test('pollux plan: human output with problems; --rejects writes them all; --strict exits 2 naming the row', async () => {
  const good = rowsFor('Ответ', 'm');
  const file = writeCsv(dir, 'mixed.csv', [...good, { ...good[0], answer: 'Другой', rubrics: 'без уровней' }]);
  // Rubrics span several lines inside quotes, so the bad record starts on the line holding its answer.
  const text = readFileSync(file, 'utf8');
  const badLine = text.slice(0, text.indexOf('Другой')).split('\n').length;
  assert.ok(badLine > 4);
  const rejects = join(dir, 'plan.rejects.jsonl');
  const r = await pollux(['plan', file, '--rejects', rejects, '--estimate-tokens']);
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /Rows +3 read, 1 rejected \(1 problems\)/);
  assert.ok(r.stdout.includes(`mixed.csv:${badLine}, field "rubrics": cannot find the scale`), r.stdout);
  assert.match(r.stdout, /Requests +2 \(sample × criterion\), 2 with an expert score/);
  assert.match(r.stdout, /Prompt tokens \(estimate: characters \/ 3\.2, template paper/);
  const written = readFileSync(rejects, 'utf8').trim().split('\n');
  assert.equal(written.length, 1);
  assert.equal(JSON.parse(written[0]!).line, badLine);

  const strict = await pollux(['plan', file, '--strict']);
  assert.equal(strict.status, 2);
  assert.equal(strict.stdout, '');
  assert.ok(strict.stderr.includes(`mixed.csv:${badLine}, field "rubrics": cannot find the scale`), strict.stderr);
});

test('pollux plan: column mapping, --criterion for generic rows, and a bad extension asks for --format', async () => {
  const file = writeJsonl(dir, 'mine.jsonl', [
    { q: 'Вопрос 1', response: 'Ответ 1', model: 'a' },
    { q: 'Вопрос 2', response: 'Ответ 2', model: 'b' },
  ]);
  const r = await pollux(['plan', file, '--map', 'instruction=q,answer=response', '--map', 'model_id=model', '--criterion', 'general', '--criterion', 'censor', '--json', '--estimate-tokens']);
  assert.equal(r.status, 0, r.stderr);
  const plan = JSON.parse(r.stdout) as { samples: number; requests: number; criteriaPerSample: unknown };
  assert.equal(plan.samples, 2);
  assert.equal(plan.requests, 4);
  assert.deepEqual(plan.criteriaPerSample, { min: 2, mean: 2, max: 2 });

  const unknown = await pollux(['plan', file, '--criterion', 'no_such_key']);
  assert.equal(unknown.status, 2);
  assert.match(unknown.stderr, /unknown criterion key "no_such_key"/);

  const txt = writeText(dir, 'rows.txt', '{}\n');
  const bad = await pollux(['plan', txt]);
  assert.equal(bad.status, 2);
  assert.match(bad.stderr, /--format/);
});
