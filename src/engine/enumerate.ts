import { canonicalJson, sha256Hex, stableHash } from '../core/hash.ts';
import type { Scale } from '../core/scale.ts';
import type { Criterion, Sample, TemplateName } from '../core/types.ts';
import { renderPrompt } from '../prompt/render.ts';
import type { RequestRow } from '../store/index.ts';

/** What dataset readers hand the engine: one answer with the criteria to judge it on. */
export interface EnumerableItem {
  sample: Sample;
  criteria: Array<{ criterion: Criterion; humanScore: number | null }>;
}

export interface PlannedRequest {
  row: RequestRow;
  prompt: string;
  scale: Scale;
}

export interface EnumerateOptions {
  template: TemplateName;
  repeat: number;
  judgeModel: string;
  judgeParams: Record<string, unknown>;
  limit?: number;
}

/**
 * A request's identity: everything that changes the judge's answer (docs/pollux-facts.md §1–2): the prompt
 * text, the judge model, its sampling parameters and the repeat index. Cache key and resume key.
 */
export function requestKey(promptHash: string, judgeModel: string, judgeParams: Record<string, unknown>, repeat: number): string {
  return stableHash({ prompt: promptHash, model: judgeModel, params: judgeParams, repeat }, 32);
}

/**
 * requestKey for many requests of one judge: the canonical JSON of the judge part is built once.
 * Keys sort as model < params < prompt < repeat, so the text is exactly what requestKey hashes.
 */
export function requestKeyer(judgeModel: string, judgeParams: Record<string, unknown>): (promptHash: string, repeat: number) => string {
  const head = `{"model":${JSON.stringify(judgeModel)},"params":${canonicalJson(judgeParams)},"prompt":`;
  return (promptHash, repeat) => sha256Hex(`${head}${JSON.stringify(promptHash)},"repeat":${JSON.stringify(repeat)}}`).slice(0, 32);
}

export function instructionId(instruction: string): string {
  return stableHash({ instruction }, 16);
}

/**
 * Every (sample × criterion × repeat) request in dataset order. All criteria of one answer come out
 * back to back: their prompts share everything up to the criterion section, which a server's prefix
 * cache (vLLM --enable-prefix-caching) can reuse.
 */
export async function* enumerateRequests(items: AsyncIterable<EnumerableItem>, options: EnumerateOptions): AsyncGenerator<PlannedRequest> {
  let seq = 0;
  const limit = options.limit ?? Infinity;
  const keyOf = requestKeyer(options.judgeModel, options.judgeParams);
  for await (const { sample, criteria } of items) {
    const instruction = instructionId(sample.instruction);
    for (let repeat = 0; repeat < options.repeat; repeat++) {
      for (const { criterion, humanScore } of criteria) {
        if (seq >= limit) return;
        const prompt = renderPrompt({ sample, criterion, template: options.template });
        const promptHash = sha256Hex(prompt);
        yield {
          prompt,
          scale: criterion.scale,
          row: {
            key: keyOf(promptHash, repeat),
            seq: seq++,
            sampleId: sample.id,
            instructionId: instruction,
            modelId: sample.modelId,
            taskType: sample.taskType,
            taskSubtype: sample.taskSubtype,
            taskSubsubtype: sample.taskSubsubtype,
            difficulty: sample.difficulty,
            domain: sample.domain,
            criterionKey: criterion.key,
            criterionName: criterion.name.ru,
            criterionGroup: criterion.group,
            gate: criterion.gate,
            scaleKind: criterion.scale.kind,
            scaleMin: criterion.scale.min,
            scaleMax: criterion.scale.max,
            repeat,
            humanScore,
            judgeModel: options.judgeModel,
            promptHash,
            texts: { instruction: sample.instruction, referenceAnswer: sample.referenceAnswer, answer: sample.answer, rubric: criterion.rubric },
          },
        };
      }
    }
  }
}
