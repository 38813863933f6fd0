import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { InputError } from '../../src/core/errors.ts';
import { CUSTOM_GROUP_NAME, buildCatalog, parseCriteriaFile, polluxCatalog } from '../../src/taxonomy/index.ts';

const dir = mkdtempSync(join(tmpdir(), 'pollux-catalog-'));
let n = 0;
function write(text: string): string {
  const file = join(dir, `c${++n}.yaml`);
  writeFileSync(file, text);
  return file;
}
const keys = (list: ReadonlyArray<{ key: string }> | undefined) => list?.map((c) => c.key);

const CUSTOM = `criteria:
  - key: code_runs
    name: Код запускается?
    rubric: {"0": "нет", "1": "да"}
  - key: facts
    name: Фактическая точность
    rubric: {"0": "ошибки", "1": "неточности", "2": "точно"}
tasks:
  "Моя задача": [code_runs, facts]
  "Написать код > Python": [code_runs, censor]
  "Написать код > Rust": [code_runs]
  "Поиск информации > Найти цитату": [facts__2]
`;

test('without files, buildCatalog is the POLLUX catalog', () => {
  const cat = buildCatalog();
  assert.equal(cat, polluxCatalog());
  assert.equal(buildCatalog({ criteriaFiles: [] }).version, cat.version);
});

test('merged: custom criteria override same-key POLLUX ones in place, new ones come after', () => {
  const file = write(CUSTOM);
  const pollux = polluxCatalog();
  const cat = buildCatalog({ criteriaFiles: [file] });
  assert.equal(cat.criteria().length, pollux.criteria().length + 1);
  assert.equal(cat.criteria().findIndex((c) => c.key === 'facts'), pollux.criteria().findIndex((c) => c.key === 'facts'));
  assert.equal(cat.byKey('facts')?.origin, file);
  assert.equal(cat.byKey('facts')?.rubric, '0: ошибки\n\n1: неточности\n\n2: точно');
  assert.equal(cat.criteria().at(-1)?.key, 'code_runs');
  assert.equal(cat.byKey('facts__2')?.origin, 'pollux', 'other keys of the family stay');
  // the override shows wherever POLLUX tasks use the key
  const extract = cat.forTask(['Выделить из текста', 'Выпиши из художественного текста']);
  assert.equal(extract?.find((c) => c.key === 'facts')?.origin, file);
  // the shared POLLUX catalog is untouched
  assert.equal(pollux.byKey('facts')?.origin, 'pollux');
  assert.equal(pollux.findTask(['Написать код', 'Rust']), undefined);
});

test('merged: custom task sets override named tasks and add new ones where the path says', () => {
  const file = write(CUSTOM);
  const cat = buildCatalog({ criteriaFiles: [file] });
  assert.deepEqual(keys(cat.forTask(['Написать код', 'Python'])), ['code_runs', 'censor']);
  assert.deepEqual(keys(cat.forTask(['Code creation', 'C++'])), polluxCatalog().findTask(['Написать код', 'C++'])?.criteria, 'siblings keep theirs');
  const rust = cat.findTask(['Написать код', 'Rust']);
  assert.equal(rust?.level, 'subtask_l1');
  assert.equal(rust?.origin, file);
  assert.deepEqual(keys(cat.forTask(['Написать код', 'Rust'])), ['code_runs']);
  assert.ok(keys(cat.forTask(['Написать код']))?.includes('code_runs'), 'the union above includes the new leaf');
  const mine = cat.findTask(['Моя задача']);
  assert.equal(mine?.level, 'task');
  assert.deepEqual(cat.ancestry(mine!).map((x) => x.name.en), [CUSTOM_GROUP_NAME.en, 'Моя задача']);
  const quote = cat.findTask(['Найти цитату']);
  assert.equal(cat.ancestry(quote!)[0]?.name.en, 'QA', 'a group prefix places a new task type in that group');
  assert.deepEqual(cat.stats(), { groups: 9, taskTypes: 37, leaves: 155, criteria: 296 });
});

test('byName prefers custom criteria over POLLUX ones of the same name, later files first', () => {
  const a = write('criteria:\n  - {key: a_censor, name: "Ответа нет, но есть заглушка цензора?", rubric: {"0": x, "1": y}}\n');
  const b = write('criteria:\n  - {key: b_censor, name: "ответа нет, но есть заглушка цензора?", rubric: {"0": x, "1": y}}\n');
  const cat = buildCatalog({ criteriaFiles: [a, b] });
  assert.deepEqual(cat.allByName('Ответа нет, но есть заглушка цензора?').map((c) => c.key), ['b_censor', 'a_censor', 'censor']);
  assert.equal(cat.byName('No output because of the censor?')?.key, 'censor');
});

test('a later file overrides an earlier one, for criteria and for task sets', () => {
  const a = write('criteria:\n  - {key: k, name: First, rubric: {"0": x, "1": y}}\ntasks:\n  "T": [k]\n');
  const b = write('criteria:\n  - {key: k, name: Second, rubric: {"0": x, "1": y, "2": z}}\n  - {key: m, name: M, rubric: {"0": x, "1": y}}\ntasks:\n  "t": [m, k]\n');
  const cat = buildCatalog({ criteriaFiles: [a, b], pollux: false });
  assert.equal(cat.byKey('k')?.name.ru, 'Second');
  assert.deepEqual(keys(cat.forTask(['T'])), ['m', 'k']);
  assert.deepEqual(cat.stats(), { groups: 1, taskTypes: 1, leaves: 1, criteria: 2 });
  assert.notEqual(buildCatalog({ criteriaFiles: [b, a], pollux: false }).version, cat.version);
});

test('replacing POLLUX: only the files\' criteria and tasks, and POLLUX keys become unknown', () => {
  const file = write('criteria:\n  - {key: k, name: N, rubric: {"0": x, "1": y}}\ntasks:\n  "Написать код > Python": [k]\n');
  const cat = buildCatalog({ criteriaFiles: [file], pollux: false });
  assert.deepEqual(cat.criteria().map((c) => c.key), ['k']);
  assert.equal(cat.byKey('censor'), undefined);
  assert.equal(cat.findTask(['Написать код', 'Python'])?.level, 'subtask_l1');
  assert.deepEqual(cat.sources.map((s) => s.kind), ['file']);
  assert.match(cat.version, /^catalog@[0-9a-f]{12}$/);
  const bad = write('tasks:\n  "Моя": [facts]\n');
  assert.throws(
    () => buildCatalog({ criteriaFiles: [bad], pollux: false }),
    (err: unknown) => err instanceof InputError && err.location.file === bad && err.location.line === 2 && err.location.field === 'tasks["Моя"][0]' && /unknown criterion key "facts"/.test(err.message),
  );
  assert.doesNotThrow(() => buildCatalog({ criteriaFiles: [bad] }), 'with POLLUX, facts exists');
});

test('unknown keys are reported with close matches; groups cannot take a set', () => {
  const typo = write('tasks:\n  "Моя": [censor, factz]\n');
  assert.throws(() => buildCatalog({ criteriaFiles: [typo] }), /tasks\["Моя"\]\[1\]": unknown criterion key "factz"; close matches: facts/);
  const group = write('tasks:\n  "Поиск информации": [censor]\n');
  assert.throws(() => buildCatalog({ criteriaFiles: [group] }), /is a task group/);
  const deep = write('tasks:\n  "Суммаризация > Краткий пересказ > Научный текст > Ещё": [censor]\n');
  assert.throws(() => buildCatalog({ criteriaFiles: [deep] }), /too deep/);
});

test('sources and version record the files by content', () => {
  const text = 'criteria:\n  - {key: k, name: N, rubric: {"0": x, "1": y}}\n';
  const a = write(text);
  const b = write(text);
  const ca = buildCatalog({ criteriaFiles: [a] });
  assert.equal(ca.version, buildCatalog({ criteriaFiles: [b] }).version, 'same content, same version');
  assert.notEqual(ca.version, polluxCatalog().version);
  assert.deepEqual(ca.sources.map((s) => [s.kind, s.id]), [['pollux', polluxCatalog().version], ['file', a]]);
  const parsed = buildCatalog({ files: [parseCriteriaFile(text, 'inline.yaml')] });
  assert.equal(parsed.byKey('k')?.origin, 'inline.yaml');
});
