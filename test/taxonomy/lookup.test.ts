import { test } from 'node:test';
import assert from 'node:assert/strict';
import { polluxCatalog } from '../../src/taxonomy/index.ts';
import type { CriteriaCatalog } from '../../src/core/types.ts';

const cat = polluxCatalog();
const keys = (list: ReadonlyArray<{ key: string }> | undefined) => list?.map((c) => c.key);

test('byKey finds criteria by their exact key', () => {
  assert.equal(cat.byKey('facts__2')?.name.ru, cat.byKey('facts')?.name.ru);
  assert.equal(cat.byKey('FACTS'), undefined, 'keys are exact');
  assert.equal(cat.byKey('no_such_key'), undefined);
});

test('byName matches Russian or English names, ignoring case and surrounding whitespace only', () => {
  const censor = cat.byKey('censor');
  assert.equal(cat.byName('Ответа нет, но есть заглушка цензора?'), censor);
  assert.equal(cat.byName('  ответа НЕТ, но есть заглушка цензора?\n'), censor);
  assert.equal(cat.byName('No output because of the censor?'), censor);
  assert.equal(cat.byName('Ответа нет но есть заглушка цензора?'), undefined, 'punctuation is not ignored');
});

test('shared names: allByName lists the family in taxonomy order and byName picks the base key', () => {
  const name = cat.byKey('facts')?.name.ru ?? '';
  const family = cat.allByName(name).map((c) => c.key);
  assert.ok(family.length > 1);
  assert.equal(family[0], 'facts');
  const order = cat.criteria().map((c) => c.key);
  assert.deepEqual([...family].sort((a, b) => order.indexOf(a) - order.indexOf(b)), family);
  assert.equal(cat.byName(name)?.key, 'facts');
  assert.deepEqual(cat.allByName('nothing like it'), []);
});

test('byName with a rubric prefers the criterion whose rubric is identical', () => {
  const target = cat.byKey('facts__2');
  assert.ok(target && target.rubric !== cat.byKey('facts')?.rubric);
  const crlf = `${target.rubric.replace(/\n/g, '\r\n')}  \r\n`;
  assert.equal(cat.byName(target.name.ru, crlf)?.key, 'facts__2');
  assert.equal(cat.resolveByNameAndRubric(target.name.ru, target.rubric)?.key, 'facts__2');
  assert.equal(cat.resolveByNameAndRubric(target.name.ru, '0: другое\n\n1: совсем'), undefined);
  assert.equal(cat.byName(target.name.ru, '0: другое\n\n1: совсем')?.key, 'facts', 'no identical rubric: the first of the name');
});

test('resolveCriterion narrows a shared name by the row\'s task, then by rubric', () => {
  const name = 'Правильность ответа';
  const python = cat.forTask(['Написать код', 'Python']) ?? [];
  const inPython = python.find((c) => c.name.ru === name);
  assert.ok(inPython);
  assert.notEqual(cat.byName(name)?.key, inPython.key, 'a name alone would pick another key');
  assert.equal(cat.resolveCriterion({ name, task: ['Написать код', 'Python', null] })?.key, inPython.key);
  assert.equal(cat.resolveCriterion({ name, task: ['Нет такой задачи'] })?.key, cat.byName(name)?.key);
  assert.equal(cat.resolveCriterion({ name: 'нет такого критерия' }), undefined);
});

test('forTask takes ru or en names from the task type down and returns the leaf set in order', () => {
  const leaf = cat.findTask(['Написать код', 'Python']);
  assert.ok(leaf?.criteria);
  assert.deepEqual(keys(cat.forTask(['Написать код', 'Python'])), leaf.criteria);
  assert.deepEqual(keys(cat.forTask(['Code creation', 'python'])), leaf.criteria);
  assert.deepEqual(keys(cat.forTask(['  написать КОД ', 'Python'])), leaf.criteria);
  assert.deepEqual(keys(cat.forTask(['Написать код', 'Python', ''])), leaf.criteria, 'an empty sub-subtype is ignored');
  // a leaf at task-type level
  assert.deepEqual(keys(cat.forTask(['Отредактировать текст'])), cat.findTask(['Editing'])?.criteria);
  // three levels
  const deep = cat.forTask(['Суммаризация', 'Краткий пересказ', 'Научный текст']);
  assert.deepEqual(keys(deep), cat.findTask(['Summarizing', 'Brief retelling', 'Scientific text'])?.criteria);
  // a source key that differs from the English name
  assert.ok(cat.findTask(['Перевод на русский или английский', 'Words']));
});

test('forTask above the leaves returns the union of the leaves in taxonomy order', () => {
  const union = keys(cat.forTask(['Написать код'])) ?? [];
  const expected: string[] = [];
  for (const lang of ['Python', 'C++', 'C#', 'JavaScript', 'SQL']) {
    for (const k of cat.findTask(['Написать код', lang])?.criteria ?? []) if (!expected.includes(k)) expected.push(k);
  }
  assert.deepEqual(union, expected);
  assert.equal(new Set(union).size, union.length);
  // a group name is accepted as the first part
  const group = keys(cat.forTask(['Решение технических задач'])) ?? [];
  assert.ok(union.every((k) => group.includes(k)) && group.length > union.length);
  assert.deepEqual(keys(cat.forTask(['Technical Problems', 'Code creation'])), union);
});

test('forTask returns undefined for unknown tasks; locateTask says how far a path matched', () => {
  assert.equal(cat.forTask(['Нет такой задачи']), undefined);
  assert.equal(cat.forTask(['Написать код', 'Rust']), undefined);
  assert.equal(cat.forTask([]), undefined);
  assert.equal(cat.forTask(['Python']), undefined, 'a subtask is not a task type');
  const loc = cat.locateTask(['Написать код', 'Rust', 'x']);
  assert.equal(loc.node?.name.en, 'Code creation');
  assert.equal(loc.matched, 1);
  assert.equal(loc.unmatched, 'Rust');
  assert.deepEqual(cat.nodesNamed('Python').map((n) => n.path[1]), ['Code creation', 'Code analysis', 'Code modification']);
});

test('a task that shares its name with its own subtask is told apart by depth', () => {
  const plan = cat.findTask(['Составить план действий']);
  const roadMap = cat.findTask(['Составить план действий', 'Составить план действий']);
  assert.equal(plan?.level, 'task');
  assert.equal(roadMap?.name.en, 'Road map');
  assert.equal(plan?.children.length, 3);
});

test('search is case-insensitive over keys, names and rubric texts', () => {
  assert.deepEqual(keys(cat.search('LATEX')), ['latex_correctness', 'latex_correctness__2', 'latex_correctness__3']);
  assert.ok(keys(cat.search('заглушка'))?.includes('censor'), 'Russian name');
  assert.ok(keys(cat.search('цензор сработал'))?.includes('censor'), 'rubric text');
  assert.ok(keys(cat.search('narushenie'))?.includes('narushenie_formata'), 'key');
  assert.deepEqual(cat.search('   '), []);
});

test('the catalog serves through the core CriteriaCatalog interface', () => {
  const core: CriteriaCatalog = cat;
  assert.equal(core.byKey('censor')?.gate, true);
  assert.equal(core.forTask(['Дать совет'])?.[0]?.key, 'narushenie_formata');
});

test('suggestions for typos', () => {
  assert.deepEqual(cat.suggestKeys('fact').slice(0, 2), ['facts', 'facts__2']);
  assert.ok(cat.suggestKeys('Работоспособност').some((k) => k.startsWith('operability')), 'a name typed for a key');
  assert.ok(cat.suggestTaskNames('Написат код', undefined).includes('Написать код'));
  assert.deepEqual(cat.suggestTaskNames('Pyton', cat.findTask(['Написать код'])), ['Python']);
});

test('look-ups are cached but hand out fresh arrays', () => {
  const first = cat.forTask(['Дать совет']) ?? [];
  first.length = 0;
  assert.equal(cat.forTask(['Дать совет'])?.length, 16);
  const keysOnce = cat.criteriaKeysFor(cat.findTask(['Написать код'])!);
  keysOnce.push('x');
  assert.ok(!cat.criteriaKeysFor(cat.findTask(['Написать код'])!).includes('x'));
  assert.equal(cat.locateTask(['Дать совет']).node, cat.locateTask([' дать совет ']).node);
});
