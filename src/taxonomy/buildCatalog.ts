import { InputError } from '../core/errors.ts';
import { stableHash } from '../core/hash.ts';
import { Catalog, matchChild } from './catalog.ts';
import { CriteriaFileError, loadCriteriaFile } from './criteriaFile.ts';
import type { CriteriaFile, CriteriaFileTask } from './criteriaFile.ts';
import { closeMatches, formatTaskPath } from './names.ts';
import { polluxTaxonomy } from './polluxData.ts';
import { POLLUX_ORIGIN } from './types.ts';
import type { CatalogSource, TaskLevel, TaskNode, TaxonomyCriterion } from './types.ts';

export interface BuildCatalogOptions {
  /** Custom criteria files (YAML or JSON), applied in order: a later file overrides an earlier one. */
  criteriaFiles?: readonly string[];
  /** Files parsed already (parseCriteriaFile), applied after `criteriaFiles`. */
  files?: readonly CriteriaFile[];
  /** Start from the POLLUX taxonomy (default true); false = only the custom files' criteria and tasks. */
  pollux?: boolean;
}

/** Where custom task types that match no POLLUX task type go. */
export const CUSTOM_GROUP_NAME = { ru: 'Свои задачи', en: 'Custom tasks' } as const;

const CHILD_LEVEL: Record<TaskLevel, TaskLevel | null> = {
  group: 'task',
  task: 'subtask_l1',
  subtask_l1: 'subtask_l2',
  subtask_l2: null,
};

function newNode(level: TaskLevel, path: string[], name: string, origin: string): TaskNode {
  return { level, path, name: { ru: name, en: name }, children: [], criteria: null, hasGold: null, domain: null, note: null, origin };
}

/** Places one custom task set into the tree: existing nodes are matched by name, missing ones created. */
function placeTask(groups: TaskNode[], task: CriteriaFileTask, origin: string, issues: InputError[]): void {
  const [first, ...rest] = task.path;
  if (first === undefined) return;
  let node = matchChild(groups.flatMap((g) => g.children), first) ?? matchChild(groups, first);
  if (!node) {
    let custom = groups.find((g) => g.origin !== POLLUX_ORIGIN && g.path[0] === CUSTOM_GROUP_NAME.en);
    if (!custom) {
      custom = newNode('group', [CUSTOM_GROUP_NAME.en], CUSTOM_GROUP_NAME.en, origin);
      custom.name = { ...CUSTOM_GROUP_NAME };
      groups.push(custom);
    }
    node = newNode('task', [...custom.path, first], first, origin);
    custom.children.push(node);
  }
  for (const part of rest) {
    let next = matchChild(node.children, part);
    if (!next) {
      const level = CHILD_LEVEL[node.level];
      if (!level) {
        issues.push(new InputError(`the task path ${JSON.stringify(formatTaskPath(task.path))} is too deep: a task type has at most two levels of subtasks`, task.location));
        return;
      }
      next = newNode(level, [...node.path, part], part, origin);
      node.children.push(next);
    }
    node = next;
  }
  if (node.level === 'group') {
    issues.push(new InputError(`${JSON.stringify(formatTaskPath(task.path))} is a task group; give a task type (or a path below it)`, task.location));
    return;
  }
  node.criteria = [...task.keys];
  node.origin = origin;
}

/**
 * A catalog of the POLLUX taxonomy merged with custom criteria files, or of the files alone.
 * Merge rules: a custom criterion replaces the POLLUX (or earlier file's) criterion with the same
 * key everywhere that key is used; a custom task set replaces the set of the task it names, or
 * adds the task (under the named parent, or as a task type of the group "Custom tasks"). Every
 * key a task set lists must exist in the merged catalog.
 */
export function buildCatalog(options: BuildCatalogOptions = {}): Catalog {
  const usePollux = options.pollux ?? true;
  const files = [...(options.criteriaFiles ?? []).map(loadCriteriaFile), ...(options.files ?? [])];
  if (usePollux && files.length === 0) return polluxCatalog();
  const base = usePollux ? polluxTaxonomy() : null;

  const criteria: TaxonomyCriterion[] = base ? [...base.criteria] : [];
  const position = new Map(criteria.map((c, i) => [c.key, i]));
  for (const file of files) {
    for (const c of file.criteria) {
      const at = position.get(c.key);
      if (at === undefined) {
        position.set(c.key, criteria.length);
        criteria.push(c);
      } else criteria[at] = c;
    }
  }

  const groups: TaskNode[] = base ? structuredClone(base.groups) as TaskNode[] : [];
  const issues: InputError[] = [];
  const keys = criteria.map((c) => c.key);
  for (const file of files) {
    for (const task of file.tasks) {
      const unknown = task.keys.map((k, i) => ({ k, i })).filter(({ k }) => !position.has(k));
      for (const { k, i } of unknown) {
        const close = closeMatches(k, keys);
        const hint = close.length > 0 ? `; close matches: ${close.join(', ')}` : usePollux ? '' : ' (the POLLUX criteria are switched off)';
        issues.push(new InputError(`unknown criterion key ${JSON.stringify(k)}${hint}`, task.keyLocations[i] ?? task.location));
      }
      if (unknown.length === 0) placeTask(groups, task, file.file, issues);
    }
  }
  if (issues.length > 0) throw new CriteriaFileError(issues);

  const sources: CatalogSource[] = [];
  if (base) sources.push({ kind: 'pollux', id: base.version, sha256: base.sha256 });
  for (const f of files) sources.push({ kind: 'file', id: f.file, sha256: f.sha256 });
  const version = `catalog@${stableHash({ pollux: base?.version ?? null, files: files.map((f) => f.sha256) }, 12)}`;
  return new Catalog({
    criteria,
    groups,
    version,
    sources,
    namePriority: [...files.map((f) => f.file).reverse(), POLLUX_ORIGIN],
  });
}

let pollux: Catalog | undefined;

/** The catalog of the shipped POLLUX taxonomy alone (built once); its version is the taxonomy's. */
export function polluxCatalog(): Catalog {
  if (!pollux) {
    const t = polluxTaxonomy();
    pollux = new Catalog({
      criteria: t.criteria,
      groups: t.groups,
      version: t.version,
      sources: [{ kind: 'pollux', id: t.version, sha256: t.sha256 }],
      namePriority: [POLLUX_ORIGIN],
    });
  }
  return pollux;
}
