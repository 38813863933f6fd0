import assert from 'node:assert/strict';
import { test } from 'node:test';
import { InputError } from '../../src/core/errors.ts';
import { readTable, tableFormatOf } from '../../src/data/table.ts';
import { collect, records, tempDir, writeJsonl, writeParquet, writeText, type WriterSchema } from './helpers.ts';

const dir = tempDir();

test('Parquet: rows of every row group come out in order, numbered across the file', async () => {
  const n = 2500;
  const file = writeParquet(
    dir,
    'groups.parquet',
    {
      id: Array.from({ length: n }, (_, i) => `s${i}`),
      answer: Array.from({ length: n }, (_, i) => `ответ ${i}`),
      criteria_score: Array.from({ length: n }, (_, i) => (i % 3) / 2),
      count: Array.from({ length: n }, (_, i) => BigInt(i)),
    },
    { rowGroupSize: 1000 },
  );
  const items = await collect(readTable(file));
  assert.equal(items.length, n);
  assert.deepEqual(records(items)[1234], { id: 's1234', answer: 'ответ 1234', criteria_score: 0.5, count: 1234 });
  assert.deepEqual(items[2499]?.location, { file, row: 2500 });
});

test('Parquet: a native list<struct> column (the POLLUX-instructions criteria) arrives as objects', async () => {
  const schema: WriterSchema = [
    { name: 'root', num_children: 2 },
    { name: 'prompt_id', type: 'INT64', repetition_type: 'REQUIRED' },
    { name: 'criteria', repetition_type: 'OPTIONAL', converted_type: 'LIST', num_children: 1 },
    { name: 'list', repetition_type: 'REPEATED', num_children: 1 },
    { name: 'element', repetition_type: 'OPTIONAL', num_children: 2 },
    { name: 'criteria_name', type: 'BYTE_ARRAY', converted_type: 'UTF8', repetition_type: 'OPTIONAL' },
    { name: 'rubrics', type: 'BYTE_ARRAY', converted_type: 'UTF8', repetition_type: 'OPTIONAL' },
  ];
  const criteria = [{ criteria_name: 'Общее впечатление', rubrics: '0: плохо\n\n1: хорошо' }];
  const file = writeParquet(dir, 'nested.parquet', { prompt_id: [7n], criteria: [criteria] }, { schema });
  assert.deepEqual(records(await collect(readTable(file))), [{ prompt_id: 7, criteria }]);
});

test('format comes from the extension, --format overrides it, and an unknown one asks for --format', async () => {
  assert.equal(tableFormatOf('a/b.JSONL'), 'jsonl');
  assert.equal(tableFormatOf('b.parquet'), 'parquet');
  assert.throws(() => tableFormatOf('data.txt'), (err: unknown) => err instanceof InputError && /--format/.test(err.message));
  const file = writeText(dir, 'rows.txt', '{"a":1}\n');
  assert.deepEqual(records(await collect(readTable(file, { format: 'jsonl' }))), [{ a: 1 }]);
  await assert.rejects(collect(readTable(`${dir}/missing.jsonl`)), (err: unknown) => err instanceof InputError && /cannot read/.test(err.message));
  const notParquet = writeJsonl(dir, 'fake.parquet', [{ a: 1 }]);
  await assert.rejects(collect(readTable(notParquet)), /not a readable Parquet file/);
});
