import assert from 'node:assert/strict';
import { test } from 'node:test';
import { InputError } from '../../src/core/errors.ts';
import { readTable } from '../../src/data/table.ts';
import { collect, problems, records, tempDir, writeText } from './helpers.ts';

const dir = tempDir();

test('JSON array: elements stream out with the line they start on; brackets and quotes inside strings do not confuse it', async () => {
  const rows = [
    { id: 1, text: 'скобки ] } [ { и запятые, "кавычки"' },
    { id: 2, nested: { list: [1, [2, { x: '\\' }]] } },
    { id: 3, text: 'строка\nс переводом' },
  ];
  const file = writeText(dir, 'ok.json', `\ufeff[\n  ${JSON.stringify(rows[0])},\n\n  ${JSON.stringify(rows[1], null, 2)},\n  ${JSON.stringify(rows[2])}\n]\n`);
  const items = await collect(readTable(file));
  assert.deepEqual(records(items), rows);
  assert.deepEqual(
    items.map((i) => [i.location.line, i.location.row]),
    [
      [2, 1],
      [4, 2],
      [18, 3], // the second element is pretty-printed over 14 lines
    ],
  );
});

test('JSON array: elements larger than a read chunk are reassembled', async () => {
  const rows = Array.from({ length: 5 }, (_, i) => ({ id: i, answer: `${i}:${'я'.repeat(700_000)}` }));
  const file = writeText(dir, 'big.json', JSON.stringify(rows));
  assert.deepEqual(records(await collect(readTable(file))), rows);
});

test('JSON array: a malformed or non-object element is a problem of that element only', async () => {
  const file = writeText(dir, 'bad.json', '[{"a":1},\n{"a": tru},\n"text",\n{"a":4}]');
  const items = await collect(readTable(file));
  assert.deepEqual(records(items), [{ a: 1 }, { a: 4 }]);
  assert.deepEqual(
    problems(items).map((p) => [p.line, p.row]),
    [
      [2, 2],
      [3, 3],
    ],
  );
  assert.match(problems(items)[1]?.message ?? '', /expected a JSON object, got a string/);
});

test('JSON array: an empty array gives no rows; a non-array or truncated file is an InputError', async () => {
  assert.deepEqual(await collect(readTable(writeText(dir, 'empty.json', ' [ ] '))), []);
  await assert.rejects(collect(readTable(writeText(dir, 'obj.json', '{"a":1}'))), (err: unknown) => {
    assert.ok(err instanceof InputError);
    assert.match(err.message, /expected a JSON array.*jsonl/);
    return true;
  });
  await assert.rejects(collect(readTable(writeText(dir, 'cut.json', '[{"a":1},{"a":'))), /before the JSON array is closed/);
  await assert.rejects(collect(readTable(writeText(dir, 'tail.json', '[{"a":1}] x'))), /after the end of the JSON array/);
});

test('JSON array: an element with invalid UTF-8 is reported, its neighbours are read', async () => {
  const body = Buffer.concat([Buffer.from('[{"a":"ok"},{"a":"'), Buffer.from([0xff]), Buffer.from('"},{"a":"ok2"}]')]);
  const items = await collect(readTable(writeText(dir, 'utf.json', body)));
  assert.deepEqual(records(items), [{ a: 'ok' }, { a: 'ok2' }]);
  assert.match(problems(items)[0]?.message ?? '', /not valid UTF-8/);
});
