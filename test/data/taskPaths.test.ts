import assert from 'node:assert/strict';
import { test } from 'node:test';
import { runCli } from '../support/cli.ts';
import { readDataset } from '../../src/data/dataset.ts';
import { polluxCatalog } from '../../src/taxonomy/index.ts';
import { collect, polluxRow, tempDir, writeJsonl } from './helpers.ts';

const dir = tempDir();
const catalog = polluxCatalog();

// Sixteen keys share this name; the Python leaf uses one of them, which is not the first.
const NAME = 'Формальный учет требований из запроса пользователя';
// A rubric of the row's own (no catalog rubric is identical), so only the task can decide.
const ROW_RUBRIC = '0: требования не учтены\n\n1: учтены частично\n\n2: учтены полностью';
const PYTHON = ['Написать код', 'Python'];

function pythonKey(): string {
  const inLeaf = catalog.forTask(PYTHON)!.filter((c) => c.name.ru === NAME);
  assert.equal(inLeaf.length, 1);
  assert.notEqual(catalog.byName(NAME)!.key, inLeaf[0]!.key, 'the name alone picks another key');
  return inLeaf[0]!.key;
}

test('a sub-subtask the taxonomy does not know: the criterion is resolved in the deepest known task', async () => {
  const key = pythonKey();
  const file = writeJsonl(dir, 'deep.jsonl', [
    polluxRow({ task_type: 'Написать код', task_subtype: 'Python', task_subsubtype: 'Телеграм-бот на aiogram', criteria_name: NAME, rubrics: ROW_RUBRIC, criteria_score: 1 }),
    polluxRow({ answer: 'Второй', task_type: 'Написать код', task_subtype: 'Python', task_subsubtype: null, criteria_name: NAME, rubrics: ROW_RUBRIC, criteria_score: 1 }),
  ]);
  const reader = readDataset(file, { catalog });
  const items = await collect(reader);
  assert.deepEqual(
    items.map((i) => i.criteria[0]!.criterion.key),
    [key, key],
    'an unknown third level does not lose the known two',
  );
  assert.equal(reader.stats.taskPathsPartial, 1);
  assert.deepEqual(reader.stats.taskPathsUnmatchedFirst, [{ path: ['Написать код', 'Python', 'Телеграм-бот на aiogram'], matched: 2, rows: 1 }]);
});

test('a generic row without criteria takes the set of the deepest known task', async () => {
  const file = writeJsonl(dir, 'generic.jsonl', [
    { id: 'a', instruction: 'Напиши функцию', answer: 'def f(): pass', task_type: 'Написать код', task_subtype: 'Python', task_subsubtype: 'Неизвестная тема' },
  ]);
  const reader = readDataset(file, { catalog });
  const [item] = await collect(reader);
  assert.ok(item, `rejected: ${JSON.stringify(reader.stats.firstProblems)}`);
  assert.deepEqual(
    item.criteria.map((c) => c.criterion.key),
    catalog.forTask(PYTHON)!.map((c) => c.key),
  );
});

test('pollux plan reports rows matched only by a prefix and the distinct unmatched paths', async () => {
  const rows = [
    polluxRow({ task_type: 'Написать код', task_subtype: 'Python', task_subsubtype: 'Парсер', criteria_name: NAME, rubrics: ROW_RUBRIC, criteria_score: 1 }),
    polluxRow({ answer: 'Б', task_type: 'Написать код', task_subtype: 'Python', task_subsubtype: 'Парсер', criteria_name: NAME, rubrics: ROW_RUBRIC, criteria_score: 1 }),
    polluxRow({ answer: 'В', task_type: 'Написать код', task_subtype: 'Кобол', task_subsubtype: null, criteria_name: NAME, rubrics: ROW_RUBRIC, criteria_score: 1 }),
    polluxRow({ answer: 'Г', task_type: 'Задача, которой нет', task_subtype: null, criteria_name: NAME, rubrics: ROW_RUBRIC, criteria_score: 1 }),
    polluxRow({ answer: 'Д', task_type: 'Написать код', task_subtype: 'Python', task_subsubtype: null, criteria_name: NAME, rubrics: ROW_RUBRIC, criteria_score: 1 }),
  ];
  const file = writeJsonl(dir, 'plan-paths.jsonl', rows);
  const run = (args: string[]) => runCli(['plan', file, '--estimate-tokens', ...args], { cwd: dir });
  const r = await run(['--json']);
  assert.equal(r.code, 0, r.stderr);
  const plan = JSON.parse(r.stdout) as { rejected: number; taskPaths: { partialRows: number; distinct: number; first: Array<{ path: string[]; matched: number; rows: number }> } };
  assert.equal(plan.rejected, 0);
  assert.equal(plan.taskPaths.partialRows, 4);
  assert.equal(plan.taskPaths.distinct, 3);
  assert.deepEqual(plan.taskPaths.first, [
    { path: ['Написать код', 'Python', 'Парсер'], matched: 2, rows: 2 },
    { path: ['Написать код', 'Кобол'], matched: 1, rows: 1 },
    { path: ['Задача, которой нет'], matched: 0, rows: 1 },
  ]);
  const text = await run([]);
  assert.equal(text.code, 0, text.stderr);
  assert.match(text.stdout, /Task paths +4 rows matched the taxonomy only in part \(3 distinct paths\)/);
  assert.match(text.stdout, /Написать код > Python > Парсер +\(known: Написать код > Python; 2 rows\)/);
  assert.match(text.stdout, /Задача, которой нет +\(unknown task type; 1 rows\)/);
});
