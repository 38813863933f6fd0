import assert from 'node:assert/strict';
import { test } from 'node:test';
import { InputError } from '../../src/core/errors.ts';
import type { JudgeRequest } from '../../src/core/types.ts';
import { planDataset, validateDataset } from '../../src/data/plan.ts';
import { CHAT_TEMPLATE_TOKENS, estimateTokenCounter, loadQwenTokenCounter, type TokenCounter } from '../../src/data/tokens.ts';
import { renderPrompt } from '../../src/prompt/render.ts';
import { SmallCatalog, tempDir, writeJsonl } from './helpers.ts';

const dir = tempDir();
const catalog = new SmallCatalog();

/** One "token" per character: makes the expected counts easy to derive by hand. */
const perChar: TokenCounter = { method: 'estimate', description: 'one per character', count: (t) => t.length };

const rows = [
  { id: 's1', instruction: 'Короткое задание', answer: 'да', model_id: 'm1', task_type: 'Написать код', criteria: null },
  { id: 's2', instruction: 'Другое задание', answer: 'нет', model_id: 'm1', task_type: 'Написать код', criteria: ['general'] },
  { id: 's3', instruction: 'Третье', answer: 'Очень длинный ответ. '.repeat(200), model_id: 'm2', task_type: null, criteria: ['general', 'censor', 'facts'] },
  { id: 's4', instruction: '', answer: 'отклонён', criteria: ['general'] },
];

test('the plan counts rows, samples, models, task types, criteria per sample and rendered prompt tokens', async () => {
  const file = writeJsonl(dir, 'plan.jsonl', rows);
  const longest = 'Очень длинный ответ. '.repeat(200).length;
  const plan = await planDataset(file, { catalog, renderPrompt, tokenCounter: perChar, context: longest, maxTokens: 100, template: 'paper' });
  assert.equal(plan.shape, 'generic');
  assert.equal(plan.rows, 4);
  assert.equal(plan.rejected, 1);
  assert.equal(plan.samples, 3);
  assert.equal(plan.requests, 6);
  assert.deepEqual(plan.criteriaPerSample, { min: 1, mean: 2, max: 3 });
  assert.deepEqual(plan.evaluatedModels, [
    { value: 'm1', samples: 2, requests: 3 },
    { value: 'm2', samples: 1, requests: 3 },
  ]);
  assert.deepEqual(plan.taskTypes, [
    { value: 'Написать код', samples: 2, requests: 3 },
    { value: null, samples: 1, requests: 3 },
  ]);
  assert.equal(plan.distinctCriteria, 3);
  assert.equal(plan.customCriteria, 0);

  // The expected total, request by request: s1 gets the task type's set, s2 and s3 their lists.
  const sampleOf = (r: (typeof rows)[number]): JudgeRequest['sample'] => ({
    id: r.id, instruction: r.instruction, referenceAnswer: null, answer: r.answer, modelId: r.model_id ?? null,
    taskType: r.task_type ?? null, taskSubtype: null, taskSubsubtype: null, difficulty: null, domain: null,
  });
  const expected: Array<[number, string[]]> = [[0, ['censor', 'general']], [1, ['general']], [2, ['general', 'censor', 'facts']]];
  const lengths = expected.flatMap(([i, keys]) =>
    keys.map((k) => renderPrompt({ sample: sampleOf(rows[i]!), criterion: catalog.byKey(k)!, template: 'paper' }).length + CHAT_TEMPLATE_TOKENS),
  );
  assert.equal(plan.promptTokens.total, lengths.reduce((a, b) => a + b, 0));
  assert.equal(plan.promptTokens.max, Math.max(...lengths));
  assert.equal(plan.promptTokens.promptText, 'rendered');
  assert.equal(plan.promptTokens.template, 'paper');

  // Only the three requests of s3 carry the long answer, so only they overflow the context.
  assert.ok(plan.context);
  assert.equal(plan.context.overLimit, 3);
  assert.deepEqual(
    plan.context.firstOverLimit.map((r) => [r.sampleId, r.criterionKey]),
    [
      ['s3', 'general'],
      ['s3', 'censor'],
      ['s3', 'facts'],
    ],
  );
  assert.equal(plan.context.firstOverLimit[0]!.source?.line, 3);
});

test('without a renderer the prompt is approximated and said to be; the default counter is a labelled estimate', async () => {
  const file = writeJsonl(dir, 'approx.jsonl', rows.slice(0, 2));
  const plan = await planDataset(file, { catalog });
  assert.equal(plan.promptTokens.promptText, 'approximate');
  assert.equal(plan.promptTokens.method, 'estimate');
  assert.match(plan.promptTokens.description, /characters \/ 3\.2/);
  assert.equal(plan.context, null);
  assert.equal(estimateTokenCounter().count('абвгдеж'), 3);
});

test('validateDataset reports in lenient mode and throws at the first problem in strict mode', async () => {
  const file = writeJsonl(dir, 'validate.jsonl', rows);
  const report = await validateDataset(file, { catalog });
  assert.deepEqual(
    { ok: report.ok, rows: report.rows, rejected: report.rejected, samples: report.samples, requests: report.requests },
    { ok: false, rows: 4, rejected: 1, samples: 3, requests: 6 },
  );
  assert.equal(report.firstProblems[0]?.line, 4);
  await assert.rejects(validateDataset(file, { catalog, strict: true }), (err: unknown) => err instanceof InputError && err.location.line === 4);
});

test('the shipped Qwen tokenizer loads offline and counts tokens', async () => {
  const counter = await loadQwenTokenCounter();
  assert.ok(counter, 'the tokenizer packages are dependencies: they must load');
  assert.equal(counter.method, 'qwen-tokenizer');
  const n = counter.count('Оцените ответ модели по критерию.');
  assert.ok(n > 3 && n < 40);
});
