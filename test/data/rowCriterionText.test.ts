import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { runCli } from '../support/cli.ts';
import { readDataset } from '../../src/data/dataset.ts';
import { planDataset } from '../../src/data/plan.ts';
import { CHAT_TEMPLATE_TOKENS, estimateTokenCounter } from '../../src/data/tokens.ts';
import type { RowProblem } from '../../src/data/problems.ts';
import { renderPrompt } from '../../src/prompt/index.ts';
import { polluxCatalog } from '../../src/taxonomy/index.ts';
import { collect, polluxRow, tempDir, toColumns, writeCsv, writeJsonl, writeParquet } from './helpers.ts';

const dir = tempDir();
const catalog = polluxCatalog();
const general = catalog.byKey('general')!;
const censor = catalog.byKey('censor')!;

// The row spells the catalog name loosely: lower case first letter and a trailing space.
const LOOSE_NAME = 'общее впечатление от ответа модели ';
// The row's rubric differs from the catalog's in its texts.
const ROW_RUBRIC = '0: Плохо, совсем.\n\n1: Средне.\n\n2: Отлично!';

async function pollux(args: string[]): Promise<{ status: number | null; stdout: string; stderr: string }> {
  const r = await runCli(args, { cwd: dir });
  return { status: r.code, stdout: r.stdout, stderr: r.stderr };
}

test('a loosely named catalog criterion is judged with the row\'s own name and rubric, byte for byte', async () => {
  assert.equal(general.name.ru, 'Общее впечатление от ответа модели', 'the catalog spelling this test departs from');
  const file = writeJsonl(dir, 'loose.jsonl', [
    polluxRow({ criteria_name: LOOSE_NAME, rubrics: ROW_RUBRIC, criteria_score: 1 }),
    polluxRow({ answer: 'Другой ответ', criteria_name: 'General impression of the LLM’s output', rubrics: general.rubric, criteria_score: 2 }),
  ]);
  const [item, other] = await collect(readDataset(file, { catalog }));
  assert.ok(item && other);
  const [loose, english] = [item.criteria[0]?.criterion, other.criteria[0]?.criterion];
  assert.ok(loose && english);
  assert.equal(loose.key, 'general', 'the catalog still decides the key');
  assert.equal(loose.group, general.group);
  assert.equal(loose.name.ru, LOOSE_NAME);
  assert.equal(loose.rubric, ROW_RUBRIC);
  assert.equal(english.key, 'general');
  assert.equal(english.name.ru, 'General impression of the LLM’s output');
  for (const template of ['paper', 'v2'] as const) {
    const prompt = renderPrompt({ sample: item.sample, criterion: loose, template });
    assert.ok(prompt.includes(`### Критерий оценки:\n${LOOSE_NAME}\n`), prompt);
    assert.ok(!prompt.includes(general.name.ru), 'the catalog spelling is not sent');
    assert.ok(prompt.includes(ROW_RUBRIC));
  }
});

test('batch export sends the row\'s own criterion name; plan counts the same prompt', async () => {
  const file = writeJsonl(dir, 'loose-export.jsonl', [polluxRow({ criteria_name: LOOSE_NAME, rubrics: ROW_RUBRIC })]);
  const out = join(dir, 'requests.jsonl');
  const r = await pollux(['batch', 'export', file, '-o', out, '--model', 'judge', '--out', join(dir, 'loose.sqlite')]);
  assert.equal(r.status, 0, r.stderr);
  const line = JSON.parse(readFileSync(out, 'utf8').trim()) as { body: { messages: Array<{ content: string }> } };
  const content = line.body.messages[0]!.content;
  assert.ok(content.includes(`### Критерий оценки:\n${LOOSE_NAME}\n`), content);
  assert.ok(!content.includes(general.name.ru));

  // plan counts the prompt it would send: one character per token makes the count the prompt length.
  const exactName = writeJsonl(dir, 'exact-export.jsonl', [polluxRow({ criteria_name: general.name.ru, rubrics: ROW_RUBRIC })]);
  const tokens = async (f: string) =>
    (await planDataset(f, { catalog, renderPrompt, tokenCounter: estimateTokenCounter(1) })).promptTokens.total;
  const [loose, exact] = [await tokens(file), await tokens(exactName)];
  assert.equal(loose - exact, LOOSE_NAME.length - general.name.ru.length);
  assert.equal(loose, content.length + CHAT_TEMPLATE_TOKENS);
});

test('a criterion named like a gate but given a 0–2 rubric is not a gate; a 0/1 row of a gate is', async () => {
  const file = writeJsonl(dir, 'gate-scale.jsonl', [
    polluxRow({ criteria_name: censor.name.ru, rubrics: '0: нет\n\n1: частично\n\n2: да', criteria_score: 1 }),
    polluxRow({ answer: 'Второй ответ', criteria_name: censor.name.ru, rubrics: censor.rubric, criteria_score: 0 }),
  ]);
  const items = await collect(readDataset(file, { catalog }));
  assert.equal(items.length, 2);
  const [wide, zeroOne] = items.map((i) => i.criteria[0]!.criterion);
  assert.equal(wide!.key, 'censor');
  assert.equal(wide!.gate, false);
  assert.equal(wide!.scale.max, 2);
  assert.equal(zeroOne!.gate, true);
});

for (const format of ['jsonl', 'csv', 'parquet'] as const) {
  test(`an empty rubric cell (${format}) is a located problem; --fill-rubrics takes the catalog's rubric under the row's name`, async () => {
    const rows = [
      polluxRow({ criteria_name: censor.name.ru, rubrics: censor.rubric, criteria_score: 0 }),
      polluxRow({ criteria_name: LOOSE_NAME, rubrics: format === 'parquet' ? null : '' }),
    ];
    const file =
      format === 'jsonl' ? writeJsonl(dir, 'empty-rubric.jsonl', rows) : format === 'csv' ? writeCsv(dir, 'empty-rubric.csv', rows) : writeParquet(dir, 'empty-rubric.parquet', toColumns(rows));
    const problems: RowProblem[] = [];
    const reader = readDataset(file, { catalog, onProblem: (p) => problems.push(p) });
    const items = await collect(reader);
    assert.equal(reader.stats.rejected, 1);
    assert.equal(items.flatMap((i) => i.criteria).length, 1);
    assert.equal(problems.length, 1);
    assert.equal(problems[0]!.column, 'rubrics');
    assert.match(problems[0]!.message, /rubric cell is empty.*--fill-rubrics/);
    assert.ok(problems[0]!.line !== undefined || problems[0]!.row !== undefined, 'the problem is located');

    const filled = await collect(readDataset(file, { catalog, fillRubrics: true }));
    const criteria = filled.flatMap((i) => i.criteria.map((c) => c.criterion));
    assert.equal(criteria.length, 2);
    assert.equal(criteria[1]!.key, 'general');
    assert.equal(criteria[1]!.rubric, general.rubric);
    assert.equal(criteria[1]!.name.ru, LOOSE_NAME);
  });
}

test('pollux plan: an empty rubric cell is reported and rejected, and accepted with --fill-rubrics', async () => {
  const file = writeJsonl(dir, 'plan-empty.jsonl', [polluxRow({ criteria_name: general.name.ru, rubrics: '' })]);
  const r = await pollux(['plan', file, '--json', '--estimate-tokens']);
  const plan = JSON.parse(r.stdout) as { rejected: number; requests: number };
  assert.equal(plan.rejected, 1);
  assert.equal(plan.requests, 0);
  const f = await pollux(['plan', file, '--json', '--estimate-tokens', '--fill-rubrics']);
  assert.equal(f.status, 0, f.stderr);
  assert.equal((JSON.parse(f.stdout) as { requests: number }).requests, 1);
});

test('a criteria list element with an empty rubric is rejected unless --fill-rubrics', async () => {
  const file = writeJsonl(dir, 'generic-empty.jsonl', [
    { instruction: 'Вопрос', answer: 'Ответ', criteria: [{ name: LOOSE_NAME, rubric: '' }] },
  ]);
  const problems: RowProblem[] = [];
  const reader = readDataset(file, { catalog, onProblem: (p) => problems.push(p) });
  assert.equal((await collect(reader)).length, 0);
  assert.match(problems[0]!.message, /criteria\[0\]: the rubric is empty/);
  const [item] = await collect(readDataset(file, { catalog, fillRubrics: true }));
  assert.equal(item!.criteria[0]!.criterion.name.ru, LOOSE_NAME);
  assert.equal(item!.criteria[0]!.criterion.rubric, general.rubric);
});
