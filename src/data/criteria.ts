import { InputError } from '../core/errors.ts';
import { stableHash } from '../core/hash.ts';
import { parseScale, rubricText, type RubricInput, type Scale } from '../core/scale.ts';
import type { CriteriaCatalog, Criterion, TaskPathMatch } from '../core/types.ts';
import type { RowView } from './rowView.ts';

/** What a dataset row says about one of its criteria. */
export interface CriterionQuery {
  name: string;
  /** The row's rubric text; null when the row gives none (a catalog rubric is then taken). */
  rubric: string | null;
  /** The row's task path (task_type, task_subtype, task_subsubtype), as deep as it goes. */
  task: readonly string[];
}

/**
 * Finds the catalog criterion a dataset's (name, rubric) pair stands for. Several criteria share a
 * name (`facts`, `facts__2`), so a matcher that also weighs the rubric and the row's task is best.
 */
export type CriterionMatcher = (query: CriterionQuery) => Criterion | undefined;

interface ResolvingCatalog {
  resolveCriterion(query: CriterionQuery): Criterion | undefined;
}

/** The catalog's own task- and rubric-aware look-up when it has one, else its name look-up. */
export function defaultMatcher(catalog: CriteriaCatalog): CriterionMatcher {
  const resolving = catalog as Partial<ResolvingCatalog>;
  if (typeof resolving.resolveCriterion === 'function') {
    const resolve = resolving.resolveCriterion.bind(catalog);
    return (query) => resolve(query);
  }
  return (query) => catalog.byName(query.name);
}

const CACHE_LIMIT = 10_000;

/** The key of a criterion that came with the data and is not in the catalog. */
export function customCriterionKey(name: string, rubric: string): string {
  return `custom:${stableHash({ name, rubric }, 12)}`;
}

/**
 * Turns the criteria a row names into Criterion objects. A (name, rubric) pair keeps the row's own
 * rubric text (that is what the judge must see); when the catalog knows the name, the criterion
 * keeps the catalog's identity (key, group, gate). Results are cached: a dataset repeats a few
 * hundred distinct pairs over and over.
 */
export class CriterionResolver {
  private readonly cache = new Map<string, Criterion | InputError>();
  private readonly match: CriterionMatcher;

  constructor(
    readonly catalog: CriteriaCatalog,
    matcher?: CriterionMatcher,
  ) {
    this.match = matcher ?? defaultMatcher(catalog);
  }

  /** Returns null and records a problem on the row (naming `column`) when the rubric is unusable. */
  fromNameAndRubric(
    view: RowView,
    name: string,
    rubric: RubricInput,
    task: ReadonlyArray<string | null>,
    column: string,
    label = '',
  ): Criterion | null {
    const text = rubricText(rubric);
    const taskPath = knownPrefix(task);
    const cacheKey = `${name}\u0000${typeof rubric === 'string' ? text : JSON.stringify(rubric)}\u0000${taskPath.join('\u0001')}`;
    let hit = this.cache.get(cacheKey);
    if (hit === undefined) {
      hit = this.build(name, rubric, text, taskPath);
      if (this.cache.size >= CACHE_LIMIT) this.cache.clear();
      this.cache.set(cacheKey, hit);
    }
    if (hit instanceof InputError) {
      view.problem(`${label}${hit.problem}`, column);
      return null;
    }
    return hit;
  }

  /**
   * A criterion the row names without a rubric: the catalog's rubric for that name (preferring the
   * row's task set), shown under the row's own name. Null, with a problem on the row, when the
   * catalog has no criterion of that name.
   */
  fromNameOnly(view: RowView, name: string, task: ReadonlyArray<string | null>, column: string, label = ''): Criterion | null {
    const known = this.match({ name, rubric: null, task: knownPrefix(task) });
    if (!known) {
      view.problem(`${label}no rubric given and no known criterion is named "${name}"`, column);
      return null;
    }
    return asTheRowGivesIt(known, name, known.rubric, known.scale);
  }

  byKey(key: string): Criterion | undefined {
    return this.catalog.byKey(key);
  }

  /** The criteria set of the deepest task the path reaches (the taxonomy need not know every subtask). */
  forTask(path: ReadonlyArray<string | null>): Criterion[] | undefined {
    const parts = knownPrefix(path);
    if (parts.length === 0) return undefined;
    if (this.catalog.matchTaskPath) return this.catalog.matchTaskPath(parts).criteria;
    return this.catalog.forTask(parts);
  }

  /** How much of the path the catalog knows; a catalog without prefix matching knows a path whole or not at all. */
  matchTaskPath(path: ReadonlyArray<string | null>): TaskPathMatch {
    const parts = knownPrefix(path);
    if (this.catalog.matchTaskPath) return this.catalog.matchTaskPath(parts);
    const criteria = parts.length > 0 ? this.catalog.forTask(parts) : undefined;
    return { matched: criteria ? parts.length : 0, given: parts.length, criteria };
  }

  private build(name: string, rubric: RubricInput, text: string, task: readonly string[]): Criterion | InputError {
    let scale;
    try {
      scale = parseScale(rubric);
    } catch (err) {
      if (err instanceof InputError) return err;
      throw err;
    }
    const known = this.match({ name, rubric: text, task });
    if (known) return asTheRowGivesIt(known, name, text, scale);
    return { key: customCriterionKey(name, text), name: { ru: name, en: null }, group: null, rubric: text, scale, gate: false };
  }
}

/** A scale whose levels are exactly 0 and 1: the only scale a gate (1 = bad) can have. */
export function isZeroOneScale(scale: Scale): boolean {
  return scale.levels.length === 2 && scale.min === 0 && scale.max === 1;
}

/**
 * A catalog criterion as one dataset row gives it. The judge sees the row's name and rubric byte for
 * byte (the judges were trained on the dataset's own texts; a catalog spelling would change the
 * prompt); the catalog lends only identity (key, group, English name). Whether it is a gate follows
 * the row's own scale: a criterion that shares a name with a gate but is not 0/1 cannot be one.
 */
export function asTheRowGivesIt(known: Criterion, name: string, rubric: string, scale: Scale): Criterion {
  const gate = known.gate && isZeroOneScale(scale);
  if (known.name.ru === name && known.rubric === rubric && known.gate === gate) return known;
  return { ...known, name: { ru: name, en: known.name.en ?? null }, rubric, scale, gate };
}

/** A task path up to its first missing level. */
function knownPrefix(path: ReadonlyArray<string | null>): string[] {
  const parts: string[] = [];
  for (const p of path) {
    if (p === null) break;
    parts.push(p);
  }
  return parts;
}
