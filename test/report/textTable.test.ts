import { test } from 'node:test';
import assert from 'node:assert/strict';
import { renderTable, textWidth } from '../../src/report/text/table.ts';

test('a header, a rule under it, the first column left and the others right unless told', () => {
  assert.deepEqual(renderTable({ header: ['model', 'n', 'mean'], rows: [['a', '7', '0.5'], ['long-name', '1200', '—']] }), [
    'model         n  mean',
    '─────────  ────  ────',
    'a             7   0.5',
    'long-name  1200     —',
  ]);
  assert.deepEqual(renderTable({ header: ['#', 'model', 'score'], rows: [['9', 'a', '1'], ['10', 'bb', '22']], align: ['right', 'left'] }), [
    ' #  model  score',
    '──  ─────  ─────',
    ' 9  a          1',
    '10  bb        22',
  ]);
});

test('Cyrillic takes one column a letter, however it is encoded; CJK and emoji take two', () => {
  assert.deepEqual(renderTable({ header: ['группа', 'n'], rows: [['Творческое письмо', '1'], ['ИИ', '22']], align: ['left', 'right'] }), [
    'группа              n',
    '─────────────────  ──',
    'Творческое письмо   1',
    'ИИ                 22',
  ]);
  // "й" as one code point and as и + combining breve (U+0306) line up the same.
  const composed = 'Мой ответ';
  const decomposed = 'Мои\u0306 ответ';
  assert.notEqual(composed.length, decomposed.length);
  const lines = renderTable({ rows: [[composed, '1'], [decomposed, '2'], ['中文', '3'], ['👍🏽', '4']] });
  assert.deepEqual(lines, ['Мой ответ  1', `${decomposed}  2`, '中文       3', '👍🏽         4']);
  assert.deepEqual(lines.map(textWidth), [12, 12, 12, 12]);
});

test('textWidth counts terminal columns', () => {
  assert.equal(textWidth(''), 0);
  assert.equal(textWidth('plain ascii'), 11);
  assert.equal(textWidth('Ёлка — ёлка'), 11);
  assert.equal(textWidth('e\u0301'), 1, 'a letter with a combining accent');
  assert.equal(textWidth('ｆｕｌｌ'), 8, 'full-width forms');
  assert.equal(textWidth('한국어'), 6);
  assert.equal(textWidth('👨‍👩‍👧'), 2, 'an emoji sequence joined by ZWJ is one picture');
  assert.equal(textWidth('a\u200bb'), 2, 'a zero-width space takes nothing');
});

test('the quick count (one column a code point) agrees with the full rules on every character it takes', () => {
  // A wide character sends the text down the full path (grapheme clusters); Latin, Greek, Cyrillic,
  // punctuation, arrows, math signs and box drawing take the quick path alone.
  const blocks = [[0x20, 0x7e], [0xa0, 0x52f], [0x2010, 0x22ff], [0x2500, 0x257f]] as const;
  const bad: string[] = [];
  for (const [lo, hi] of blocks) {
    for (let cp = lo; cp <= hi; cp++) {
      const ch = String.fromCodePoint(cp);
      if (textWidth(`${ch}中`) !== textWidth(ch) + 2) bad.push(`U+${cp.toString(16)}`);
    }
  }
  assert.deepEqual(bad, []);
  assert.equal(textWidth('а\u0483'), 1, 'a Cyrillic combining titlo takes no column');
  assert.equal(textWidth('a\u00adb'), 2, 'a soft hyphen is not shown');
  assert.equal(textWidth('№ 5 — ρ × τ → −0.5 ─'), 20);
});

test('empty tables, short rows and empty columns leave no trailing blanks', () => {
  assert.deepEqual(renderTable({ rows: [] }), []);
  assert.deepEqual(renderTable({ header: [], rows: [] }), []);
  assert.deepEqual(renderTable({ header: ['model', 'n'], rows: [] }), ['model  n', '─────  ─']);
  assert.deepEqual(renderTable({ header: ['a', 'b', 'c'], rows: [['x'], ['yy', '1']], align: ['left', 'left', 'left'] }), [
    'a   b  c',
    '──  ─  ─',
    'x',
    'yy  1',
  ]);
  // A column whose cells are all empty has no width; the rule does not end in blanks either.
  assert.deepEqual(renderTable({ header: ['k', ''], rows: [['a', ''], ['b', '']] }), ['k', '─', 'a', 'b']);
});

test('an indent opens every line, the rule included', () => {
  assert.deepEqual(renderTable({ header: ['expert \\ judge', '0', '1'], rows: [['0', '3', '12'], ['1', '0', '5']], indent: '  ' }), [
    '  expert \\ judge  0   1',
    '  ──────────────  ─  ──',
    '  0               3  12',
    '  1               0   5',
  ]);
  assert.deepEqual(renderTable({ rows: [['12', 'no_result_block'], ['3', 'truncated']], align: ['right', 'left'], indent: '  ' }), [
    '  12  no_result_block',
    '   3  truncated',
  ]);
});

test('a column stops widening at its maxWidth: a longer cell overflows its own line only', () => {
  const long = 'a-very-long-model-name-that-goes-on';
  assert.deepEqual(renderTable({ rows: [['short', '1'], [long, '2'], ['mid', '30']], maxWidth: [10] }), [
    'short        1',
    `${long}   2`,
    'mid         30',
  ]);
});

test('a cell stays on its line: control characters are shown escaped', () => {
  const lines = renderTable({ header: ['model', 'n'], rows: [['evil\nmodel\u001b[2J', '1'], ['tab\there', '2']] });
  assert.equal(lines.length, 4);
  assert.deepEqual(lines.slice(2), ['evil\\nmodel\\u001b[2J  1', 'tab\\there             2']);
});
