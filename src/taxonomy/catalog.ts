import type { CriteriaCatalog, TaskPathMatch } from '../core/types.ts';
import { closeMatches, normalizeName, normalizeRubric } from './names.ts';
import type { CatalogSource, TaxonomyLang, TaskLocation, TaskNode, TaxonomyCriterion, TaxonomyStats } from './types.ts';

/** What a dataset row says about its criterion, for `resolveCriterion`. */
export interface CriterionQuery {
  name: string;
  rubric?: string | null;
  task?: readonly (string | null | undefined)[] | null;
}

// Computed once per node: look-ups run once per dataset row, and there are hundreds of thousands.
const namesOfNode = new WeakMap<TaskNode, string[]>();
function nodeNames(node: TaskNode): string[] {
  let names = namesOfNode.get(node);
  if (!names) {
    names = [node.name.ru, node.name.en, node.path[node.path.length - 1] ?? ''].map(normalizeName);
    namesOfNode.set(node, names);
  }
  return names;
}

/** The node among `nodes` whose Russian or English name or source key is `part` (case and outer spaces aside). */
export function matchChild(nodes: readonly TaskNode[], part: string): TaskNode | undefined {
  const wanted = normalizeName(part);
  return nodes.find((n) => nodeNames(n).includes(wanted));
}

/** Dataset rows give `task_subsubtype` as empty or null when the task has no such level. */
function cleanPath(path: readonly (string | null | undefined)[]): string[] {
  const parts = path.map((p) => (typeof p === 'string' ? p : ''));
  while (parts.length > 0 && parts[parts.length - 1]?.trim() === '') parts.pop();
  return parts;
}

function lazy<T>(make: () => T): () => T {
  let value: T | undefined;
  let made = false;
  return () => {
    if (!made) {
      value = make();
      made = true;
    }
    return value as T;
  };
}

/**
 * The criteria and task tree a run uses: the POLLUX taxonomy, custom criteria files, or both
 * merged (see buildCatalog). Criteria keep taxonomy order: POLLUX source order, a custom criterion
 * overriding a POLLUX key in that key's place, new custom criteria after.
 */
export class Catalog implements CriteriaCatalog {
  readonly version: string;
  readonly sources: readonly CatalogSource[];
  readonly #criteria: readonly TaxonomyCriterion[];
  readonly #groups: readonly TaskNode[];
  readonly #byKey = new Map<string, TaxonomyCriterion>();
  readonly #byName = new Map<string, TaxonomyCriterion[]>();
  readonly #parent = new Map<TaskNode, TaskNode | null>();
  readonly #taskTypes: readonly TaskNode[];
  readonly #rubricNorm = new Map<TaxonomyCriterion, string>();
  readonly #keysOfNode = new Map<TaskNode, readonly string[]>();
  readonly #located = new Map<string, TaskLocation>();

  constructor(init: {
    criteria: readonly TaxonomyCriterion[];
    groups: readonly TaskNode[];
    version: string;
    sources: readonly CatalogSource[];
    /** Origins in priority order for name look-ups, most preferred first. */
    namePriority?: readonly string[];
  }) {
    this.version = init.version;
    this.sources = init.sources;
    this.#criteria = init.criteria;
    this.#groups = init.groups;
    for (const c of init.criteria) this.#byKey.set(c.key, c);
    const priority = init.namePriority ?? [];
    const rank = (c: TaxonomyCriterion) => {
      const i = priority.indexOf(c.origin);
      return i < 0 ? priority.length : i;
    };
    const ordered = [...init.criteria].sort((a, b) => rank(a) - rank(b));
    for (const c of ordered) {
      for (const n of new Set([c.name.ru, c.name.en].filter((x): x is string => !!x).map(normalizeName))) {
        const list = this.#byName.get(n) ?? [];
        list.push(c);
        this.#byName.set(n, list);
      }
    }
    const walk = (node: TaskNode, parent: TaskNode | null) => {
      this.#parent.set(node, parent);
      for (const child of node.children) walk(child, node);
    };
    for (const g of init.groups) walk(g, null);
    this.#taskTypes = init.groups.flatMap((g) => g.children);
    for (const c of init.criteria) this.#rubricNorm.set(c, normalizeRubric(c.rubric));
  }

  #sameRubric(c: TaxonomyCriterion, rubric: string, normalized: () => string): boolean {
    return c.rubric === rubric || this.#rubricNorm.get(c) === normalized();
  }

  // ── criteria ────────────────────────────────────────────────────────────

  criteria(): readonly TaxonomyCriterion[] {
    return this.#criteria;
  }

  byKey(key: string): TaxonomyCriterion | undefined {
    return this.#byKey.get(key);
  }

  /** Every criterion with this Russian or English name, most preferred first (see byName). */
  allByName(name: string): TaxonomyCriterion[] {
    return [...(this.#byName.get(normalizeName(name)) ?? [])];
  }

  /**
   * By Russian or English name, ignoring case and surrounding whitespace. Names are not unique
   * (`facts`, `facts__2`, … share one), so: with `rubric`, the first criterion of that name whose
   * rubric is identical (line endings and trailing spaces aside) wins; otherwise, or when none is
   * identical, the first of that name: criteria from custom files before POLLUX ones (the last
   * file first), then taxonomy order, which puts a family's base key (`facts`) before `facts__2`.
   */
  byName(name: string, rubric?: string | null): TaxonomyCriterion | undefined {
    const all = this.#byName.get(normalizeName(name));
    if (!all) return undefined;
    if (typeof rubric === 'string') return this.resolveByNameAndRubric(name, rubric) ?? all[0];
    return all[0];
  }

  /** The first criterion (in byName's order) with this name AND an identical rubric; undefined if none. */
  resolveByNameAndRubric(name: string, rubric: string): TaxonomyCriterion | undefined {
    const normalized = lazy(() => normalizeRubric(rubric));
    return this.#byName.get(normalizeName(name))?.find((c) => this.#sameRubric(c, rubric, normalized));
  }

  /**
   * The best criterion for a dataset row among those of its name: one whose rubric is identical
   * (line endings and trailing spaces aside) and in the row's task set, then one with an identical
   * rubric, then one in the task set, then byName's order. The task set is that of the deepest task
   * the row's path reaches: the dataset names subtasks the taxonomy does not know, and an unknown
   * subtask must not throw away what its task type says. An identical rubric outranks the task set,
   * since a task type's set (the union of its subtasks) can hold a sibling of the same name.
   */
  resolveCriterion(query: CriterionQuery): TaxonomyCriterion | undefined {
    const candidates = this.#byName.get(normalizeName(query.name));
    if (!candidates) return undefined;
    if (candidates.length === 1) return candidates[0];
    const node = query.task ? this.locateTask(query.task).node : undefined;
    const inTask = node ? this.#keysFor(node) : null;
    const rubric = query.rubric;
    const normalized = lazy(() => normalizeRubric(rubric ?? ''));
    const same = typeof rubric === 'string' ? candidates.filter((c) => this.#sameRubric(c, rubric, normalized)) : [];
    return (
      (inTask && same.find((c) => inTask.includes(c.key))) ||
      same[0] ||
      (inTask && candidates.find((c) => inTask.includes(c.key))) ||
      candidates[0]
    );
  }

  /** Case-insensitive substring search over keys, names (ru, en) and rubric texts, in taxonomy order. */
  search(text: string): TaxonomyCriterion[] {
    const q = normalizeName(text);
    if (!q) return [];
    return this.#criteria.filter((c) =>
      [c.key, c.name.ru, c.name.en ?? '', c.rubric].some((field) => field.toLowerCase().includes(q)),
    );
  }

  suggestKeys(text: string, limit = 5): string[] {
    const byKey = closeMatches(text, this.#criteria.map((c) => c.key), limit);
    if (byKey.length > 0) return byKey;
    // A name typed where a key was expected: offer the keys of criteria with close names.
    const names = closeMatches(text, this.#criteria.flatMap((c) => [c.name.ru, c.name.en ?? '']), limit);
    return [...new Set(names.flatMap((n) => this.allByName(n).map((c) => c.key)))].slice(0, limit);
  }

  // ── task tree ───────────────────────────────────────────────────────────

  groups(): readonly TaskNode[] {
    return this.#groups;
  }

  taskTypes(): TaskNode[] {
    return [...this.#taskTypes];
  }

  /** Every node with its own criteria set, in tree order. */
  leaves(): TaskNode[] {
    const out: TaskNode[] = [];
    const walk = (n: TaskNode) => {
      if (n.criteria) out.push(n);
      n.children.forEach(walk);
    };
    this.#groups.forEach(walk);
    return out;
  }

  stats(): TaxonomyStats {
    return {
      groups: this.#groups.length,
      taskTypes: this.taskTypes().length,
      leaves: this.leaves().length,
      criteria: this.#criteria.length,
    };
  }

  /** The node's own set, or the union of its children's sets in tree order (first occurrence kept). */
  criteriaKeysFor(node: TaskNode): string[] {
    return [...this.#keysFor(node)];
  }

  #keysFor(node: TaskNode): readonly string[] {
    let keys = this.#keysOfNode.get(node);
    if (!keys) {
      if (node.criteria) keys = node.criteria;
      else {
        const seen = new Set<string>();
        for (const child of node.children) for (const k of this.#keysFor(child)) seen.add(k);
        keys = [...seen];
      }
      this.#keysOfNode.set(node, keys);
    }
    return keys;
  }

  /** The nodes from the group down to `node`. */
  ancestry(node: TaskNode): TaskNode[] {
    const out: TaskNode[] = [];
    for (let n: TaskNode | null | undefined = node; n; n = this.#parent.get(n)) out.unshift(n);
    return out;
  }

  /** The leaves (own-set nodes) whose set contains the key. */
  tasksUsing(key: string): TaskNode[] {
    return this.leaves().filter((n) => n.criteria?.includes(key));
  }

  /**
   * Walks a task path (the dataset's task_type, task_subtype, task_subsubtype; Russian or English
   * names or source keys) as far as it matches. The first part names a task type; a group name is
   * accepted there too, and the next part then names a task type of that group.
   */
  locateTask(path: readonly (string | null | undefined)[]): TaskLocation {
    const parts = cleanPath(path);
    const id = parts.map(normalizeName).join('\u0000');
    let loc = this.#located.get(id);
    if (!loc) {
      loc = this.#walk(parts);
      // Dataset task values repeat across rows; the distinct paths are few.
      if (this.#located.size < 100_000) this.#located.set(id, loc);
    }
    return { ...loc };
  }

  #walk(parts: readonly string[]): TaskLocation {
    const first = parts[0];
    if (first === undefined) return { node: undefined, matched: 0, unmatched: null };
    let node = matchChild(this.#taskTypes, first) ?? matchChild(this.#groups, first);
    if (!node) return { node: undefined, matched: 0, unmatched: first };
    let matched = 1;
    for (const part of parts.slice(1)) {
      const next = matchChild(node.children, part);
      if (!next) return { node, matched, unmatched: part };
      node = next;
      matched++;
    }
    return { node, matched, unmatched: null };
  }

  /** CriteriaCatalog.matchTaskPath: the deepest known task of a dataset path and its criteria. */
  matchTaskPath(path: readonly (string | null | undefined)[]): TaskPathMatch {
    const given = cleanPath(path).length;
    const loc = this.locateTask(path);
    return { matched: loc.node ? loc.matched : 0, given, criteria: loc.node ? this.#criteriaOf(loc.node) : undefined };
  }

  #criteriaOf(node: TaskNode): TaxonomyCriterion[] {
    return this.#keysFor(node).map((k) => {
      const c = this.#byKey.get(k);
      if (!c) throw new Error(`task "${node.path.join(' / ')}" names criterion "${k}", which the catalog lacks`);
      return c;
    });
  }

  /** The node a whole path names, or undefined. */
  findTask(path: readonly (string | null | undefined)[]): TaskNode | undefined {
    const loc = this.locateTask(path);
    return loc.unmatched === null ? loc.node : undefined;
  }

  /** CriteriaCatalog.forTask: the criteria of the node the path names (a union above leaves). */
  forTask(path: readonly string[]): TaxonomyCriterion[] | undefined {
    const node = this.findTask(path);
    return node ? this.#criteriaOf(node) : undefined;
  }

  /** Every node (any depth) whose Russian or English name or key equals `name`. */
  nodesNamed(name: string): TaskNode[] {
    const wanted = normalizeName(name);
    const out: TaskNode[] = [];
    const walk = (n: TaskNode) => {
      if (nodeNames(n).includes(wanted)) out.push(n);
      n.children.forEach(walk);
    };
    this.#groups.forEach(walk);
    return out;
  }

  /** Close names for a part that did not match: among `under`'s children, or task types and groups. */
  suggestTaskNames(part: string, under: TaskNode | undefined, lang: TaxonomyLang = 'ru', limit = 5): string[] {
    const pool = under ? under.children : [...this.#taskTypes, ...this.#groups];
    return closeMatches(part, pool.map((n) => n.name[lang]).concat(pool.map((n) => n.name[lang === 'ru' ? 'en' : 'ru'])), limit);
  }
}
