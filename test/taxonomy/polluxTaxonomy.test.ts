import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { parseScale } from '../../src/core/scale.ts';
import {
  POLLUX_CRITERIA_FILE,
  POLLUX_TASKS_FILE,
  polluxCatalog,
  polluxTaxonomy,
  polluxTaxonomyVersion,
} from '../../src/taxonomy/index.ts';
import type { TaskNode } from '../../src/taxonomy/index.ts';

// The raw files, read here independently of the loader, so the loader is checked against them.
function rawLines(file: string): Array<Record<string, unknown>> {
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter((l) => l.trim())
    .map((l) => JSON.parse(l) as Record<string, unknown>);
}
const rawCriteria = rawLines(POLLUX_CRITERIA_FILE);
const rawTasks = rawLines(POLLUX_TASKS_FILE);

test('the shipped taxonomy has 8 groups, 35 task types, 152 leaves and 295 criteria', () => {
  assert.deepEqual(polluxCatalog().stats(), { groups: 8, taskTypes: 35, leaves: 152, criteria: 295 });
  // and the raw files agree with what the loader built
  const levels = new Map<string, number>();
  for (const t of rawTasks) levels.set(String(t.level), (levels.get(String(t.level)) ?? 0) + 1);
  assert.equal(levels.get('group'), 8);
  assert.equal(levels.get('task'), 35);
  assert.equal(rawTasks.filter((t) => Array.isArray(t.criteria)).length, 152);
  assert.equal(new Set(rawCriteria.map((c) => c.key)).size, 295);
});

test('every leaf key exists, every criterion is used, and keys are unique', () => {
  const cat = polluxCatalog();
  const used = new Set<string>();
  for (const leaf of cat.leaves()) {
    assert.ok(leaf.criteria && leaf.criteria.length > 0, `leaf ${leaf.path.join('/')} has criteria`);
    assert.equal(new Set(leaf.criteria).size, leaf.criteria.length, `no key twice in ${leaf.path.join('/')}`);
    for (const k of leaf.criteria) {
      assert.ok(cat.byKey(k), `leaf ${leaf.path.join('/')} names ${k}, which exists`);
      used.add(k);
    }
  }
  const keys = cat.criteria().map((c) => c.key);
  assert.equal(new Set(keys).size, keys.length);
  assert.deepEqual(keys.filter((k) => !used.has(k)), []);
  // leaves are exactly the nodes with no children
  const walk = (n: TaskNode): void => {
    assert.equal(n.criteria !== null, n.children.length === 0, `${n.path.join('/')}: a leaf iff childless`);
    n.children.forEach(walk);
  };
  cat.groups().forEach(walk);
});

test('criteria keep source order and the raw names, groups and domains', () => {
  const cat = polluxCatalog();
  assert.deepEqual(cat.criteria().map((c) => c.key), rawCriteria.map((c) => c.key));
  for (const [i, raw] of rawCriteria.entries()) {
    const c = cat.criteria()[i];
    assert.ok(c);
    assert.deepEqual(c.name, raw.name);
    assert.deepEqual(c.groupName, raw.crit_group);
    assert.equal(c.group, (raw.crit_group as { en: string }).en);
    assert.deepEqual(c.domain, raw.domain ?? null);
    assert.equal(c.task, raw.task ?? null);
    assert.equal(c.origin, 'pollux');
  }
});

test('scale distribution: 247 × 0–2, 26 × 0/1, 9 × 0–3, 12 × 0–4, 1 × 1–3', () => {
  const counts = new Map<string, number>();
  for (const c of polluxCatalog().criteria()) {
    const label = c.scale.levels.map((l) => l.value).join(',');
    counts.set(label, (counts.get(label) ?? 0) + 1);
  }
  assert.deepEqual(Object.fromEntries(counts), { '0,1,2': 247, '0,1': 26, '0,1,2,3': 9, '0,1,2,3,4': 12, '1,2,3': 1 });
  const odd = polluxCatalog().criteria().find((c) => c.scale.min === 1);
  assert.equal(odd?.key, 'creativity__3');
});

test('rubrics are the scale_ru mapping rendered in ascending order, and parse back to the same levels', () => {
  const cat = polluxCatalog();
  const raw = rawCriteria.find((c) => c.key === 'proactivity');
  const mapping = raw?.scale_ru as Record<string, string>;
  assert.equal(cat.byKey('proactivity')?.rubric, `0: ${mapping['0']}\n\n1: ${mapping['1']}\n\n2: ${mapping['2']}`);
  for (const c of cat.criteria()) {
    assert.deepEqual(
      parseScale(c.rubric).levels.map((l) => l.value),
      c.scale.levels.map((l) => l.value),
      `${c.key}: the rendered rubric gives the scale back`,
    );
    assert.equal(c.scale.source, 'mapping');
    assert.equal(c.binary, c.scale.kind === 'binary');
  }
});

test('gates are the Critical group 0/1 criteria only; the other 0/1 criteria are binary with 1 = good', () => {
  const cat = polluxCatalog();
  const gates = cat.criteria().filter((c) => c.gate).map((c) => c.key);
  assert.deepEqual(gates, ['narushenie_formata', 'censor']);
  assert.deepEqual(cat.criteria().filter((c) => c.group === 'Critical').map((c) => c.key), gates);
  const binaryGood = cat.criteria().filter((c) => c.binary && !c.gate);
  assert.equal(binaryGood.length, 24);
  assert.ok(binaryGood.some((c) => c.key === 'operability'), 'code operability is 1 = good');
  for (const c of binaryGood) assert.notEqual(c.group, 'Critical');
});

test('the taxonomy version is derived from the bytes of both shipped files', () => {
  const expected = createHash('sha256').update(readFileSync(POLLUX_CRITERIA_FILE)).update(readFileSync(POLLUX_TASKS_FILE)).digest('hex');
  assert.equal(polluxTaxonomy().sha256, expected);
  assert.equal(polluxTaxonomyVersion(), `pollux-taxonomy@${expected.slice(0, 12)}`);
  assert.equal(polluxCatalog().version, polluxTaxonomyVersion());
  assert.equal(polluxTaxonomy(), polluxTaxonomy(), 'loaded once');
});

test('almost every text task starts with the same 11 general keys', () => {
  const common = ['narushenie_formata', 'censor', 'repeats', 'special_symbol', 'system_prompt_follow', 'proactivity', 'value', 'speech', 'understanding', 'format', 'general'];
  const leaves = polluxCatalog().leaves();
  const starting = leaves.filter((l) => common.every((k, i) => l.criteria?.[i] === k));
  assert.ok(starting.length > leaves.length / 2, `${starting.length} of ${leaves.length} leaves`);
  const code = polluxCatalog().findTask(['Написать код', 'Python']);
  assert.ok(code && !code.criteria?.includes('general'), 'code tasks have their own criteria');
});
