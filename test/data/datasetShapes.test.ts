import assert from 'node:assert/strict';
import { test } from 'node:test';
import { stableHash } from '../../src/core/hash.ts';
import { readDataset } from '../../src/data/dataset.ts';
import type { RowProblem } from '../../src/data/problems.ts';
import type { TableFormat } from '../../src/data/tableTypes.ts';
import {
  RUBRIC_01,
  RUBRIC_012,
  RUBRIC_FACTS_B,
  SmallCatalog,
  collect,
  criterionKeys,
  polluxRow,
  tempDir,
  toColumns,
  writeCsv,
  writeJsonl,
  writeParquet,
  writeRowsAs,
  type WriterSchema,
} from './helpers.ts';

const dir = tempDir();
const catalog = new SmallCatalog();

const writeRows = (format: TableFormat, name: string, rows: Record<string, unknown>[]): string => writeRowsAs(format, dir, name, rows);

const FORMATS: TableFormat[] = ['jsonl', 'json', 'csv', 'parquet'];

function polluxRows(): Record<string, unknown>[] {
  const second = { answer: 'Другой ответ про море.', model_id: 'o1' };
  return [
    polluxRow({ criteria_name: 'Общее впечатление', rubrics: RUBRIC_012, criteria_score: 1.5 }),
    polluxRow({ criteria_name: 'Цензор', rubrics: RUBRIC_01, criteria_score: 0 }),
    polluxRow({ criteria_name: 'Своя метрика', rubrics: '0: нет\n\n1: да', criteria_score: 1 }),
    polluxRow({ ...second, criteria_name: 'Общее впечатление', rubrics: RUBRIC_012, criteria_score: 2 }),
    polluxRow({ ...second, criteria_name: 'Фактическая точность', rubrics: RUBRIC_FACTS_B, criteria_score: 0.5 }),
  ];
}

for (const format of FORMATS) {
  test(`POLLUX rows (${format}): consecutive rows of one answer become one item with expert scores kept`, async () => {
    const file = writeRows(format, `pollux-${format}`, polluxRows());
    const reader = readDataset(file, { catalog });
    const items = await collect(reader);
    assert.equal(reader.stats.shape, 'pollux');
    assert.equal(items.length, 2);
    const [a, b] = items;
    assert.ok(a && b);
    assert.deepEqual(criterionKeys(a).slice(0, 2), ['general', 'censor']);
    assert.match(criterionKeys(a)[2] ?? '', /^custom:[0-9a-f]{12}$/);
    assert.deepEqual(
      a.criteria.map((c) => c.humanScore),
      [1.5, 0, 1],
    );
    assert.equal(a.criteria[1]?.criterion.gate, true, 'a catalog criterion keeps its identity (gate)');
    assert.equal(a.sample.modelId, 'gpt-4o');
    assert.equal(a.sample.referenceAnswer, null);
    assert.equal(a.sample.taskType, 'Написать художественный текст');
    assert.equal(a.sample.id, stableHash({ instruction: a.sample.instruction, reference_answer: null, answer: a.sample.answer, model_id: 'gpt-4o' }));
    assert.deepEqual(criterionKeys(b), ['general', 'facts']);
    assert.equal(b.criteria[1]?.criterion.rubric, RUBRIC_FACTS_B, 'judged with the row\'s own rubric');
    assert.equal(b.criteria[1]?.criterion.scale.max, 2);
    assert.deepEqual(reader.stats.files, [{ file, format, role: 'rows', rows: 5, rejected: 0, columns: Object.keys(polluxRow()) }]);
    assert.equal(reader.stats.requests, 5);
  });

  test(`generic rows (${format}): criteria as keys, as {name, rubric}, from the task type, or from --criterion`, async () => {
    const rows = [
      { id: 'a', instruction: 'Напиши функцию.', answer: 'def f(): pass', model_id: 'm1', task_type: 'Написать код', criteria: null },
      { id: 'b', instruction: 'Задание 2', answer: 'ответ', model_id: 'm1', task_type: null, criteria: ['general', 'censor'] },
      { id: 'c', instruction: 'Задание 3', answer: '', model_id: 'm2', task_type: null, criteria: [{ name: 'Краткость', rubric: { '1': 'коротко', '0': 'длинно' } }] },
      { id: 'd', instruction: 'Задание 4', answer: 'ответ', model_id: 'm2', task_type: 'Неизвестная задача', criteria: null },
    ];
    const file = writeRows(format, `generic-${format}`, format === 'parquet' ? rows.map((r) => ({ ...r, criteria: r.criteria === null ? null : JSON.stringify(r.criteria) })) : rows);
    const found: RowProblem[] = [];
    const items = await collect(readDataset(file, { catalog, onProblem: (p) => found.push(p) }));
    assert.deepEqual(
      items.map((i) => i.sample.id),
      ['a', 'b', 'c'],
    );
    assert.deepEqual(criterionKeys(items[0]!), ['censor', 'general']);
    assert.deepEqual(criterionKeys(items[1]!), ['general', 'censor']);
    const custom = items[2]!.criteria[0]!.criterion;
    assert.equal(custom.rubric, '0: длинно\n\n1: коротко', 'a mapping is rendered in ascending order');
    assert.equal(custom.scale.kind, 'binary');
    assert.equal(items[2]!.sample.answer, '');
    assert.equal(found.length, 1);
    assert.match(found[0]!.message, /no criteria.*"Неизвестная задача"/);
    assert.equal(found[0]!.column, 'criteria');

    const withFlag = await collect(readDataset(file, { catalog, criteria: ['general'] }));
    assert.deepEqual(
      withFlag.map((i) => criterionKeys(i)),
      [['general'], ['general', 'censor'], [custom.key], ['general']],
      '--criterion applies to every row without its own list, ahead of the task type set',
    );
  });
}

test('POLLUX-instructions rows joined with an answers file by prompt_id', async () => {
  const instructions = writeJsonl(dir, 'instructions.jsonl', [
    { prompt_id: 1, instruction: 'Объясни.', reference_answer: 'Эталон', criteria: [{ criteria_name: 'Общее впечатление', rubrics: RUBRIC_012 }], task_type: 'X' },
    { prompt_id: 2, instruction: 'Переведи.', reference_answer: null, criteria: [], task_type: 'Написать код' },
    { prompt_id: 3, instruction: 'Без ответов.', criteria: ['general'] },
    { prompt_id: 4, instruction: 'Плохой критерий.', criteria: [{ criteria_name: 'Ъ', rubrics: 'просто текст без шкалы' }] },
  ]);
  const answers = writeCsv(dir, 'answers.csv', [
    { prompt_id: '1', model_id: 'new-model', answer: 'Ответ 1' },
    { prompt_id: '2', model_id: 'new-model', answer: 'Ответ 2' },
    { prompt_id: '9', model_id: 'new-model', answer: 'к неизвестной' },
    { prompt_id: '4', model_id: 'new-model', answer: 'к отклонённой' },
    { prompt_id: '1', model_id: 'new-model', answer: 'Ответ 1' },
  ]);
  const found: RowProblem[] = [];
  const reader = readDataset(instructions, { catalog, answers, onProblem: (p) => found.push(p) });
  const items = await collect(reader);
  assert.equal(reader.stats.shape, 'instructions');
  assert.deepEqual(
    items.map((i) => [i.sample.answer, i.sample.referenceAnswer, criterionKeys(i)]),
    [
      ['Ответ 1', 'Эталон', ['general']],
      ['Ответ 2', null, ['censor', 'general']],
    ],
  );
  assert.deepEqual(
    found.map((p) => [p.file === answers ? 'answers' : 'instructions', p.line, p.column]),
    [
      ['instructions', 4, 'criteria'],
      ['answers', 4, 'prompt_id'],
      ['answers', 5, 'prompt_id'],
      ['answers', 6, 'answer'],
    ],
  );
  assert.match(found[0]!.message, /criteria\[0\]: cannot find the scale/);
  assert.match(found[1]!.message, /no instruction has prompt_id "9"/);
  assert.match(found[2]!.message, /was rejected/);
  assert.match(found[3]!.message, /duplicate answer/);
  assert.equal(reader.stats.instructionsWithoutAnswers, 1);
  assert.deepEqual(reader.stats.instructionsWithoutAnswersFirst, ['3']);
  assert.deepEqual(
    reader.stats.files.map((f) => [f.role, f.rows, f.rejected]),
    [
      ['instructions', 4, 1],
      ['answers', 5, 3],
    ],
  );
});

test('instructions without --answers, or --answers with another shape, is a usage error', async () => {
  const instructions = writeJsonl(dir, 'only-instructions.jsonl', [{ prompt_id: 1, instruction: 'x', criteria: ['general'] }]);
  await assert.rejects(collect(readDataset(instructions, { catalog })), /--answers FILE/);
  const pollux = writeJsonl(dir, 'pollux-for-answers.jsonl', [polluxRow()]);
  await assert.rejects(collect(readDataset(pollux, { catalog, answers: instructions })), /--answers is for POLLUX-instructions/);
});

test('column mapping renames the user\'s columns to ours, and problems name the user\'s column', async () => {
  const file = writeJsonl(dir, 'mapped.jsonl', [
    { prompt: 'Вопрос', response: 'Ответ', model: 'm', crit: ['general'] },
    { prompt: 'Вопрос 2', model: 'm', crit: ['general'] },
  ]);
  const found: RowProblem[] = [];
  const items = await collect(
    readDataset(file, { catalog, map: { instruction: 'prompt', answer: 'response', model_id: 'model', criteria: 'crit' }, onProblem: (p) => found.push(p) }),
  );
  assert.equal(items.length, 1);
  assert.equal(items[0]!.sample.answer, 'Ответ');
  assert.equal(items[0]!.sample.modelId, 'm');
  assert.deepEqual(
    found.map((p) => [p.line, p.column, p.message]),
    [[2, 'response', 'missing column "response"']],
  );
});

test('POLLUX-instructions as Parquet with a native list<struct> criteria column, answers as Parquet too', async () => {
  const schema: WriterSchema = [
    { name: 'root', num_children: 4 },
    { name: 'prompt_id', type: 'INT64', repetition_type: 'REQUIRED' },
    { name: 'instruction', type: 'BYTE_ARRAY', converted_type: 'UTF8', repetition_type: 'REQUIRED' },
    { name: 'reference_answer', type: 'BYTE_ARRAY', converted_type: 'UTF8', repetition_type: 'OPTIONAL' },
    { name: 'criteria', repetition_type: 'OPTIONAL', converted_type: 'LIST', num_children: 1 },
    { name: 'list', repetition_type: 'REPEATED', num_children: 1 },
    { name: 'element', repetition_type: 'OPTIONAL', num_children: 2 },
    { name: 'criteria_name', type: 'BYTE_ARRAY', converted_type: 'UTF8', repetition_type: 'OPTIONAL' },
    { name: 'rubrics', type: 'BYTE_ARRAY', converted_type: 'UTF8', repetition_type: 'OPTIONAL' },
  ];
  const instructions = writeParquet(
    dir,
    'instructions.parquet',
    {
      prompt_id: [10n, 11n],
      instruction: ['Первое', 'Второе'],
      reference_answer: [null, 'эталон'],
      criteria: [
        [{ criteria_name: 'Общее впечатление', rubrics: RUBRIC_012 }, { criteria_name: 'Цензор', rubrics: RUBRIC_01 }],
        [{ criteria_name: 'Общее впечатление', rubrics: RUBRIC_012 }],
      ],
    },
    { schema },
  );
  const answers = writeParquet(dir, 'answers.parquet', toColumns([
    { prompt_id: 11, model_id: 'x', answer: 'ответ на второе' },
    { prompt_id: 10, model_id: 'x', answer: 'ответ на первое' },
  ]));
  const reader = readDataset(instructions, { catalog, answers });
  const items = await collect(reader);
  assert.deepEqual(
    items.map((i) => [i.sample.instruction, i.sample.referenceAnswer, i.sample.source?.row, criterionKeys(i)]),
    [
      ['Второе', 'эталон', 1, ['general']],
      ['Первое', null, 2, ['general', 'censor']],
    ],
  );
  assert.equal(reader.stats.rejected, 0);
  assert.equal(reader.stats.requests, 3);
});
