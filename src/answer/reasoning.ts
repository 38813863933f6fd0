/**
 * Reasoning models put their thinking either in a separate `reasoning_content` field (vLLM with a
 * reasoning parser) or inline as `<think>…</think>` before the answer (DeepSeek-R1 style; some chat
 * templates open the tag in the prompt, so only `</think>` may appear). Judges must see the answer
 * only, so the thinking is split off and kept beside it.
 */
export interface SplitAnswer {
  answer: string;
  reasoning: string | null;
}

export function splitReasoning(text: string, reasoningField: string | null): SplitAnswer {
  const lower = text.toLowerCase();
  const close = lower.lastIndexOf('</think>');
  let answer = text;
  let inline: string | null = null;
  if (close >= 0) {
    const open = lower.indexOf('<think>');
    const from = open >= 0 && open < close ? open + '<think>'.length : 0;
    inline = text.slice(from, close);
    answer = text.slice(close + '</think>'.length);
  } else {
    const open = lower.indexOf('<think>');
    // An unclosed tag: the reply never left its reasoning (usually truncated), so there is no answer.
    if (open >= 0 && text.slice(0, open).trim() === '') {
      inline = text.slice(open + '<think>'.length);
      answer = '';
    }
  }
  const parts = [reasoningField, inline].filter((p): p is string => p !== null && p.trim() !== '');
  return { answer: answer.replace(/^\s+/, ''), reasoning: parts.length > 0 ? parts.join('\n\n') : null };
}
