import { criteriaOfRow } from './criteriaList.ts';
import type { DatasetItem } from './datasetTypes.ts';
import { describePosition, makeSample, readInstructionFields, type ReadContext } from './readContext.ts';
import { rowLoop, type RowSource } from './rowLoop.ts';
import type { RowView } from './rowView.ts';

/**
 * Generic rows, one answer each: `{id?, instruction, answer, reference_answer?, model_id?,
 * task_type?, criteria?}`. A repeated sample id rejects the later row.
 */
export function genericItems(ctx: ReadContext, source: RowSource): AsyncGenerator<DatasetItem> {
  const read = (view: RowView): DatasetItem | null => {
    const fields = readInstructionFields(view);
    const answer = view.requiredText('answer', true);
    const modelId = view.optionalText('model_id');
    const explicitId = view.id();
    const criteria = criteriaOfRow(ctx, view, ctx.taskPath(fields));
    const sample = makeSample(fields, answer, modelId, explicitId, view.location);
    if (view.problems.length > 0) return null;
    const first = ctx.repeatedSample(sample.id, view.location);
    if (first !== undefined) {
      const where = describePosition(first);
      view.problem(
        explicitId !== null ? `duplicate id "${sample.id}" (first at ${where})` : `duplicate row: the same instruction, reference, answer and model as ${where}`,
        explicitId !== null ? 'id' : undefined,
      );
      return null;
    }
    return { sample, criteria };
  };
  return rowLoop(ctx, source, { read });
}
