import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { EXIT, InputError } from '../../src/core/errors.ts';
import { readDataset } from '../../src/data/dataset.ts';
import { RejectsWriter, rejectsPathFor, summarizeProblems, type RowProblem } from '../../src/data/problems.ts';
import { polluxCatalog } from '../../src/taxonomy/index.ts';
import { RUBRIC_012, SmallCatalog, collect, criterionKeys, polluxRow, tempDir, writeJsonl, writeText } from './helpers.ts';

const dir = tempDir();
const catalog = new SmallCatalog();

function generic(id: string | null, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { ...(id === null ? {} : { id }), instruction: `Задание ${id ?? ''}`, answer: 'Ответ', criteria: ['general'], ...extra };
}

test('every kind of bad row is rejected with file, line and column; good rows around it are kept', async () => {
  const lines = [
    JSON.stringify(polluxRow()),
    JSON.stringify(polluxRow({ instruction: undefined })),
    JSON.stringify(polluxRow({ rubrics: 'оценивай как хочешь', criteria_name: 'Новая' })),
    JSON.stringify(polluxRow({ criteria_score: 7 })),
    JSON.stringify(polluxRow({ criteria_score: 'высокий', criteria_name: 'Цензор' })),
    '{"instruction": "обрыв',
    JSON.stringify(polluxRow({ answer: { text: 'не текст' }, criteria_name: 'Цензор', criteria_score: 0 })),
    JSON.stringify(polluxRow({ criteria_name: 'Цензор', rubrics: '0: нет\n\n1: да', criteria_score: 1 })),
  ];
  const file = writeText(dir, 'bad-rows.jsonl', lines.join('\n') + '\n');
  const found: RowProblem[] = [];
  const reader = readDataset(file, { catalog, onProblem: (p) => found.push(p) });
  const items = await collect(reader);
  assert.equal(items.length, 1);
  assert.deepEqual(criterionKeys(items[0]!), ['general', 'censor']);
  assert.deepEqual(
    found.map((p) => [p.line, p.column]),
    [
      [2, 'instruction'],
      [3, 'rubrics'],
      [4, 'criteria_score'],
      [5, 'criteria_score'],
      [6, undefined],
      [7, 'answer'],
    ],
  );
  assert.match(found[0]!.message, /missing column "instruction"/);
  assert.match(found[1]!.message, /cannot find the scale/);
  assert.match(found[2]!.message, /criteria_score 7 is outside the rubric's scale 0–2/);
  assert.match(found[3]!.message, /expected a number/);
  assert.match(found[5]!.message, /expected text, got an object/);
  assert.ok(found.every((p) => p.file === file));
  assert.equal(reader.stats.rows, 8);
  assert.equal(reader.stats.rejected, 6);
});

test('strict mode stops at the first problem with an InputError (exit 2) naming the place', async () => {
  const file = writeJsonl(dir, 'strict.jsonl', [generic('a'), generic('b', { answer: null }), generic('c')]);
  const seen: RowProblem[] = [];
  const reader = readDataset(file, { catalog, strict: true, onProblem: (p) => seen.push(p) });
  await assert.rejects(collect(reader), (err: unknown) => {
    assert.ok(err instanceof InputError);
    assert.equal(err.exitCode, EXIT.usage);
    assert.deepEqual(err.location, { file, line: 2, row: 2, field: 'answer' });
    assert.match(err.message, /strict\.jsonl:2, field "answer": is empty/);
    return true;
  });
  assert.equal(seen.length, 1);
});

test('duplicate ids: the second occurrence is rejected and points at the first', async () => {
  const file = writeJsonl(dir, 'dups.jsonl', [generic('a'), generic('b'), generic('a'), generic(null), generic(null)]);
  const found: RowProblem[] = [];
  const items = await collect(readDataset(file, { catalog, onProblem: (p) => found.push(p) }));
  assert.equal(items.length, 3);
  assert.deepEqual(
    found.map((p) => [p.line, p.column, p.message]),
    [
      [3, 'id', 'duplicate id "a" (first at line 1)'],
      [5, undefined, 'duplicate row: the same instruction, reference, answer and model as line 4'],
    ],
  );
});

test('POLLUX rows: a repeated (answer, criterion) pair is rejected; non-consecutive rows of one answer are counted', async () => {
  const other = { answer: 'Второй ответ' };
  const file = writeJsonl(dir, 'regroup.jsonl', [
    polluxRow(),
    polluxRow(other),
    polluxRow({ criteria_name: 'Цензор', rubrics: '0: нет\n\n1: да', criteria_score: 0 }),
    polluxRow(),
  ]);
  const found: RowProblem[] = [];
  const reader = readDataset(file, { catalog, onProblem: (p) => found.push(p) });
  const items = await collect(reader);
  assert.deepEqual(
    items.map((i) => [i.sample.answer, criterionKeys(i)]),
    [
      ['Море шумит, волна бежит.', ['general']],
      ['Второй ответ', ['general']],
      ['Море шумит, волна бежит.', ['censor']],
    ],
  );
  assert.equal(items[0]!.sample.id, items[2]!.sample.id);
  assert.equal(reader.stats.regroupedSamples, 1);
  assert.equal(found.length, 1);
  assert.equal(found[0]!.line, 4);
  assert.match(found[0]!.message, /already has criterion "Общее впечатление" \(first at line 1\)/);
});

test('lenient mode: all problems go to the rejects file, the summary shows the first 20 and the counts', async () => {
  const rows = Array.from({ length: 30 }, (_, i) => (i % 6 === 0 ? generic(`ok${i}`) : generic(`bad${i}`, { instruction: '' })));
  const file = writeJsonl(dir, 'many-bad.jsonl', rows);
  const rejectsPath = rejectsPathFor(join(dir, 'run-out.sqlite'));
  assert.equal(rejectsPath, join(dir, 'run-out.rejects.jsonl'));
  const writer = new RejectsWriter(rejectsPath);
  const reader = readDataset(file, { catalog, onProblem: (p) => writer.write(p) });
  const items = await collect(reader);
  assert.equal(writer.close(), rejectsPath);
  assert.equal(items.length, 5);
  const written = readFileSync(rejectsPath, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as RowProblem);
  assert.equal(written.length, 25);
  assert.deepEqual(written[0], { file, line: 2, row: 2, column: 'instruction', message: 'is empty' });
  assert.equal(reader.stats.firstProblems.length, 20);
  const summary = summarizeProblems({
    rows: reader.stats.rows,
    rejected: reader.stats.rejected,
    problemCount: reader.stats.problemCount,
    firstProblems: reader.stats.firstProblems,
    rejectsFile: rejectsPath,
  });
  assert.equal(summary[0], '30 rows read, 25 rejected (25 problems)');
  assert.equal(summary.length, 1 + 20 + 2);
  assert.match(summary[1]!, /many-bad\.jsonl:2, field "instruction": is empty/);
  assert.equal(summary[21], '  … and 5 more');
  assert.equal(new RejectsWriter(join(dir, 'never.jsonl')).close(), null, 'no problems, no file');
});

test('a 5 MB answer and invalid UTF-8 in a dataset row: the big one is read, the bad one counted', async () => {
  const big = 'ы'.repeat(2_600_000);
  const body = Buffer.concat([
    Buffer.from(JSON.stringify(generic('big', { answer: big })) + '\n'),
    Buffer.from('{"id":"bad","instruction":"'),
    Buffer.from([0xe2, 0x82]),
    Buffer.from('","answer":"x","criteria":["general"]}\n'),
  ]);
  const reader = readDataset(writeText(dir, 'big-and-bad.jsonl', body), { catalog });
  const items = await collect(reader);
  assert.equal(items.length, 1);
  assert.equal(items[0]!.sample.answer.length, big.length);
  assert.equal(reader.stats.rejected, 1);
  assert.match(reader.stats.firstProblems[0]!.message, /not valid UTF-8/);
});

test('with the POLLUX taxonomy, a shared name resolves by rubric and task, and gates are recognised', async () => {
  const taxonomy = polluxCatalog();
  const facts2 = taxonomy.byKey('facts__2')!;
  const censor = taxonomy.byKey('censor')!;
  const file = writeJsonl(dir, 'taxonomy.jsonl', [
    polluxRow({ criteria_name: facts2.name.ru, rubrics: facts2.rubric, criteria_score: 2 }),
    polluxRow({ criteria_name: censor.name.ru, rubrics: censor.rubric, criteria_score: 0 }),
    polluxRow({ criteria_name: 'Критерий, которого нет', rubrics: RUBRIC_012, criteria_score: 1 }),
  ]);
  const [item] = await collect(readDataset(file, { catalog: taxonomy }));
  assert.ok(item);
  assert.deepEqual(criterionKeys(item).slice(0, 2), ['facts__2', 'censor']);
  assert.equal(item.criteria[1]!.criterion.gate, true);
  assert.match(criterionKeys(item)[2]!, /^custom:/);
});
