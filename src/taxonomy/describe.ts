import { describeScale } from '../core/scale.ts';
import type { Criterion } from '../core/types.ts';
import type { Catalog } from './catalog.ts';
import { formatTaskPath } from './names.ts';
import type { TaxonomyLang, TaskNode, TaxonomyCriterion } from './types.ts';

/** `0–2`, `0/1` (1 = good) or `0/1 gate` (1 = bad). */
export function criterionScaleLabel(c: Criterion): string {
  return c.gate ? `${describeScale(c.scale)} gate` : describeScale(c.scale);
}

function plural(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`;
}

function criterionName(c: TaxonomyCriterion, lang: TaxonomyLang): string {
  return lang === 'en' && c.name.en ? c.name.en : c.name.ru;
}

function leafCount(node: TaskNode): number {
  return node.criteria ? 1 : node.children.reduce((s, c) => s + leafCount(c), 0);
}

export function taskPathLabel(catalog: Catalog, node: TaskNode, lang: TaxonomyLang): string {
  return formatTaskPath(catalog.ancestry(node).filter((n) => n.level !== 'group').map((n) => n.name[lang]));
}

// ── JSON shapes (the --json output; stable field names) ─────────────────────

export function criterionJson(c: TaxonomyCriterion) {
  return {
    key: c.key,
    name: c.name,
    group: c.group,
    groupName: c.groupName,
    domain: c.domain,
    task: c.task,
    subtask1: c.subtask1,
    subtask2: c.subtask2,
    gate: c.gate,
    binary: c.binary,
    scale: { kind: c.scale.kind, min: c.scale.min, max: c.scale.max, levels: c.scale.levels.map((l) => l.value), label: criterionScaleLabel(c) },
    rubric: c.rubric,
    origin: c.origin,
  };
}

export function taskNodeJson(catalog: Catalog, node: TaskNode, withChildren = true): Record<string, unknown> {
  const out: Record<string, unknown> = {
    level: node.level,
    path: node.path,
    name: node.name,
    leaves: leafCount(node),
    criteriaCount: catalog.criteriaKeysFor(node).length,
    criteria: node.criteria,
    hasGold: node.hasGold,
    domain: node.domain,
    note: node.note,
    origin: node.origin,
  };
  if (withChildren) out.children = node.children.map((c) => taskNodeJson(catalog, c, true));
  return out;
}

export function treeJson(catalog: Catalog) {
  return {
    version: catalog.version,
    sources: catalog.sources,
    stats: catalog.stats(),
    groups: catalog.groups().map((g) => ({
      ...taskNodeJson(catalog, g, false),
      taskTypes: g.children.map((t) => taskNodeJson(catalog, t, false)),
    })),
  };
}

// ── Text (the human output of `pollux criteria`) ────────────────────────────

function header(catalog: Catalog): string {
  const s = catalog.stats();
  const files = catalog.sources.filter((x) => x.kind === 'file').length;
  const hasPollux = catalog.sources.some((x) => x.kind === 'pollux');
  const what = hasPollux ? (files > 0 ? `POLLUX taxonomy + ${plural(files, 'criteria file')}` : 'POLLUX taxonomy') : plural(files, 'criteria file');
  return `${what} (${catalog.version}): ${plural(s.groups, 'group')}, ${plural(s.taskTypes, 'task type')}, ${plural(s.leaves, 'leaf', 'leaves')}, ${plural(s.criteria, 'criterion', 'criteria')}`;
}

function nodeSummary(catalog: Catalog, node: TaskNode): string {
  const n = catalog.criteriaKeysFor(node).length;
  if (node.criteria) return plural(n, 'criterion', 'criteria');
  return `${plural(leafCount(node), 'leaf', 'leaves')}, ${plural(n, 'criterion', 'criteria')}`;
}

export function formatTaskTree(catalog: Catalog, lang: TaxonomyLang): string[] {
  const lines = [header(catalog), ''];
  for (const g of catalog.groups()) {
    lines.push(`${g.name[lang]} (${plural(g.children.length, 'task type')}, ${plural(leafCount(g), 'leaf', 'leaves')})`);
    for (const t of g.children) lines.push(`  ${t.name[lang]} — ${nodeSummary(catalog, t)}`);
  }
  return lines;
}

function indent(text: string, by: string): string[] {
  return text.split('\n').map((l) => (l.trim() ? by + l : ''));
}

function criterionBlock(c: TaxonomyCriterion, lang: TaxonomyLang): string[] {
  return [`${c.key}  [${c.group ?? 'no group'} · ${criterionScaleLabel(c)}]`, `  ${criterionName(c, lang)}`, ...indent(c.rubric, '    '), ''];
}

function subtree(catalog: Catalog, node: TaskNode, lang: TaxonomyLang, depth: number): string[] {
  return node.children.flatMap((c) => [`${'  '.repeat(depth)}${c.name[lang]} — ${nodeSummary(catalog, c)}`, ...subtree(catalog, c, lang, depth + 1)]);
}

export function formatTaskCriteria(catalog: Catalog, node: TaskNode, lang: TaxonomyLang): string[] {
  const chain = catalog.ancestry(node);
  const group = chain[0];
  const facts = [
    group && group !== node ? `group: ${group.name[lang]}` : null,
    `level: ${node.level}`,
    node.domain ? `domain: ${node.domain[lang]}` : null,
    node.hasGold === null ? null : `reference answer: ${node.hasGold ? 'yes' : 'no'}`,
    node.origin === 'pollux' ? null : `from: ${node.origin}`,
  ].filter((x): x is string => x !== null);
  const lines = [node.level === 'group' ? node.name[lang] : taskPathLabel(catalog, node, lang), `  ${facts.join(' · ')}`];
  if (node.note) lines.push(`  note: ${node.note}`);
  lines.push('');
  if (node.children.length > 0) lines.push('Subtasks:', ...subtree(catalog, node, lang, 1), '');
  const criteria = catalog.criteriaKeysFor(node).map((k) => catalog.byKey(k)).filter((c): c is TaxonomyCriterion => !!c);
  const of = node.criteria ? '' : ` (union over ${plural(leafCount(node), 'leaf', 'leaves')})`;
  lines.push(`${plural(criteria.length, 'criterion', 'criteria')}${of}:`, '');
  for (const c of criteria) lines.push(...criterionBlock(c, lang));
  return lines;
}

export function formatCriterion(catalog: Catalog, c: TaxonomyCriterion, lang: TaxonomyLang): string[] {
  const meaning = c.gate ? 'gate: 1 = bad, zeroes the answer\'s other scores' : c.binary ? '1 = good' : null;
  const taskFields = [c.task, c.subtask1, c.subtask2].filter((x): x is string => !!x);
  const used = catalog.tasksUsing(c.key);
  const lines = [
    c.key,
    `  name (ru): ${c.name.ru}`,
    ...(c.name.en ? [`  name (en): ${c.name.en}`] : []),
    `  group: ${c.groupName ? `${c.groupName.en} (${c.groupName.ru})` : 'none'}`,
    ...(c.domain ? [`  domain: ${c.domain[lang]}`] : []),
    ...(taskFields.length > 0 ? [`  task: ${formatTaskPath(taskFields)}`] : []),
    `  scale: ${describeScale(c.scale)}${meaning ? ` (${meaning})` : ''}`,
    ...(c.origin === 'pollux' ? [] : [`  from: ${c.origin}`]),
    `  used by ${plural(used.length, 'task')}${used.length > 0 ? ':' : ''}`,
  ];
  const shown = used.slice(0, 12);
  for (const n of shown) lines.push(`    ${taskPathLabel(catalog, n, lang)}`);
  if (used.length > shown.length) lines.push(`    … and ${used.length - shown.length} more`);
  lines.push('  rubric:', ...indent(c.rubric, '    '));
  return lines;
}

export function formatCriteriaSearch(matches: readonly TaxonomyCriterion[], query: string, lang: TaxonomyLang): string[] {
  const lines = [`${plural(matches.length, 'criterion', 'criteria')} match ${JSON.stringify(query)}`, ''];
  for (const c of matches) lines.push(`${c.key}  [${c.group ?? 'no group'} · ${criterionScaleLabel(c)}]  ${criterionName(c, lang)}`);
  return lines;
}
