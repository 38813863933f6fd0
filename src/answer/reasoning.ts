/**
 * Reasoning models put their thinking either in a separate `reasoning_content` field (vLLM with a
 * reasoning parser) or inline as `<think>…</think>` (DeepSeek-R1 style; some chat templates open
 * the tag in the prompt, so the reply may start inside it and only `</think>` appears). Judges must
 * see the answer only, so the thinking is split off and kept beside it.
 */
export interface SplitAnswer {
  answer: string;
  reasoning: string | null;
}

const BLOCK = /<think>([\s\S]*?)<\/think>/gi;

export function splitReasoning(text: string, reasoningField: string | null): SplitAnswer {
  const thoughts: string[] = [];
  let rest = text;
  const lower = rest.toLowerCase();
  const firstClose = lower.indexOf('</think>');
  const firstOpen = lower.indexOf('<think>');
  // The template opened the tag: everything up to the first closing tag is reasoning.
  if (firstClose >= 0 && (firstOpen < 0 || firstOpen > firstClose)) {
    thoughts.push(rest.slice(0, firstClose));
    rest = rest.slice(firstClose + '</think>'.length);
  }
  // Every complete block, wherever it is (as upstream's answer.py removes them).
  rest = rest.replace(BLOCK, (_m, inner: string) => {
    thoughts.push(inner);
    return '';
  });
  // An unclosed tag at the start: the reply never left its reasoning (usually truncated). A `<think>`
  // further into the text is the answer's own words.
  const open = rest.toLowerCase().indexOf('<think>');
  if (open >= 0 && rest.slice(0, open).trim() === '') {
    thoughts.push(rest.slice(open + '<think>'.length));
    rest = '';
  }
  const parts = [reasoningField, ...thoughts].filter((p): p is string => p !== null && p.trim() !== '');
  return { answer: rest.trim(), reasoning: parts.length > 0 ? parts.join('\n\n') : null };
}
