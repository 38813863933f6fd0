import { polluxTaxonomy } from '../taxonomy/index.ts';
import type { TaskNode } from '../taxonomy/index.ts';

/**
 * The POLLUX task group of a task type, by the task's Russian or English name or source key (case
 * and outer spaces aside, as the catalog matches them). The group is named in Russian, like the
 * dataset's task types. Unknown task types give null: the report then lets the task type stand for
 * its own group.
 */
export function taskGroupLookup(groups: readonly TaskNode[] = polluxTaxonomy().groups): (taskType: string | null) => string | null {
  const byName = new Map<string, string>();
  for (const g of groups) {
    for (const t of g.children) {
      for (const name of [t.name.ru, t.name.en, t.path[t.path.length - 1]]) {
        if (name) byName.set(name.trim().toLowerCase(), g.name.ru);
      }
    }
  }
  return (taskType) => (taskType === null ? null : (byName.get(taskType.trim().toLowerCase()) ?? null));
}
