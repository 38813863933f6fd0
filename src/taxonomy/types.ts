import type { Criterion } from '../core/types.ts';

export interface Localized {
  ru: string;
  en: string;
}

export type TaxonomyLang = 'ru' | 'en';

/** Levels of the POLLUX task tree: group → task type → subtask → sub-subtask. */
export type TaskLevel = 'group' | 'task' | 'subtask_l1' | 'subtask_l2';

/** The group name POLLUX gives its gate criteria (`narushenie_formata`, `censor`). */
export const CRITICAL_GROUP = 'Critical';

/** Origin of everything that comes from the shipped POLLUX data (custom files use their path). */
export const POLLUX_ORIGIN = 'pollux';

/**
 * A criterion of the catalog: the judge-facing Criterion plus what the taxonomy knows about it.
 * `group` is the English group name; `binary` is true for two-level scales whether 1 is good
 * (most 0/1 criteria) or bad (`gate`).
 */
export interface TaxonomyCriterion extends Criterion {
  name: { ru: string; en: string | null };
  groupName: Localized | null;
  domain: Localized | null;
  /** The task / subtask fields of the source criterion (English names), when it is task-specific. */
  task: string | null;
  subtask1: string | null;
  subtask2: string | null;
  binary: boolean;
  /** `pollux`, or the path of the custom criteria file that defined it. */
  origin: string;
}

/**
 * A node of the task tree. A node with `criteria` is a leaf of POLLUX (or a task a custom file gave
 * a criteria set); a node without `criteria` takes the union of its children's sets.
 */
export interface TaskNode {
  level: TaskLevel;
  /** Source keys from the root (English in POLLUX), e.g. `['Technical Problems', 'Code creation', 'Python']`. */
  path: string[];
  name: Localized;
  children: TaskNode[];
  criteria: string[] | null;
  /** Whether the task's samples come with a reference answer (null when unknown). */
  hasGold: boolean | null;
  domain: Localized | null;
  note: string | null;
  origin: string;
}

/** Where a catalog's content came from, for run manifests. */
export interface CatalogSource {
  kind: 'pollux' | 'file';
  /** The taxonomy version for `pollux`, the file path for `file`. */
  id: string;
  sha256: string;
}

export interface TaxonomyStats {
  groups: number;
  taskTypes: number;
  leaves: number;
  criteria: number;
}

/** The result of walking a task path as far as it matches. */
export interface TaskLocation {
  /** The deepest node matched (undefined when even the first part matched nothing). */
  node: TaskNode | undefined;
  /** How many parts of the path were consumed. */
  matched: number;
  /** The first part that matched nothing, or null when the whole path matched. */
  unmatched: string | null;
}
