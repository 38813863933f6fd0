import { criteriaOfRow } from './criteriaList.ts';
import type { DatasetItem, ItemCriterion } from './datasetTypes.ts';
import { FIRST_PROBLEMS_SHOWN, type RowLocation } from './problems.ts';
import {
  describePosition,
  makeSample,
  packPosition,
  readInstructionFields,
  type InstructionFields,
  type ReadContext,
} from './readContext.ts';
import { rowLoop, type RowSource } from './rowLoop.ts';
import type { RowView } from './rowView.ts';

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
export async function instructionItems(ctx: ReadContext, instructionsSource: RowSource, answersSource: RowSource): Promise<AsyncGenerator<DatasetItem>> {
  const instructions = new Map<string, Instruction>();
  // Rejected instructions, so their answers can say why they are rejected too.
  const rejectedAt = new Map<string, RowLocation>();

  const readInstruction = (view: RowView): [string, Instruction] | null => {
    const promptId = promptIdOf(view);
    const fields = readInstructionFields(view);
    const criteria = criteriaOfRow(ctx, view, ctx.taskPath(fields));
    if (promptId !== null && (instructions.has(promptId) || rejectedAt.has(promptId))) {
      const first = instructions.get(promptId)?.location ?? rejectedAt.get(promptId);
      view.problem(`duplicate prompt_id "${promptId}" (first at ${first ? describePosition(packPosition(first)) : 'an earlier row'})`, 'prompt_id');
    }
    if (view.problems.length > 0) {
      if (promptId !== null && !instructions.has(promptId)) rejectedAt.set(promptId, view.location);
      return null;
    }
    return [promptId as string, { fields, criteria, location: view.location, answered: false }];
  };
  for await (const [promptId, instruction] of rowLoop(ctx, instructionsSource, { read: readInstruction })) instructions.set(promptId, instruction);

  const readAnswer = (view: RowView): DatasetItem | null => {
    const promptId = promptIdOf(view);
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
    if (view.problems.length > 0 || !instruction) return null;
    const sample = makeSample(instruction.fields, answer, modelId, explicitId, view.location);
    const first = ctx.repeatedSample(sample.id, view.location);
    if (first !== undefined) {
      view.problem(
        explicitId !== null ? `duplicate id "${sample.id}" (first at ${describePosition(first)})` : `duplicate answer: the same prompt_id, model and answer as ${describePosition(first)}`,
        explicitId !== null ? 'id' : 'answer',
      );
      return null;
    }
    instruction.answered = true;
    return { sample, criteria: instruction.criteria.slice() };
  };

  const noteUnanswered = (): null => {
    for (const [promptId, instruction] of instructions) {
      if (instruction.answered) continue;
      ctx.stats.instructionsWithoutAnswers++;
      if (ctx.stats.instructionsWithoutAnswersFirst.length < FIRST_PROBLEMS_SHOWN) ctx.stats.instructionsWithoutAnswersFirst.push(promptId);
    }
    return null;
  };
  return rowLoop(ctx, answersSource, { read: readAnswer, end: noteUnanswered });
}

function promptIdOf(view: RowView): string | null {
  const promptId = view.id('prompt_id');
  if (promptId === null) view.problem(view.has('prompt_id') ? 'is empty' : `missing column "${view.column('prompt_id')}"`, 'prompt_id');
  return promptId;
}
