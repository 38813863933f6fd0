import { criteriaOfRow } from './criteriaList.ts';
import type { DatasetFileStats, DatasetItem, ItemCriterion } from './datasetTypes.ts';
import { FIRST_PROBLEMS_SHOWN, type RowLocation } from './problems.ts';
import {
  describePosition,
  makeSample,
  packPosition,
  readInstructionFields,
  type InstructionFields,
  type ReadContext,
} from './readContext.ts';
import { isProblem, type TableFormat, type TableItem } from './tableTypes.ts';

interface Instruction {
  fields: InstructionFields;
  criteria: ItemCriterion[];
  location: RowLocation;
  answered: boolean;
}

/**
 * POLLUX-instructions rows (one per instruction, with its `criteria` list) joined with an answers
 * file by `prompt_id`. The instructions file is small (about 2,100 rows upstream) and held in
 * memory; the answers file is streamed.
 */
export async function* instructionItems(
  ctx: ReadContext,
  instructionsTable: AsyncIterable<TableItem>,
  instructionsFormat: TableFormat,
  instructionsStats: DatasetFileStats,
  answersTable: AsyncIterable<TableItem>,
  answersFormat: TableFormat,
  answersStats: DatasetFileStats,
): AsyncGenerator<DatasetItem> {
  const instructions = new Map<string, Instruction>();
  // Rejected instructions, so their answers can say why they are rejected too.
  const rejectedAt = new Map<string, RowLocation>();

  for await (const item of instructionsTable) {
    instructionsStats.rows++;
    ctx.stats.rows++;
    if (isProblem(item)) {
      ctx.reject([item.problem], instructionsStats);
      continue;
    }
    const view = ctx.view(item, instructionsFormat);
    const promptId = view.id('prompt_id');
    if (promptId === null) view.problem(view.has('prompt_id') ? 'is empty' : `missing column "${view.column('prompt_id')}"`, 'prompt_id');
    const fields = readInstructionFields(view);
    const criteria = criteriaOfRow(ctx, view, ctx.taskPath(fields));
    if (promptId !== null && (instructions.has(promptId) || rejectedAt.has(promptId))) {
      const first = instructions.get(promptId)?.location ?? rejectedAt.get(promptId);
      view.problem(`duplicate prompt_id "${promptId}" (first at ${first ? describePosition(packPosition(first)) : 'an earlier row'})`, 'prompt_id');
    }
    if (view.problems.length > 0) {
      if (promptId !== null && !instructions.has(promptId)) rejectedAt.set(promptId, item.location);
      ctx.reject(view.problems, instructionsStats);
      continue;
    }
    instructions.set(promptId as string, { fields, criteria, location: item.location, answered: false });
  }

  const seenIds = new Map<string, number>();
  const checkDuplicates = ctx.options.checkDuplicates !== false;
  for await (const item of answersTable) {
    answersStats.rows++;
    ctx.stats.rows++;
    if (isProblem(item)) {
      ctx.reject([item.problem], answersStats);
      continue;
    }
    const view = ctx.view(item, answersFormat);
    const promptId = view.id('prompt_id');
    if (promptId === null) view.problem(view.has('prompt_id') ? 'is empty' : `missing column "${view.column('prompt_id')}"`, 'prompt_id');
    const answer = view.requiredText('answer', true);
    const modelId = view.optionalText('model_id');
    const explicitId = view.id();
    const instruction = promptId !== null ? instructions.get(promptId) : undefined;
    if (promptId !== null && !instruction) {
      const rejected = rejectedAt.get(promptId);
      view.problem(
        rejected
          ? `the instruction with prompt_id "${promptId}" was rejected (${rejected.file}, ${describePosition(packPosition(rejected))})`
          : `no instruction has prompt_id "${promptId}"`,
        'prompt_id',
      );
    }
    if (view.problems.length > 0 || !instruction) {
      ctx.reject(view.problems, answersStats);
      continue;
    }
    const sample = makeSample(instruction.fields, answer, modelId, explicitId, item.location);
    const first = checkDuplicates ? seenIds.get(sample.id) : undefined;
    if (first !== undefined) {
      view.problem(
        explicitId !== null ? `duplicate id "${sample.id}" (first at ${describePosition(first)})` : `duplicate answer: the same prompt_id, model and answer as ${describePosition(first)}`,
        explicitId !== null ? 'id' : 'answer',
      );
      ctx.reject(view.problems, answersStats);
      continue;
    }
    if (checkDuplicates) seenIds.set(sample.id, packPosition(item.location));
    instruction.answered = true;
    ctx.stats.items++;
    ctx.stats.requests += instruction.criteria.length;
    yield { sample, criteria: instruction.criteria.slice() };
  }

  for (const [promptId, instruction] of instructions) {
    if (instruction.answered) continue;
    ctx.stats.instructionsWithoutAnswers++;
    if (ctx.stats.instructionsWithoutAnswersFirst.length < FIRST_PROBLEMS_SHOWN) ctx.stats.instructionsWithoutAnswersFirst.push(promptId);
  }
}
