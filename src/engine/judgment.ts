import { JudgeError, errorMessage } from '../core/errors.ts';
import type { Scale } from '../core/scale.ts';
import type { JudgeProvenance, JudgeReply, Judgment } from '../core/types.ts';
import { parseVerdict } from '../parse/verdict.ts';

export interface JudgmentContext {
  judge: JudgeProvenance;
  promptHash: string;
  attempts: number;
}

/** A reply turned into a judgment: scored, or unscored with its reason; the raw text always kept. */
export function judgmentFromReply(reply: JudgeReply, scale: Scale, ctx: JudgmentContext): Judgment {
  const verdict = parseVerdict({ text: reply.text, finishReason: reply.finishReason, scale });
  return {
    status: verdict.status,
    score: verdict.score,
    rationale: verdict.rationale,
    raw: reply.text,
    reasoning: reply.reasoning,
    reason: verdict.reason,
    finishReason: reply.finishReason,
    usage: reply.usage,
    latencyMs: reply.latencyMs,
    attempts: ctx.attempts,
    judge: ctx.judge,
    endpoint: reply.endpoint,
    promptHash: ctx.promptHash,
  };
}

/** A request that got no usable reply: the classified error is the reason. */
export function judgmentFromError(err: unknown, ctx: JudgmentContext): Judgment {
  const kind = err instanceof JudgeError ? err.kind : 'fatal';
  return {
    status: 'error',
    score: null,
    rationale: null,
    raw: null,
    reasoning: null,
    reason: `${kind}: ${errorMessage(err)}`,
    finishReason: null,
    usage: { prompt: null, completion: null, total: null },
    latencyMs: null,
    attempts: ctx.attempts,
    judge: ctx.judge,
    endpoint: err instanceof JudgeError ? err.endpoint : null,
    promptHash: ctx.promptHash,
  };
}
