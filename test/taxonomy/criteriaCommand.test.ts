import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { polluxCatalog } from '../../src/taxonomy/index.ts';
import { runCli, type CliResult } from '../support/cli.ts';

function pollux(args: string[]): Promise<CliResult> {
  return runCli(['criteria', ...args]);
}

const cat = polluxCatalog();

test('no argument: the tree of groups and task types with counts', async () => {
  const r = await pollux([]);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /^POLLUX taxonomy \(pollux-taxonomy@[0-9a-f]{12}\): 8 groups, 35 task types, 152 leaves, 295 criteria\n/);
  for (const g of cat.groups()) assert.ok(r.stdout.includes(`\n${g.name.ru} (${g.children.length} task type`), g.name.ru);
  const code = cat.findTask(['Написать код']);
  assert.ok(r.stdout.includes(`  Написать код — 5 leaves, ${cat.criteriaKeysFor(code!).length} criteria\n`));
  assert.ok(r.stdout.includes('  Дать совет — 16 criteria\n'), 'a leaf task type shows its set size');
});

test('--json tree and --lang en', async () => {
  const r = await pollux(['--json']);
  assert.equal(r.code, 0, r.stderr);
  const doc = JSON.parse(r.stdout) as { version: string; stats: unknown; groups: Array<{ taskTypes: unknown[] }> };
  assert.equal(doc.version, cat.version);
  assert.deepEqual(doc.stats, { groups: 8, taskTypes: 35, leaves: 152, criteria: 295 });
  assert.equal(doc.groups.reduce((s, g) => s + g.taskTypes.length, 0), 35);
  const en = await pollux(['--lang', 'en']);
  assert.ok(en.stdout.includes('\nTechnical Problems (4 task types, 20 leaves)\n'), en.stdout);
  assert.ok(en.stdout.includes('  Code creation — 5 leaves'));
});

test('--task with a path: the leaf\'s criteria with group, scale and rubric', async () => {
  const r = await pollux(['--task', 'Написать код > Python']);
  assert.equal(r.code, 0, r.stderr);
  const leaf = cat.findTask(['Написать код', 'Python'])?.criteria ?? [];
  assert.match(r.stdout, new RegExp(`\\n${leaf.length} criteria:\\n`));
  const blocks = leaf.map((k) => r.stdout.indexOf(`\n${k}  [`));
  assert.ok(blocks.every((i) => i > 0), 'every criterion is listed');
  assert.deepEqual([...blocks].sort((a, b) => a - b), blocks, 'in the leaf\'s order');
  const runs = cat.byKey(leaf[0] ?? '');
  assert.ok(r.stdout.includes(`${runs?.key}  [Task-specific · 0/1]\n  ${runs?.name.ru}\n    0: `), r.stdout.slice(0, 400));
  // the same task by English names, as repeated --task parts
  const en = await pollux(['--task', 'Code creation', '--task', 'Python', '--json']);
  const doc = JSON.parse(en.stdout) as { criteria: Array<{ key: string; rubric: string; scale: { label: string } }> };
  assert.deepEqual(doc.criteria.map((c) => c.key), leaf);
  assert.equal(doc.criteria[0]?.rubric, runs?.rubric);
});

test('--task on the gate criteria and a task type above the leaves', async () => {
  const r = await pollux(['--task', 'дать совет', '--json']);
  const doc = JSON.parse(r.stdout) as { criteria: Array<{ key: string; gate: boolean; scale: { label: string } }> };
  assert.deepEqual(doc.criteria.slice(0, 2).map((c) => [c.key, c.gate, c.scale.label]), [['narushenie_formata', true, '0/1 gate'], ['censor', true, '0/1 gate']]);
  const above = await pollux(['--task', 'Написать код']);
  assert.match(above.stdout, /Subtasks:\n {2}Python — 5 criteria\n/);
  assert.match(above.stdout, /criteria \(union over 5 leaves\):/);
});

test('--criterion KEY shows one criterion in full', async () => {
  const r = await pollux(['--criterion', 'censor']);
  assert.equal(r.code, 0, r.stderr);
  assert.ok(r.stdout.startsWith('censor\n  name (ru): Ответа нет, но есть заглушка цензора?\n  name (en): No output because of the censor?\n'));
  assert.match(r.stdout, /scale: 0\/1 \(gate: 1 = bad/);
  assert.match(r.stdout, new RegExp(`used by ${cat.tasksUsing('censor').length} tasks:`));
  assert.ok(r.stdout.includes(`  rubric:\n    0: ${cat.byKey('censor')?.rubric.split('\n')[0]?.slice(3)}`));
  const json = JSON.parse((await pollux(['--criterion', 'operability', '--json'])).stdout) as { gate: boolean; binary: boolean; usedBy: unknown[] };
  assert.deepEqual([json.gate, json.binary], [false, true]);
  assert.equal(json.usedBy.length, cat.tasksUsing('operability').length);
});

test('--search over keys, names and rubrics, optionally within a task', async () => {
  const r = await pollux(['--search', 'latex', '--lang', 'en']);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /^3 criteria match "latex"\n\nlatex_correctness {2}\[Task-specific · 0–2\] {2}LaTeX script correctness\n/);
  const within = JSON.parse((await pollux(['--search', 'Правильность', '--task', 'Написать код > SQL', '--json'])).stdout) as { matches: Array<{ key: string }> };
  const sql = new Set(cat.findTask(['Написать код', 'SQL'])?.criteria);
  assert.ok(within.matches.length > 0 && within.matches.every((m) => sql.has(m.key)));
});

test('unknown task or key: exit 2 with close matches', async () => {
  const t = await pollux(['--task', 'Написать код > Pyton']);
  assert.equal(t.code, 2);
  assert.equal(t.stdout, '');
  assert.match(t.stderr, /unknown task "Pyton" under "Написать код"; close matches: Написать код > Python/);
  const sub = await pollux(['--task', 'Python']);
  assert.equal(sub.code, 2);
  assert.match(sub.stderr, /close matches: Написать код > Python, Проанализировать код > Python, Изменить код > Python/);
  const k = await pollux(['--criterion', 'fact']);
  assert.equal(k.code, 2);
  assert.match(k.stderr, /unknown criterion key "fact"; close matches: facts, facts__2/);
  assert.equal((await pollux(['--task', 'Дать совет', '--criterion', 'censor'])).code, 2);
});

test('--criteria FILE merges, --no-pollux-criteria replaces, and file errors exit 2', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'pollux-criteria-cli-'));
  const file = join(dir, 'mine.yaml');
  writeFileSync(file, 'criteria:\n  - key: code_runs\n    name: Код запускается?\n    rubric: {"0": нет, "1": да}\ntasks:\n  "Моя задача": [code_runs, censor]\n');
  const merged = await pollux(['--criteria', file]);
  assert.equal(merged.code, 0, merged.stderr);
  assert.match(merged.stdout, /^POLLUX taxonomy \+ 1 criteria file \(catalog@[0-9a-f]{12}\): 9 groups, 36 task types, 153 leaves, 296 criteria\n/);
  assert.ok(merged.stdout.includes('\nСвои задачи (1 task type, 1 leaf)\n  Моя задача — 2 criteria\n'));
  const replaced = await pollux(['--criteria', file, '--no-pollux-criteria']);
  assert.equal(replaced.code, 2, 'censor is unknown without POLLUX');
  assert.match(replaced.stderr, /mine\.yaml:6, field "tasks\["Моя задача"\]\[1\]": unknown criterion key "censor"/);
  const bad = join(dir, 'bad.json');
  writeFileSync(bad, '{"criteria": [{"key": "k", "name": "N", "rubric": {"0": "a", "x": "b"}}]}');
  const r = await pollux(['--criteria', bad, '--criterion', 'k']);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /bad\.json:1, field "criteria\[0\]\.rubric": level "x" is not a number/);
  assert.equal((await pollux(['--no-pollux-criteria'])).code, 2, 'nothing to show');
});
