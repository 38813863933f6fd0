import assert from 'node:assert/strict';
import { test } from 'node:test';
import { InputError } from '../../src/core/errors.ts';
import { readTable } from '../../src/data/table.ts';
import { collect, problems, records, tempDir, writeCsv, writeText } from './helpers.ts';

const dir = tempDir();

test('CSV: header row, quoted multi-line cells (CRLF too), BOM, blank and all-space lines; lines are where records start', async () => {
  const body = '\ufeffid,answer\r\n1,"первая\r\nстрока"\r\n\r\n2,"вторая ""в кавычках"""\r\n  \t \r\n3,\r\n';
  const file = writeText(dir, 'crlf.csv', body);
  const items = await collect(readTable(file));
  assert.deepEqual(records(items), [
    { id: '1', answer: 'первая\r\nстрока' },
    { id: '2', answer: 'вторая "в кавычках"' },
    { id: '3', answer: '' },
  ]);
  assert.deepEqual(
    items.map((i) => [i.location.line, i.location.row]),
    [
      [2, 1],
      [5, 2],
      [7, 3],
    ],
  );
});

test('CSV: a wrong number of fields or an invalid UTF-8 cell rejects that row, naming the column', async () => {
  const body = Buffer.concat([Buffer.from('id,answer\n1,ok\n2,a,extra\n3,"'), Buffer.from([0xc3, 0x28]), Buffer.from('"\n4,ok\n')]);
  const items = await collect(readTable(writeText(dir, 'bad.csv', body)));
  assert.deepEqual(
    records(items).map((r) => r.id),
    ['1', '4'],
  );
  const found = problems(items);
  assert.deepEqual(
    found.map((p) => [p.line, p.column]),
    [
      [3, undefined],
      [4, 'answer'],
    ],
  );
  assert.match(found[0]?.message ?? '', /3 fields, the header has 2/);
});

test('CSV: a quoting error stops the read with the line, since later row boundaries are unknowable', async () => {
  const file = writeText(dir, 'quote.csv', 'id,answer\n1,ok\n2,"bad"x\n3,ok\n');
  await assert.rejects(collect(readTable(file)), (err: unknown) => {
    assert.ok(err instanceof InputError);
    assert.equal(err.location.line, 3);
    assert.match(err.message, /cannot be split into rows/);
    return true;
  });
});

test('CSV: a header naming one column twice is an InputError; cells holding JSON come through as text', async () => {
  await assert.rejects(collect(readTable(writeText(dir, 'dup.csv', 'a,b,a\n1,2,3\n'))), /names column "a" twice/);
  const file = writeCsv(dir, 'json.csv', [{ id: 'x', criteria: [{ name: 'n', rubric: '0: a\n1: b' }] }]);
  const rows = records(await collect(readTable(file)));
  assert.deepEqual(JSON.parse(rows[0]?.criteria as string), [{ name: 'n', rubric: '0: a\n1: b' }]);
});
