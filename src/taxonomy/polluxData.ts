import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { createHash } from 'node:crypto';
import { renderRubricMapping, scaleFromMapping } from '../core/scale.ts';
import { CRITICAL_GROUP, POLLUX_ORIGIN } from './types.ts';
import type { Localized, TaskLevel, TaskNode, TaxonomyCriterion } from './types.ts';

/** The shipped taxonomy files (see data/SOURCES.md), resolved relative to this module. */
export const POLLUX_CRITERIA_FILE = fileURLToPath(new URL('../../data/taxonomy/criteria_compact.jsonl', import.meta.url));
export const POLLUX_TASKS_FILE = fileURLToPath(new URL('../../data/taxonomy/tasks_compact.jsonl', import.meta.url));

export interface PolluxTaxonomy {
  /** `pollux-taxonomy@` + the first 12 hex digits of SHA-256 over the criteria file's bytes then the tasks file's. */
  version: string;
  sha256: string;
  /** In source order. */
  criteria: readonly TaxonomyCriterion[];
  /** The 8 groups, each holding its task types, in source order. */
  groups: readonly TaskNode[];
}

let cached: PolluxTaxonomy | undefined;

/** The shipped POLLUX taxonomy, read and checked on first use. Callers must not mutate it. */
export function polluxTaxonomy(): PolluxTaxonomy {
  cached ??= loadPolluxTaxonomy(readFileSync(POLLUX_CRITERIA_FILE), readFileSync(POLLUX_TASKS_FILE));
  return cached;
}

/** The version string a run manifest records for the shipped taxonomy. */
export function polluxTaxonomyVersion(): string {
  return polluxTaxonomy().version;
}

type Json = Record<string, unknown>;

// The shipped files are ours: a malformed line is a packaging defect, reported with file and line.
class DataReader {
  constructor(
    readonly file: string,
    readonly line: number,
    readonly obj: Json,
  ) {}
  fail(field: string, expected: string): never {
    throw new Error(`${this.file}:${this.line}: field "${field}": expected ${expected}`);
  }
  str(field: string): string {
    const v = this.obj[field];
    if (typeof v !== 'string' || v === '') this.fail(field, 'a non-empty string');
    return v;
  }
  optStr(field: string): string | null {
    const v = this.obj[field];
    if (v === null || v === undefined) return null;
    if (typeof v !== 'string') this.fail(field, 'a string or null');
    return v;
  }
  localized(field: string, optional: boolean): Localized | null {
    const v = this.obj[field];
    if ((v === null || v === undefined) && optional) return null;
    if (!v || typeof v !== 'object') this.fail(field, 'an object {ru, en}');
    const { ru, en } = v as Json;
    if (typeof ru !== 'string' || typeof en !== 'string') this.fail(field, 'an object {ru, en} of strings');
    return { ru, en };
  }
}

function jsonLines(file: string, bytes: Buffer): DataReader[] {
  return bytes
    .toString('utf8')
    .split('\n')
    .map((text, i) => ({ text, line: i + 1 }))
    .filter((l) => l.text.trim() !== '')
    .map((l) => new DataReader(file, l.line, JSON.parse(l.text) as Json));
}

function toCriterion(r: DataReader): TaxonomyCriterion {
  const scaleRu = r.obj.scale_ru;
  if (!scaleRu || typeof scaleRu !== 'object' || Object.values(scaleRu).some((v) => typeof v !== 'string')) {
    r.fail('scale_ru', 'an object mapping scores to texts');
  }
  const mapping = scaleRu as Record<string, string>;
  const scale = scaleFromMapping(mapping, { file: r.file, line: r.line, field: 'scale_ru' });
  const name = r.localized('name', false) as Localized;
  const groupName = r.localized('crit_group', true);
  const binary = scale.kind === 'binary';
  return {
    key: r.str('key'),
    name: { ru: name.ru, en: name.en },
    group: groupName?.en ?? null,
    rubric: renderRubricMapping(mapping),
    scale,
    // Only the Critical group's 0/1 criteria are gates (1 = bad); other 0/1 criteria score 1 = good.
    gate: groupName?.en === CRITICAL_GROUP && binary && scale.min === 0 && scale.max === 1,
    groupName,
    domain: r.localized('domain', true),
    task: r.optStr('task'),
    subtask1: r.optStr('subtask1'),
    subtask2: r.optStr('subtask2'),
    binary,
    origin: POLLUX_ORIGIN,
  };
}

const LEVELS: readonly TaskLevel[] = ['group', 'task', 'subtask_l1', 'subtask_l2'];

function toTaskTree(readers: DataReader[]): TaskNode[] {
  const roots: TaskNode[] = [];
  const byPath = new Map<string, TaskNode>();
  for (const r of readers) {
    const level = r.str('level') as TaskLevel;
    const path = r.obj.path;
    if (!Array.isArray(path) || path.some((p) => typeof p !== 'string')) r.fail('path', 'an array of strings');
    const depth = LEVELS.indexOf(level);
    if (depth < 0 || depth !== path.length - 1) r.fail('level', `one of ${LEVELS.join(', ')} matching the path's depth`);
    const criteria = r.obj.criteria;
    if (criteria !== undefined && (!Array.isArray(criteria) || criteria.some((k) => typeof k !== 'string'))) {
      r.fail('criteria', 'an array of criterion keys');
    }
    const hasGold = r.obj.has_gold;
    const node: TaskNode = {
      level,
      path: path as string[],
      name: r.localized('name', false) as Localized,
      children: [],
      criteria: (criteria as string[] | undefined) ?? null,
      hasGold: typeof hasGold === 'boolean' ? hasGold : null,
      domain: r.localized('domain', true),
      note: r.optStr('note'),
      origin: POLLUX_ORIGIN,
    };
    const parentPath = JSON.stringify(path.slice(0, -1));
    if (depth === 0) roots.push(node);
    else {
      const parent = byPath.get(parentPath);
      if (!parent) r.fail('path', 'a path whose parent node comes earlier in the file');
      parent.children.push(node);
    }
    byPath.set(JSON.stringify(path), node);
  }
  return roots;
}

export function loadPolluxTaxonomy(criteriaBytes: Buffer, tasksBytes: Buffer): PolluxTaxonomy {
  const sha256 = createHash('sha256').update(criteriaBytes).update(tasksBytes).digest('hex');
  const criteria = jsonLines(POLLUX_CRITERIA_FILE, criteriaBytes).map(toCriterion);
  const groups = toTaskTree(jsonLines(POLLUX_TASKS_FILE, tasksBytes));
  return { version: `pollux-taxonomy@${sha256.slice(0, 12)}`, sha256, criteria, groups };
}
