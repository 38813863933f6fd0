import assert from 'node:assert/strict';
import { test } from 'node:test';
import { readTable } from '../../src/data/table.ts';
import { collect, problems, records, tempDir, writeText } from './helpers.ts';

const dir = tempDir();

test('JSONL: BOM, CRLF and blank lines are accepted; line and row numbers follow the file', async () => {
  const body = '\ufeff{"a":1}\r\n\r\n   \n{"a":"два"}\r\n\n{"a":3}';
  const file = writeText(dir, 'basic.jsonl', body);
  const items = await collect(readTable(file));
  assert.deepEqual(records(items), [{ a: 1 }, { a: 'два' }, { a: 3 }]);
  assert.deepEqual(
    items.map((i) => i.location),
    [
      { file, line: 1, row: 1 },
      { file, line: 4, row: 2 },
      { file, line: 6, row: 3 },
    ],
  );
});

test('JSONL: invalid UTF-8, malformed JSON and non-objects are problems of their own line only', async () => {
  const bad = Buffer.concat([Buffer.from('{"a":"ok"}\n{"a":"'), Buffer.from([0xd0, 0x28]), Buffer.from('"}\n{"a": tru}\n[1,2]\n42\n{"a":"last"}\n')]);
  const file = writeText(dir, 'bad.jsonl', bad);
  const items = await collect(readTable(file));
  assert.deepEqual(records(items), [{ a: 'ok' }, { a: 'last' }]);
  const found = problems(items);
  assert.deepEqual(
    found.map((p) => p.line),
    [2, 3, 4, 5],
  );
  assert.match(found[0]?.message ?? '', /not valid UTF-8/);
  assert.match(found[1]?.message ?? '', /malformed JSON/);
  assert.match(found[2]?.message ?? '', /expected a JSON object, got an array/);
  assert.match(found[3]?.message ?? '', /got a number/);
});

test('JSONL: a 5 MB field spanning many read chunks comes through intact', async () => {
  const big = 'ж'.repeat(2_500_000); // 5 MB of UTF-8, split across 1 MiB chunks mid-character
  const file = writeText(dir, 'big.jsonl', `{"id":"x"}\n${JSON.stringify({ answer: big })}\n{"id":"y"}\n`);
  const items = await collect(readTable(file));
  const rows = records(items);
  assert.equal(rows.length, 3);
  assert.equal((rows[1]?.answer as string).length, big.length);
  assert.equal(rows[1]?.answer, big);
  assert.deepEqual(rows[2], { id: 'y' });
});

test('JSONL: a line over the size limit is reported and skipped, the next line is read', async () => {
  const file = writeText(dir, 'over.jsonl', `{"a":1}\n${JSON.stringify({ a: 'x'.repeat(5000) })}\n{"a":3}\n`);
  const items = await collect(readTable(file, { maxRecordBytes: 1000 }));
  assert.deepEqual(records(items), [{ a: 1 }, { a: 3 }]);
  assert.deepEqual(
    problems(items).map((p) => [p.line, p.row]),
    [[2, 2]],
  );
  assert.match(problems(items)[0]?.message ?? '', /longer than 1000 bytes/);
});
