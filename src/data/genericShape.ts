import { criteriaOfRow } from './criteriaList.ts';
import type { DatasetFileStats, DatasetItem } from './datasetTypes.ts';
import { describePosition, makeSample, packPosition, readInstructionFields, type ReadContext } from './readContext.ts';
import { isProblem, type TableFormat, type TableItem } from './tableTypes.ts';

/**
 * Generic rows, one answer each: `{id?, instruction, answer, reference_answer?, model_id?,
 * task_type?, criteria?}`. A repeated sample id rejects the later row; the ids seen are kept as a
 * set (16-character strings: ~100 bytes each, so about 100 MB per million rows).
 */
export async function* genericItems(
  ctx: ReadContext,
  table: AsyncIterable<TableItem>,
  format: TableFormat,
  fileStats: DatasetFileStats,
): AsyncGenerator<DatasetItem> {
  const seenIds = new Map<string, number>();
  const checkDuplicates = ctx.options.checkDuplicates !== false;
  for await (const item of table) {
    fileStats.rows++;
    ctx.stats.rows++;
    if (isProblem(item)) {
      ctx.reject([item.problem], fileStats);
      continue;
    }
    const view = ctx.view(item, format);
    const fields = readInstructionFields(view);
    const answer = view.requiredText('answer', true);
    const modelId = view.optionalText('model_id');
    const explicitId = view.id();
    const criteria = criteriaOfRow(ctx, view, ctx.taskPath(fields));
    const sample = makeSample(fields, answer, modelId, explicitId, item.location);
    if (checkDuplicates && view.problems.length === 0) {
      const first = seenIds.get(sample.id);
      if (first !== undefined) {
        const where = describePosition(first);
        view.problem(
          explicitId !== null ? `duplicate id "${sample.id}" (first at ${where})` : `duplicate row: the same instruction, reference, answer and model as ${where}`,
          explicitId !== null ? 'id' : undefined,
        );
      } else {
        seenIds.set(sample.id, packPosition(item.location));
      }
    }
    if (view.problems.length > 0) {
      ctx.reject(view.problems, fileStats);
      continue;
    }
    ctx.stats.items++;
    ctx.stats.requests += criteria.length;
    yield { sample, criteria };
  }
}
