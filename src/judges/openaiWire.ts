import type { JudgeReply } from '../core/types.ts';

/**
 * The OpenAI chat-completions wire format, in one place: what an HTTP judge sends and reads, what
 * `pollux batch export` writes and `pollux batch import` reads (the Batch API carries the same bodies).
 */

export const DEFAULT_TEMPERATURE = 0;
export const DEFAULT_MAX_TOKENS = 1024;

/** The sampling settings of a judge, as they are recorded in a run and sent in every body. */
export function chatParams(settings: { temperature?: number | undefined; maxTokens?: number | undefined; extraBody?: Record<string, unknown> | undefined }): Record<string, unknown> {
  return { temperature: settings.temperature ?? DEFAULT_TEMPERATURE, max_tokens: settings.maxTokens ?? DEFAULT_MAX_TOKENS, ...(settings.extraBody ?? {}) };
}

/**
 * ONE user message, no system message, as the POLLUX judges were trained; a model under test may get
 * a system message first (`pollux answer --system`).
 */
export function chatRequestBody(
  params: Readonly<Record<string, unknown>>,
  model: string,
  prompt: string,
  system: string | null = null,
): Record<string, unknown> & { model: string; messages: Array<{ role: 'system' | 'user'; content: string }> } {
  const user = { role: 'user' as const, content: prompt };
  return { ...params, model, messages: system === null ? [user] : [{ role: 'system', content: system }, user] };
}

/** The fields of a chat completion a judgment uses. */
export interface ChatCompletionBody {
  model?: string;
  choices?: Array<{ message?: { content?: string | null; reasoning_content?: string | null; reasoning?: string | null } | null; finish_reason?: string | null } | null> | null;
  usage?: { prompt_tokens?: number | null; completion_tokens?: number | null; total_tokens?: number | null } | null;
}

/**
 * A chat completion read as a judge reply, or null when it has no choices[0].message. Reasoning
 * models put their thinking in reasoning_content (vLLM) or reasoning (others): kept apart from the text.
 */
export function replyFromCompletion(body: ChatCompletionBody | null | undefined, where: { latencyMs: number; endpoint: string | null }): JudgeReply | null {
  const choice = body?.choices?.[0];
  const message = choice?.message;
  if (!choice || !message) return null;
  const usage = body?.usage;
  return {
    text: typeof message.content === 'string' ? message.content : '',
    reasoning: message.reasoning_content ?? message.reasoning ?? null,
    finishReason: choice.finish_reason ?? null,
    usage: { prompt: usage?.prompt_tokens ?? null, completion: usage?.completion_tokens ?? null, total: usage?.total_tokens ?? null },
    latencyMs: where.latencyMs,
    endpoint: where.endpoint,
  };
}
