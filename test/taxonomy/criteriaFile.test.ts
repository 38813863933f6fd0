import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { InputError } from '../../src/core/errors.ts';
import { CriteriaFileError, loadCriteriaFile } from '../../src/taxonomy/index.ts';

const dir = mkdtempSync(join(tmpdir(), 'pollux-criteria-file-'));
let n = 0;
function write(text: string, ext = 'yaml'): string {
  const file = join(dir, `c${++n}.${ext}`);
  writeFileSync(file, text);
  return file;
}

/** Loads a file that must fail and returns its issues. */
function problems(text: string, ext = 'yaml'): { file: string; issues: readonly InputError[]; message: string } {
  const file = write(text, ext);
  try {
    loadCriteriaFile(file);
  } catch (err) {
    assert.ok(err instanceof CriteriaFileError, `a CriteriaFileError, got ${String(err)}`);
    assert.ok(err instanceof InputError);
    assert.equal(err.exitCode, 2);
    for (const i of err.issues) assert.equal(i.location.file, file, 'each problem names the file');
    return { file, issues: err.issues, message: err.message };
  }
  assert.fail('expected the file to be rejected');
}

test('a YAML file with text and mapping rubrics, a gate and task sets', () => {
  const file = write(`criteria:
  - key: code_runs
    name: Код запускается?
    rubric: {"0": "нет", "1": "да"}
  - key: bad_output
    name: {ru: Ответ сломан?, en: Is the output broken?}
    rubric: "0: нет\\n\\n1: да"
    gate: true
  - key: clarity
    name: Ясность
    group: Custom
    rubric: |
      0: непонятно
      1: местами понятно
      2: ясно
tasks:
  "Моя задача": [code_runs, bad_output]
  "Написать код > Rust": [code_runs, facts]
`);
  const f = loadCriteriaFile(file);
  assert.equal(f.file, file);
  assert.match(f.sha256, /^[0-9a-f]{64}$/);
  assert.deepEqual(f.criteria.map((c) => c.key), ['code_runs', 'bad_output', 'clarity']);
  const [runs, bad, clarity] = f.criteria;
  assert.equal(runs?.rubric, '0: нет\n\n1: да');
  assert.equal(runs?.gate, false);
  assert.equal(runs?.binary, true);
  assert.deepEqual(runs?.name, { ru: 'Код запускается?', en: null });
  assert.equal(bad?.gate, true);
  assert.deepEqual(bad?.name, { ru: 'Ответ сломан?', en: 'Is the output broken?' });
  assert.equal(clarity?.group, 'Custom');
  assert.deepEqual([clarity?.scale.min, clarity?.scale.max, clarity?.scale.kind], [0, 2, 'ordinal']);
  assert.equal(clarity?.origin, file);
  assert.deepEqual(f.tasks.map((t) => t.path), [['Моя задача'], ['Написать код', 'Rust']]);
  assert.deepEqual(f.tasks[1]?.keys, ['code_runs', 'facts']);
  assert.equal(f.tasks[1]?.keyLocations[1]?.line, 18);
});

test('JSON files, numeric YAML level keys, and the list form of tasks', () => {
  const json = loadCriteriaFile(
    write('{\n\t"criteria": [{"key": "k", "name": "N", "rubric": {"1": "b", "0": "a"}}],\n\t"tasks": [{"task": ["A", "B"], "criteria": ["k"]}]\n}', 'json'),
  );
  assert.equal(json.criteria[0]?.rubric, '0: a\n\n1: b', 'levels sorted ascending');
  assert.deepEqual(json.tasks[0]?.path, ['A', 'B']);
  const yaml = loadCriteriaFile(write('criteria:\n  - key: k\n    name: N\n    rubric: {0: a, 1: b, 2: c}\n'));
  assert.equal(yaml.criteria[0]?.scale.max, 2);
});

test('a range phrase is a valid text rubric', () => {
  const f = loadCriteriaFile(write('criteria:\n  - key: k\n    name: N\n    rubric: Оцените по шкале от 1 до 10\n'));
  assert.deepEqual([f.criteria[0]?.scale.min, f.criteria[0]?.scale.max], [1, 10]);
});

test('duplicate levels are rejected, in mappings and in text', () => {
  const mapping = problems('criteria:\n  - key: k\n    name: N\n    rubric: {"0": a, 0: b, "1": c}\n');
  assert.equal(mapping.issues[0]?.location.field, 'criteria[0].rubric');
  assert.equal(mapping.issues[0]?.location.line, 4);
  assert.match(mapping.issues[0]?.problem ?? '', /level 0 appears twice/);
  const text = problems('criteria:\n  - key: k\n    name: N\n    rubric: "0: a\\n\\n1: b\\n\\n1: c"\n');
  assert.match(text.issues[0]?.problem ?? '', /level 1 appears more than once/);
  const json = problems('{"criteria": [{"key": "k", "name": "N", "rubric": {"0": "a", "0": "b"}}]}', 'json');
  assert.match(json.issues[0]?.problem ?? '', /appears twice/, 'JSON duplicate keys are not silently dropped');
  assert.equal(json.issues[0]?.location.line, 1);
});

test('empty rubrics are rejected', () => {
  for (const rubric of ['""', '{}', '', '"   "']) {
    const p = problems(`criteria:\n  - key: k\n    name: N\n    rubric: ${rubric}\n`);
    assert.equal(p.issues[0]?.location.field, 'criteria[0].rubric', rubric);
    assert.match(p.issues[0]?.problem ?? '', /the rubric is empty/, rubric);
  }
  const level = problems('criteria:\n  - key: k\n    name: N\n    rubric: {"0": "", "1": b}\n');
  assert.equal(level.issues[0]?.location.field, 'criteria[0].rubric["0"]');
  assert.match(level.issues[0]?.problem ?? '', /description of level 0 is empty/);
});

test('non-numeric levels and rubrics without a scale are rejected', () => {
  const p = problems('criteria:\n  - key: k\n    name: N\n    rubric: {"0": a, "high": b}\n');
  assert.equal(p.issues[0]?.location.field, 'criteria[0].rubric');
  assert.match(p.issues[0]?.problem ?? '', /level "high" is not a number/);
  const t = problems('criteria:\n  - key: k\n    name: N\n    rubric: "плохо или хорошо"\n');
  assert.match(t.issues[0]?.problem ?? '', /cannot find the scale/);
  const one = problems('criteria:\n  - key: k\n    name: N\n    rubric: {"1": a}\n');
  assert.match(one.issues[0]?.problem ?? '', /at least two levels/);
});

test('missing, unknown and ill-typed fields are named with their path and line', () => {
  const p = problems(`criteria:
  - key: ok
    name: N
    rubric: {"0": a, "1": b}
  - name: N
    rubrics: {"0": a, "1": b}
  - key: has space
    name: [a]
    rubric: {"0": a, "1": b}
    gate: yes please
`);
  const got = p.issues.map((i) => `${i.location.field}@${i.location.line}: ${i.problem}`);
  assert.ok(got.some((g) => g.startsWith('criteria[1].rubrics@5: unknown field')), got.join('\n'));
  assert.ok(got.some((g) => g.startsWith('criteria[1].key@5: missing')), got.join('\n'));
  assert.ok(got.some((g) => g.startsWith('criteria[1].rubric@5: missing')), got.join('\n'));
  assert.ok(got.some((g) => g.startsWith('criteria[2].key@7:') && g.includes('spaces')), got.join('\n'));
  assert.ok(got.some((g) => g.startsWith('criteria[2].name@8: the name must be text')), got.join('\n'));
  assert.ok(got.some((g) => g.startsWith('criteria[2].gate@10: must be true or false')), got.join('\n'));
  assert.equal(p.message.split('\n').length, p.issues.length, 'the message lists every problem');
  assert.ok(p.message.startsWith(`${p.file}:`), p.message);
});

test('duplicate criterion keys and duplicate task entries are rejected', () => {
  const p = problems(`criteria:
  - {key: k, name: N, rubric: {"0": a, "1": b}}
  - {key: k, name: M, rubric: {"0": a, "1": b}}
tasks:
  - {task: "A > B", criteria: [k]}
  - {task: [a, b], criteria: [k, k]}
`);
  const got = p.issues.map((i) => `${i.location.field}@${i.location.line}: ${i.problem}`);
  assert.ok(got.includes('criteria[1].key@3: duplicate key "k" (first defined at line 2)'), got.join('\n'));
  assert.ok(got.includes('tasks[1].criteria[1]@6: criterion "k" is listed twice'), got.join('\n'));
});

test('a gate must be a 0/1 criterion', () => {
  const p = problems('criteria:\n  - key: k\n    name: N\n    rubric: {"0": a, "1": b, "2": c}\n    gate: true\n');
  assert.equal(p.issues[0]?.location.field, 'criteria[0].gate');
  assert.match(p.issues[0]?.problem ?? '', /exactly the levels 0 and 1/);
});

test('structural problems: empty file, wrong top level, bad YAML, empty task set, unreadable file', () => {
  assert.match(problems('').message, /the file is empty/);
  assert.match(problems('- a\n- b\n').message, /expected a mapping/);
  assert.match(problems('criterion: []\n').message, /"criterion": unknown field/);
  assert.match(problems('criteria: {a: 1}\n').message, /must be a list of criteria/);
  const bad = problems('criteria:\n  - key: [1\n');
  assert.match(bad.message, /not valid YAML\/JSON/);
  assert.equal(bad.issues[0]?.location.line !== undefined, true);
  assert.match(problems('tasks:\n  "A": []\n').message, /tasks\["A"\].*list of criterion keys is empty/);
  assert.match(problems('tasks:\n  "A > B > C > D > E": [k]\n').message, /at most/);
  assert.throws(() => loadCriteriaFile(join(dir, 'missing.yaml')), (err: unknown) => err instanceof InputError && /cannot read/.test(err.message));
});
