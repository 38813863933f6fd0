import assert from 'node:assert/strict';
import { test } from 'node:test';
import { InputError } from '../../src/core/errors.ts';
import { describeScale, inScale, parseScale, scaleFromMapping, scaleFromRubricText } from '../../src/core/scale.ts';

test('levels from dataset-style rubric text', () => {
  const s = scaleFromRubricText('0: Нет.\n\n1: Частично,\nсо второй строкой.\n\n2: Да.');
  assert.deepEqual(s.levels.map((l) => l.value), [0, 1, 2]);
  assert.equal(s.levels[1]?.description, 'Частично,\nсо второй строкой.');
  assert.equal(s.kind, 'ordinal');
  assert.equal(s.source, 'rubric');
  assert.deepEqual([s.min, s.max], [0, 2]);
});

test('every separator of docs/pollux-facts.md §4, bullets and CRLF', () => {
  for (const sep of [':', '—', '–', ')', '.', '-']) {
    const s = scaleFromRubricText(`0${sep} нет\n1${sep} да`);
    assert.deepEqual(s.levels.map((l) => l.value), [0, 1], sep);
    assert.equal(s.kind, 'binary');
  }
  const bullets = scaleFromRubricText('- 0: нет\r\n* 1: так себе\r\n• 2: да');
  assert.deepEqual(bullets.levels.map((l) => l.value), [0, 1, 2]);
});

test('levels are sorted and min/max follow them', () => {
  const s = scaleFromRubricText('3: отлично\n1: плохо\n2: средне');
  assert.deepEqual(s.levels.map((l) => l.value), [1, 2, 3]);
  assert.equal(describeScale(s), '1–3');
});

test('range phrases', () => {
  assert.deepEqual(scaleFromRubricText('Поставьте оценку от 1 до 10.').levels.map((l) => l.value), [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
  const s = scaleFromRubricText('шкала 1–5, где 5 — лучше');
  assert.deepEqual([s.min, s.max, s.source], [1, 5, 'range']);
  assert.deepEqual([scaleFromRubricText('Score from 0 to 3').max], [3]);
});

test('a range written as "1-5" is not read as a level line', () => {
  const s = scaleFromRubricText('Шкала 1-5');
  assert.deepEqual([s.min, s.max], [1, 5]);
});

test('mapping scales and their errors name the field', () => {
  const s = scaleFromMapping({ '1': 'да', '0': 'нет' });
  assert.equal(s.kind, 'binary');
  assert.deepEqual(s.levels.map((l) => l.description), ['нет', 'да']);
  assert.throws(() => scaleFromMapping({ a: 'x', '1': 'y' }, { field: 'rubrics' }), (e: unknown) => e instanceof InputError && /field "rubrics".*"a" is not a number/.test(e.message));
  assert.throws(() => scaleFromMapping({ '1': 'x', '1.0': 'y' }), /appears twice/);
  assert.throws(() => scaleFromMapping({ '1': 'x' }), /at least two levels/);
});

test('text without a scale is an error that quotes it', () => {
  assert.throws(() => scaleFromRubricText('Оцените качество ответа'), /cannot find the scale in the rubric "Оцените качество ответа"/);
  assert.throws(() => scaleFromRubricText('  '), /empty/);
  assert.throws(() => parseScale('', { file: 'x.jsonl', line: 3, field: 'rubrics' }), /x\.jsonl:3, field "rubrics": the rubric is empty/);
});

test('inScale', () => {
  const s = scaleFromRubricText('0: a\n1: b\n2: c');
  assert.ok(inScale(s, 0) && inScale(s, 2) && inScale(s, 1.5));
  assert.ok(!inScale(s, -0.5) && !inScale(s, 2.01) && !inScale(s, Number.NaN));
});
