/**
 * One reply on one context sequence: evaluate the prompt (reusing whatever prefix the sequence
 * still holds from its previous request, typically the instruction and answer shared by all
 * criteria of a sample), then sample until end-of-generation or the token budget.
 */
import type { LlamaContextSequence, LlamaGrammar, LlamaGrammarEvaluationState, LlamaModel, Token } from 'node-llama-cpp';
import { endsInsideClosingBlock } from './replyGrammar.ts';
import type { NodeLlamaCpp } from './runtime.ts';

export interface SamplingSettings {
  temperature: number;
  seed: number | undefined;
}

/** Constrained decoding: the open grammar, then the closing grammar once `reserve` tokens are left. */
export interface ReplyConstraint {
  open: LlamaGrammar;
  closing: (afterSpace: boolean) => LlamaGrammar;
  reserve: number;
}

export interface GeneratedReply {
  text: string;
  finishReason: 'stop' | 'length';
  completionTokens: number;
}

export class GenerationAborted extends Error {
  constructor() {
    super('generation aborted');
  }
}

export async function generateReply(
  nlc: NodeLlamaCpp,
  sequence: LlamaContextSequence,
  promptTokens: readonly Token[],
  budget: number,
  sampling: SamplingSettings,
  constraint: ReplyConstraint | null,
  signal: AbortSignal | undefined,
): Promise<GeneratedReply> {
  const model: LlamaModel = sequence.model;
  // At least the last prompt token is evaluated again: its logits give the first reply token.
  await sequence.adaptStateToTokens(promptTokens.slice(0, -1), false);
  const toEvaluate = promptTokens.slice(sequence.nextTokenIndex);

  let grammarState: LlamaGrammarEvaluationState | undefined = constraint
    ? new nlc.LlamaGrammarEvaluationState({ model, grammar: constraint.open })
    : undefined;
  let closing = false;
  const generated: Token[] = [];
  const iterator = sequence.evaluate(toEvaluate, {
    temperature: sampling.temperature,
    // With temperature > 0, sample from the whole distribution as vLLM does by default
    // (node-llama-cpp would otherwise apply top-k 40 and top-p 0.95).
    topK: 0,
    topP: 1,
    ...(sampling.seed !== undefined ? { seed: sampling.seed } : {}),
    grammarEvaluationState: () => grammarState,
    yieldEogToken: true,
  });
  for await (const token of iterator) {
    if (signal?.aborted) throw new GenerationAborted();
    if (model.isEogToken(token)) return { text: model.detokenize(generated), finishReason: 'stop', completionTokens: generated.length + 1 };
    generated.push(token);
    if (generated.length >= budget) break;
    if (constraint && !closing && budget - generated.length <= constraint.reserve) {
      const text = model.detokenize(generated);
      if (!endsInsideClosingBlock(text)) {
        closing = true;
        grammarState = new nlc.LlamaGrammarEvaluationState({ model, grammar: constraint.closing(/\s$/.test(text)) });
      }
    }
  }
  if (signal?.aborted) throw new GenerationAborted();
  return { text: model.detokenize(generated), finishReason: 'length', completionTokens: generated.length };
}
