import { describeScale, inScale } from '../core/scale.ts';
import type { Criterion } from '../core/types.ts';
import type { DatasetItem } from './datasetTypes.ts';
import { describePosition, makeSample, packPosition, readInstructionFields, type ReadContext } from './readContext.ts';
import { rowLoop, type RowSource } from './rowLoop.ts';
import type { RowView } from './rowView.ts';

function criterionOf(ctx: ReadContext, view: RowView, task: ReadonlyArray<string | null>): Criterion | null {
  const name = view.requiredText('criteria_name');
  const raw = view.raw('rubrics');
  if (!view.has('rubrics')) {
    // Without a rubric column the catalog's own rubric for that name is the only sensible choice.
    return name ? ctx.resolver.fromNameOnly(view, name, task, 'rubrics') : null;
  }
  if (raw === null || (typeof raw === 'string' && raw.trim() === '')) {
    // An empty cell in a rubric column is a hole in the data, not a request for the catalog's
    // text: the judge would see a rubric the dataset never gave. Taken only on purpose.
    if (!ctx.options.fillRubrics) {
      view.problem('the rubric cell is empty (pass --fill-rubrics to take the catalog rubric of this criterion name)', 'rubrics');
      return null;
    }
    return name ? ctx.resolver.fromNameOnly(view, name, task, 'rubrics') : null;
  }
  const rubric = view.rubricValue(raw, 'rubrics');
  if (rubric === null || !name) return null;
  return ctx.resolver.fromNameAndRubric(view, name, rubric, task, 'rubrics');
}

/**
 * POLLUX rows: one per (answer, criterion). Consecutive rows of the same answer become one item, so
 * the engine can send an answer's criteria back to back (the judge server's prefix cache reuses the
 * shared part of the prompts). Only the current item is held; to catch a repeated (answer,
 * criterion) pair anywhere in the file, a PairLedger remembers a few bytes per row.
 */
export function polluxItems(ctx: ReadContext, source: RowSource): AsyncGenerator<DatasetItem> {
  let current: DatasetItem | null = null;
  const ledger = new PairLedger();
  // With an explicit id column, one id must always mean the same answer.
  const contentOfId = new Map<string, string>();

  /** A good row joins the current item or starts the next one, handing on the item it closes. */
  const read = (view: RowView): DatasetItem | null => {
    const fields = readInstructionFields(view);
    const answer = view.requiredText('answer', true);
    const modelId = view.optionalText('model_id');
    const explicitId = view.id();
    const criterion = criterionOf(ctx, view, ctx.taskPath(fields));
    const humanScore = view.optionalNumber('criteria_score');
    if (criterion && humanScore !== null && !inScale(criterion.scale, humanScore)) {
      view.problem(`criteria_score ${humanScore} is outside the rubric's scale ${describeScale(criterion.scale)}`, 'criteria_score');
    }
    // Consecutive rows of one answer repeat its texts: reuse the id rather than hash them again.
    const sameAnswer =
      current !== null &&
      current.sample.answer === answer &&
      current.sample.instruction === fields.instruction &&
      current.sample.referenceAnswer === fields.referenceAnswer &&
      current.sample.modelId === modelId;
    const id = explicitId ?? (sameAnswer && current ? current.sample.id : null);
    const sample = makeSample(fields, answer, modelId, id, view.location);
    if (explicitId !== null && view.problems.length === 0) {
      // A cheap fingerprint: catches an id reused for another answer without holding the texts.
      const content = `${fields.instruction.length}:${answer.length}:${modelId ?? ''}`;
      const before = contentOfId.get(explicitId);
      if (before === undefined) contentOfId.set(explicitId, content);
      else if (before !== content) view.problem(`id "${explicitId}" is already used by a different answer`, 'id');
    }
    const continues = current !== null && current.sample.id === sample.id;
    const resumes = !continues && ledger.hasSample(sample.id);
    if (criterion && view.problems.length === 0) {
      const first = ledger.add(sample.id, criterion.key, packPosition(view.location));
      if (first !== undefined) {
        view.problem(`duplicate: this answer already has criterion "${criterion.name.ru}" (first at ${describePosition(first)})`, 'criteria_name');
      }
    }
    if (view.problems.length > 0) return null;
    if (!criterion) {
      view.problem('no usable criterion in this row', 'criteria_name');
      return null;
    }
    if (continues && current) {
      current.criteria.push({ criterion, humanScore });
      return null;
    }
    const closed = current;
    if (resumes) ctx.stats.regroupedSamples++;
    current = { sample, criteria: [{ criterion, humanScore }] };
    return closed;
  };

  return rowLoop(ctx, source, { read, end: () => current });
}

/**
 * Which criteria each answer already has, compactly: criterion keys become small integers and each
 * answer keeps one flat array of (criterion number, packed position) pairs. That is a few bytes per
 * row instead of a string per row, so memory stays small for millions of rows.
 */
class PairLedger {
  private readonly criterionIds = new Map<string, number>();
  private readonly bySample = new Map<string, number[]>();

  hasSample(sampleId: string): boolean {
    return this.bySample.has(sampleId);
  }

  /** Records the pair; returns the packed position of an earlier row with the same pair, if any. */
  add(sampleId: string, criterionKey: string, position: number): number | undefined {
    let cid = this.criterionIds.get(criterionKey);
    if (cid === undefined) {
      cid = this.criterionIds.size;
      this.criterionIds.set(criterionKey, cid);
    }
    let pairs = this.bySample.get(sampleId);
    if (!pairs) {
      pairs = [];
      this.bySample.set(sampleId, pairs);
    }
    for (let i = 0; i < pairs.length; i += 2) if (pairs[i] === cid) return pairs[i + 1];
    pairs.push(cid, position);
    return undefined;
  }
}
