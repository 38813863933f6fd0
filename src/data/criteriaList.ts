import { parseNumber } from '../core/scale.ts';
import type { Criterion } from '../core/types.ts';
import type { ItemCriterion } from './datasetTypes.ts';
import type { ReadContext } from './readContext.ts';
import type { RowView } from './rowView.ts';
import { describeJsonValue } from './tableTypes.ts';

function text(value: unknown): string | null {
  return typeof value === 'string' && value.trim() !== '' ? value : null;
}

function score(value: unknown): number | null | undefined {
  if (value === null || value === undefined || value === '') return null;
  if (typeof value === 'number' && Number.isFinite(value)) return value;
  if (typeof value === 'string' && Number.isFinite(parseNumber(value.trim()))) return parseNumber(value.trim());
  return undefined;
}

/** One element of a `criteria` list: a key, or `{name, rubric}` / `{criteria_name, rubrics}` / `{key}`. */
function listedCriterion(
  ctx: ReadContext,
  view: RowView,
  element: unknown,
  task: ReadonlyArray<string | null>,
  label: string,
): ItemCriterion | null {
  const column = 'criteria';
  if (typeof element === 'string') {
    const found = ctx.resolver.byKey(element.trim());
    if (!found) view.problem(`${label}unknown criterion key "${element}"`, column);
    return found ? { criterion: found, humanScore: null } : null;
  }
  if (!element || typeof element !== 'object' || Array.isArray(element)) {
    view.problem(`${label}expected a criterion key or a {name, rubric} object, got ${describeJsonValue(element)}`, column);
    return null;
  }
  const obj = element as Record<string, unknown>;
  const humanScore = score(obj.human_score);
  if (humanScore === undefined) {
    view.problem(`${label}human_score must be a number`, column);
    return null;
  }
  const key = text(obj.key);
  const name = text(obj.name) ?? text(obj.criteria_name);
  const rubricKey = 'rubric' in obj ? 'rubric' : 'rubrics';
  const rubricRaw = obj[rubricKey];
  const emptyRubric = rubricKey in obj && (rubricRaw === null || (typeof rubricRaw === 'string' && rubricRaw.trim() === ''));
  if (name !== null && emptyRubric && !ctx.options.fillRubrics) {
    view.problem(`${label}the rubric is empty (pass --fill-rubrics to take the catalog rubric of this criterion name)`, column);
    return null;
  }
  if (name !== null && rubricRaw !== undefined && !emptyRubric) {
    const rubric = view.rubricValue(rubricRaw, column, label);
    if (rubric === null) return null;
    const criterion = ctx.resolver.fromNameAndRubric(view, name, rubric, task, column, label);
    return criterion ? { criterion, humanScore } : null;
  }
  if (key === null && name !== null) {
    const criterion = ctx.resolver.fromNameOnly(view, name, task, column, label);
    return criterion ? { criterion, humanScore } : null;
  }
  const found = key !== null ? ctx.resolver.byKey(key) : undefined;
  if (!found) {
    view.problem(`${label}${key !== null ? `unknown criterion key "${key}"` : 'a criterion object needs "name" and "rubric" (or "key")'}`, column);
    return null;
  }
  return { criterion: found, humanScore };
}

/**
 * The criteria of a generic or instruction row: its own `criteria` list; else the `--criterion`
 * keys; else the catalog's set for its task type. An explicit flag wins over the task's default set.
 */
export function criteriaOfRow(ctx: ReadContext, view: RowView, taskPath: ReadonlyArray<string | null>): ItemCriterion[] {
  const list = view.list('criteria');
  if (list !== null && list.length > 0) {
    const out: ItemCriterion[] = [];
    const seen = new Set<string>();
    list.forEach((element, i) => {
      const label = `criteria[${i}]: `;
      const item = listedCriterion(ctx, view, element, taskPath, label);
      if (!item) return;
      if (seen.has(item.criterion.key)) {
        view.problem(`${label}criterion "${item.criterion.name.ru}" (${item.criterion.key}) is listed twice`, 'criteria');
        return;
      }
      seen.add(item.criterion.key);
      out.push(item);
    });
    return out;
  }
  if (ctx.flagCriteria) return ctx.flagCriteria.map((criterion) => ({ criterion, humanScore: null }));
  const forTask: Criterion[] | undefined = ctx.resolver.forTask(taskPath);
  if (forTask && forTask.length > 0) return forTask.map((criterion) => ({ criterion, humanScore: null }));
  const task = taskPath[0];
  view.problem(
    task
      ? `no criteria: the row lists none, no --criterion was given, and the catalog has no criteria for task type "${task}"`
      : 'no criteria: the row lists none, has no task_type, and no --criterion was given',
    'criteria',
  );
  return [];
}
