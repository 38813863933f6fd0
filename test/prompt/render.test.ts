import assert from 'node:assert/strict';
import { test } from 'node:test';
import { renderPromptFields, type PromptFields } from '../../src/prompt/index.ts';
import { renderRubricMapping } from '../../src/core/scale.ts';

const H = {
  instruction: '### Задание для оценки:',
  reference: '### Эталонный ответ:',
  answer: '### Ответ для оценки:',
  criterion: '### Критерий оценки:',
  rubric: '### Шкала оценивания по критерию:',
};

const base: PromptFields = {
  instruction: 'Напиши хайку о весне.',
  reference_answer: 'Сакура цветёт.',
  answer: 'Весна пришла.',
  criteria_name: 'Соблюдение формы',
  rubrics: '0: нет\n\n1: частично\n\n2: да',
};

// Golden strings are written out by hand from docs/pollux-facts.md §2, not produced by the code under test.
test('paper: five sections, each header\\nvalue\\n, joined by a blank line pair, one trailing newline', () => {
  const expected =
    `${H.instruction}\nНапиши хайку о весне.\n\n\n` +
    `${H.reference}\nСакура цветёт.\n\n\n` +
    `${H.answer}\nВесна пришла.\n\n\n` +
    `${H.criterion}\nСоблюдение формы\n\n\n` +
    `${H.rubric}\n0: нет\n\n1: частично\n\n2: да\n`;
  assert.equal(renderPromptFields(base, 'paper'), expected);
});

test('paper: a null reference drops the whole section, header included', () => {
  const out = renderPromptFields({ ...base, reference_answer: null }, 'paper');
  assert.equal(
    out,
    `${H.instruction}\nНапиши хайку о весне.\n\n\n${H.answer}\nВесна пришла.\n\n\n${H.criterion}\nСоблюдение формы\n\n\n${H.rubric}\n0: нет\n\n1: частично\n\n2: да\n`,
  );
  assert.ok(!out.includes(H.reference));
});

test('paper: an empty reference keeps the header over an empty line', () => {
  const out = renderPromptFields({ ...base, reference_answer: '' }, 'paper');
  assert.ok(out.includes(`\n\n\n${H.reference}\n\n\n\n${H.answer}\n`));
});

test('v2: one blank line between sections, no trailing newline', () => {
  const expected =
    `${H.instruction}\nНапиши хайку о весне.\n\n` +
    `${H.reference}\nСакура цветёт.\n\n` +
    `${H.answer}\nВесна пришла.\n\n` +
    `${H.criterion}\nСоблюдение формы\n\n` +
    `${H.rubric}\n0: нет\n\n1: частично\n\n2: да`;
  assert.equal(renderPromptFields(base, 'v2'), expected);
});

test('v2: the reference section is always present, empty when there is none', () => {
  for (const ref of [null, '']) {
    const out = renderPromptFields({ ...base, reference_answer: ref }, 'v2');
    assert.ok(out.includes(`Напиши хайку о весне.\n\n${H.reference}\n\n\n${H.answer}\nВесна пришла.`), String(ref));
  }
});

test('values with braces, %, $ patterns and literal placeholders are inserted as given', () => {
  const tricky: PromptFields = {
    instruction: 'f"{x}" and {answer} and {{instruction}} %s %(name)s $& $1 $$',
    reference_answer: '{reference_answer}',
    answer: 'ответ {criteria_name} {rubrics}',
    criteria_name: '{answer}',
    rubrics: '0: {}\n\n1: %d',
  };
  for (const t of ['paper', 'v2'] as const) {
    const out = renderPromptFields(tricky, t);
    assert.ok(out.includes(`\n${tricky.instruction}\n`), t);
    assert.ok(out.includes(`${H.reference}\n{reference_answer}\n`), t);
    assert.ok(out.includes(`${H.answer}\nответ {criteria_name} {rubrics}\n`), t);
    assert.ok(out.includes(`${H.criterion}\n{answer}\n`), t);
    assert.ok(out.endsWith(`${H.rubric}\n0: {}\n\n1: %d${t === 'paper' ? '\n' : ''}`), t);
  }
});

test('CRLF, tabs, emoji, combining marks and trailing whitespace are kept byte for byte', () => {
  const answer = 'строка 1\r\nстрока 2\r\n\tотступ  \n😀 e\u0301 \u200b\u00a0';
  for (const t of ['paper', 'v2'] as const) {
    const out = renderPromptFields({ ...base, answer }, t);
    assert.ok(out.includes(`${H.answer}\n${answer}\n`), t);
    assert.equal(Buffer.from(out).toString('utf8'), out);
  }
});

test('values with their own trailing newlines are not trimmed', () => {
  const out = renderPromptFields({ ...base, instruction: 'текст\n\n' }, 'paper');
  assert.ok(out.startsWith(`${H.instruction}\nтекст\n\n\n\n\n${H.reference}`));
});

test('a rubric mapping renders as "0: …\\n\\n1: …" in numeric order, whatever the key order', () => {
  assert.equal(renderRubricMapping({ '2': 'да', '10': 'десять', '0': 'нет', '1': 'частично' }), '0: нет\n\n1: частично\n\n2: да\n\n10: десять');
});

test('unknown template is a usage error', () => {
  assert.throws(() => renderPromptFields(base, 'v3' as 'v2'), /unknown template "v3"/);
});
