/**
 * The row loop's chores, run through every shape: the same bad record, wherever a shape reads its
 * rows (the dataset file; for POLLUX-instructions the --answers file), must give the same located
 * problem, the same counts, the same strict-mode error and the same all-rows-rejected error. A shape
 * that stopped going through the shared loop, or lost one of its chores, fails here.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { InputError } from '../../src/core/errors.ts';
import { readInstructions } from '../../src/answer/instructions.ts';
import { readDataset } from '../../src/data/dataset.ts';
import { validateDataset } from '../../src/data/plan.ts';
import type { DatasetItem, DatasetOptions, DatasetShape, DatasetStats } from '../../src/data/datasetTypes.ts';
import { RejectsWriter, allRowsRejectedError, type RowProblem } from '../../src/data/problems.ts';
import type { TableFormat } from '../../src/data/tableTypes.ts';
import { SmallCatalog, collect, polluxRow, tempDir, writeCsv, writeJsonl, writeRowsAs, writeText } from './helpers.ts';

const dir = tempDir();
const catalog = new SmallCatalog();
const SHAPES: DatasetShape[] = ['pollux', 'generic', 'instructions'];
const FORMATS: TableFormat[] = ['jsonl', 'json', 'csv', 'parquet'];

/** The instructions every answers file of the `instructions` shape refers to. */
const instructionsFile = writeJsonl(dir, 'instructions.jsonl', [{ prompt_id: 'p1', instruction: 'Напиши о море.', criteria: ['general'] }]);

/** A good record of each shape's row file; distinct answers, so each is one item. */
function goodRow(shape: DatasetShape, i: number, answerColumn = 'answer'): Record<string, unknown> {
  const answer = `Море шумит, ответ номер ${i}.`;
  switch (shape) {
    case 'pollux': {
      const { answer: _a, ...rest } = polluxRow();
      return { ...rest, [answerColumn]: answer };
    }
    case 'generic':
      return { instruction: 'Напиши о море.', [answerColumn]: answer, model_id: 'm', criteria: 'general' };
    case 'instructions':
      return { prompt_id: 'p1', model_id: 'm', [answerColumn]: answer };
  }
}

/** Windows-1251 bytes of a text (Cyrillic А–я is 0xC0–0xFF there, Ё/ё 0xA8/0xB8). */
function cp1251(text: string): Buffer {
  return Buffer.from(
    [...text].map((ch) => {
      const c = ch.codePointAt(0) as number;
      if (c >= 0x410 && c <= 0x44f) return c - 0x410 + 0xc0;
      if (c === 0x401) return 0xa8;
      if (c === 0x451) return 0xb8;
      return c;
    }),
  );
}

interface Outcome {
  /** The file the shape's rows came from. */
  file: string;
  problems: RowProblem[];
  items: DatasetItem[];
  error: unknown;
  stats: DatasetStats;
  /** That file's counters. */
  counts: DatasetStats['files'][number] | undefined;
}

/** Reads `rowsFile` as the given shape's row file (the --answers file for `instructions`). */
async function readAs(shape: DatasetShape, rowsFile: string, extra: Partial<DatasetOptions> = {}): Promise<Outcome> {
  const problems: RowProblem[] = [];
  const dataset = shape === 'instructions' ? instructionsFile : rowsFile;
  const options: DatasetOptions = { catalog, shape, onProblem: (p) => problems.push(p), ...(shape === 'instructions' ? { answers: rowsFile } : {}), ...extra };
  const reader = readDataset(dataset, options);
  let items: DatasetItem[] = [];
  let error: unknown = null;
  try {
    items = await collect(reader);
  } catch (err) {
    error = err;
  }
  return { file: rowsFile, problems, items, error, stats: reader.stats, counts: reader.stats.files.find((f) => f.file === rowsFile) };
}

/** A JSONL row file: a good record, `bad` as line 2, a good record. */
function jsonlWithBadLine(shape: DatasetShape, name: string, bad: string | Buffer): string {
  const line = (i: number) => Buffer.from(`${JSON.stringify(goodRow(shape, i))}\n`);
  return writeText(dir, `${shape}-${name}.jsonl`, Buffer.concat([line(1), typeof bad === 'string' ? Buffer.from(`${bad}\n`) : Buffer.concat([bad, Buffer.from('\n')]), line(3)]));
}

/** The problem each shape must report for line 2 of its row file, with that file's name. */
function atLine2(file: string, message: string, column?: string): RowProblem {
  return { file, line: 2, row: 2, ...(column !== undefined ? { column } : {}), message };
}

const badLines: Array<{ name: string; bad: (shape: DatasetShape) => string | Buffer; message: string | RegExp; column?: string; options?: Partial<DatasetOptions> }> = [
  { name: 'malformed-json', bad: () => '{"answer": "обрыв', message: /^malformed JSON: / },
  { name: 'not-an-object', bad: () => '[1, 2]', message: 'expected a JSON object, got an array' },
  {
    name: 'windows-1251',
    bad: (shape) => cp1251(JSON.stringify(goodRow(shape, 2))),
    message: /^the line is not valid UTF-8 text; it reads as Windows-1251 \(.*\): read it with --encoding windows-1251/,
  },
  {
    name: 'too-long',
    bad: (shape) => JSON.stringify(goodRow(shape, 2, 'answer')).replace('ответ номер', 'о'.repeat(3000)),
    message: 'the line is longer than 4000 bytes; skipped',
    options: { maxRecordBytes: 4000 },
  },
  {
    name: 'answer-not-text',
    bad: (shape) => JSON.stringify({ ...goodRow(shape, 2), answer: { text: 'не текст' } }),
    message: 'expected text, got an object',
    column: 'answer',
  },
];

for (const { name, bad, message, column, options } of badLines) {
  test(`a bad record (${name}) gives the same located problem through every shape, and the rows around it are kept`, async () => {
    for (const shape of SHAPES) {
      const o = await readAs(shape, jsonlWithBadLine(shape, name, bad(shape)), options);
      assert.equal(o.error, null, shape);
      assert.equal(o.problems.length, 1, `${shape}: ${JSON.stringify(o.problems)}`);
      const p = o.problems[0] as RowProblem;
      assert.deepEqual({ ...p, message: '' }, { ...atLine2(o.file, '', column) }, shape);
      if (typeof message === 'string') assert.equal(p.message, message, shape);
      else assert.match(p.message, message, shape);
      assert.deepEqual([o.counts?.rows, o.counts?.rejected], [3, 1], `${shape}: the row file's counts`);
      assert.deepEqual([o.stats.rejected, o.stats.problemCount, o.stats.firstProblems], [1, 1, [p]], shape);
      assert.equal(o.items.length, 2, `${shape}: the good rows on either side are read`);
      assert.equal(o.stats.items, 2, shape);
      assert.equal(o.stats.requests, 2, shape);
    }
  });
}

test('the rejects file gets the same lines from every shape', async () => {
  for (const shape of SHAPES) {
    const file = jsonlWithBadLine(shape, 'rejects', JSON.stringify({ ...goodRow(shape, 2), answer: { text: 'не текст' } }));
    const rejects = new RejectsWriter(join(dir, `${shape}.rejects.jsonl`));
    const o = await readAs(shape, file, { onProblem: (p) => rejects.write(p) });
    assert.equal(rejects.close(), rejects.path, shape);
    const written = readFileSync(rejects.path, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as RowProblem);
    assert.deepEqual(written, [atLine2(file, 'expected text, got an object', 'answer')], shape);
    assert.equal(o.items.length, 2, shape);
  }
});

test('strict mode: the first bad record ends the read with the same located InputError in every shape', async () => {
  for (const shape of SHAPES) {
    const file = jsonlWithBadLine(shape, 'strict', JSON.stringify({ ...goodRow(shape, 2), answer: ['список'] }));
    const o = await readAs(shape, file, { strict: true });
    assert.ok(o.error instanceof InputError, shape);
    assert.deepEqual(o.error.location, { file, line: 2, row: 2, field: 'answer' }, shape);
    assert.equal(o.error.message, `${file}:2, field "answer": expected text, got an array`, shape);
    assert.equal(o.problems.length, 1, `${shape}: reported before the throw`);
    assert.equal(o.items.length, 0, shape);
  }
});

const writeRows = (format: TableFormat, name: string, rows: Record<string, unknown>[]): string => writeRowsAs(format, dir, name, rows);

for (const format of FORMATS) {
  test(`--map (${format}): mapped columns are read in every shape; a mapping to no column rejects every row, naming it, and the error names the columns found`, async () => {
    for (const shape of SHAPES) {
      const rows = [goodRow(shape, 1, 'response'), goodRow(shape, 2, 'response')];
      const file = writeRows(format, `${shape}-mapped-${format}`, rows);
      const mapped = await readAs(shape, file, { map: { answer: 'response' } });
      assert.equal(mapped.error, null, shape);
      assert.deepEqual(mapped.problems, [], shape);
      assert.deepEqual(
        mapped.items.map((i) => i.sample.answer),
        rows.map((r) => r.response),
        shape,
      );

      const o = await readAs(shape, file, { map: { answer: 'reply' } });
      // The line where a record starts: JSONL one per line; CSV after its header, a POLLUX record
      // spanning several lines (its rubric's newlines).
      const perRecord = format === 'csv' ? (readFileSync(file, 'utf8').trimEnd().split('\n').length - 1) / 2 : 1;
      const lineOf = (n: number) => (format === 'jsonl' ? n : 2 + (n - 1) * perRecord);
      assert.deepEqual(
        o.problems.map((p) => ({ ...p, ...(format === 'json' ? { line: undefined } : {}) })),
        [1, 2].map((n) => ({ file, ...(format === 'parquet' ? {} : { line: format === 'json' ? undefined : lineOf(n) }), row: n, column: 'reply', message: 'missing column "reply"' })),
        shape,
      );
      if (format === 'json') assert.ok(o.problems.every((p) => typeof p.line === 'number' && p.line > 1), `${shape}: a JSON array element has its line`);
      assert.deepEqual(o.counts?.columns, Object.keys(rows[0] as object), `${shape}: the row file's columns`);
      const error = allRowsRejectedError(shape === 'instructions' ? instructionsFile : file, o.stats);
      assert.ok(error, `${shape}: every row rejected is an error`);
      assert.equal(error.location.file, file, `${shape}: the error names the file whose rows were all rejected`);
      assert.match(error.message, new RegExp(`all 2 rows were rejected .*the columns found: ${Object.keys(rows[0] as object).join(', ')}\\. .*--map ours=theirs`), shape);
      const validation = await validateDataset(shape === 'instructions' ? instructionsFile : file, { catalog, shape, map: { answer: 'reply' }, ...(shape === 'instructions' ? { answers: file } : {}) });
      assert.equal(allRowsRejectedError(shape === 'instructions' ? instructionsFile : file, validation)?.message, error.message, `${shape}: the counts plan and validation give are enough`);
    }
  });
}

test('--encoding windows-1251: the same Russian records come out of every shape', async () => {
  for (const shape of SHAPES) {
    const rows = [goodRow(shape, 1), goodRow(shape, 2)];
    const file = writeText(dir, `${shape}-cp1251.jsonl`, cp1251(rows.map((r) => JSON.stringify(r)).join('\n') + '\n'));
    const plain = await readAs(shape, file);
    assert.equal(plain.counts?.rejected, 2, `${shape}: without --encoding both lines are reported`);
    const o = await readAs(shape, file, { encoding: 'windows-1251' });
    assert.deepEqual(o.problems, [], shape);
    assert.deepEqual(
      o.items.map((i) => i.sample.answer),
      rows.map((r) => r.answer),
      shape,
    );
  }
});

test('CSV: a wrong field count is the same located problem in every shape', async () => {
  for (const shape of SHAPES) {
    const rows = [goodRow(shape, 1), goodRow(shape, 2), goodRow(shape, 3)];
    const file = writeCsv(dir, `${shape}-fields.csv`, rows);
    const lines = readFileSync(file, 'utf8').trimEnd().split('\n');
    // A POLLUX record spans several lines (its rubric's newlines): the second record ends at line 1 + 2 × that.
    const perRecord = (lines.length - 1) / 3;
    lines[2 * perRecord] = `${lines[2 * perRecord]},extra`;
    writeText(dir, `${shape}-fields.csv`, `${lines.join('\n')}\n`);
    const o = await readAs(shape, file);
    const width = Object.keys(rows[0] as object).length;
    assert.deepEqual(o.problems, [{ file, line: 2 + perRecord, row: 2, message: `has ${width + 1} fields, the header has ${width}` }], shape);
    assert.equal(o.items.length, 2, shape);
  }
});

test('the instruction list `pollux answer` reads goes through the same loop: table problems located alike, --map applied', async () => {
  for (const { name, bad, message, column } of badLines.filter((b) => b.options === undefined && b.column === undefined)) {
    const line = (i: number) => `${JSON.stringify({ prompt: `Задание ${i}` })}\n`;
    const badBytes = bad('generic');
    const file = writeText(dir, `list-${name}.jsonl`, Buffer.concat([Buffer.from(line(1)), typeof badBytes === 'string' ? Buffer.from(`${badBytes}\n`) : Buffer.concat([badBytes, Buffer.from('\n')]), Buffer.from(line(3))]));
    const list = await readInstructions(file, { map: { instruction: 'prompt' } });
    assert.equal(list.rows, 3, name);
    assert.deepEqual(
      list.instructions.map((i) => i.instruction),
      ['Задание 1', 'Задание 3'],
      name,
    );
    assert.equal(list.problems.length, 1, name);
    const p = list.problems[0] as RowProblem;
    assert.deepEqual({ ...p, message: '' }, atLine2(file, '', column), name);
    if (typeof message === 'string') assert.equal(p.message, message, name);
    else assert.match(p.message, message, name);
  }
  const unmapped = writeJsonl(dir, 'list-unmapped.jsonl', [{ prompt: 'Задание' }]);
  assert.deepEqual((await readInstructions(unmapped)).problems, [{ file: unmapped, line: 1, row: 1, column: 'instruction', message: 'missing column "instruction"' }]);
});
