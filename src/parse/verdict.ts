import { inScale, parseNumber, type Scale } from '../core/scale.ts';
import type { UnscoredReason } from '../core/types.ts';

export interface ParsedVerdict {
  status: 'scored' | 'unscored';
  score: number | null;
  /** The score as written, kept for unscored replies too (e.g. an out-of-scale "5"). */
  scoreText: string | null;
  rationale: string | null;
  reason: UnscoredReason | null;
}

export interface VerdictInput {
  /** The completion text only; never the prompt, which holds the answer and could fake a verdict. */
  text: string | null | undefined;
  finishReason?: string | null;
  scale?: Scale | null;
}

// A complete block that does not span another [RESULT]: in "[RESULT] 1 [RESULT] 2 [END]" only the
// inner "[RESULT] 2 [END]" is complete.
const RESULT_BLOCK = /\[RESULT\]((?:(?!\[RESULT\])[\s\S])*?)\[END\]/gi;
const FEEDBACK_TAG = /\[FEEDBACK\]/gi;
// A number as the judges write it, and as upstream's newer parser accepts it: a sign (`+2`, `-1`),
// a decimal point or comma, a bare fraction (`.5`, `,5`).
const SCORE = /^[-−+]?(?:\d+(?:[.,]\d+)?|[.,]\d+)$/;
const THINK_OPEN = /^\s*<think>/i;
const THINK_CLOSE = /<\/think>/i;

/**
 * Reasoning models write `<think>…</think>` before the verdict (DeepSeek-R1 style; some chat
 * templates put the opening tag in the prompt, so only `</think>` may appear). Only such LEADING
 * blocks are removed, each up to its own closing tag: a judge that merely quotes a think tag in its
 * feedback ("начинается с тега <think> и …") keeps its verdict. A reply that opens a block at its
 * very start and never closes it never left its reasoning: nothing of it is a verdict.
 */
export function stripReasoning(text: string): string {
  let rest = text;
  for (;;) {
    const close = THINK_CLOSE.exec(rest);
    if (THINK_OPEN.test(rest)) {
      if (!close) return '';
      rest = rest.slice(close.index + close[0].length);
      continue;
    }
    // The opening tag was in the prompt: the reply starts inside the block, so the block is
    // everything before the first closing tag, as long as no opening tag comes before it.
    if (close && rest === text && !/<think>/i.test(rest.slice(0, close.index))) {
      rest = rest.slice(close.index + close[0].length);
      continue;
    }
    return rest;
  }
}

function lastMatch(re: RegExp, text: string): RegExpExecArray | null {
  re.lastIndex = 0;
  let last: RegExpExecArray | null = null;
  for (let m = re.exec(text); m; m = re.exec(text)) last = m;
  return last;
}

function rationaleBefore(text: string, end: number): string | null {
  const head = text.slice(0, end);
  const fb = lastMatch(FEEDBACK_TAG, head);
  const body = fb ? head.slice(fb.index + fb[0].length) : head;
  const trimmed = body.trim();
  return trimmed ? trimmed : null;
}

/**
 * POLLUX verdict parsing: the LAST complete `[RESULT] x [END]` block, case-insensitive,
 * signs, decimal commas and bare fractions accepted; the rationale is the text between `[FEEDBACK]` and that
 * `[RESULT]`. An empty reply, a missing block, a non-number or an out-of-scale number is unscored
 * with its reason — never turned into a number; so is a reply cut by the token limit before it
 * wrote a valid verdict.
 */
export function parseVerdict(input: VerdictInput): ParsedVerdict {
  const text = stripReasoning(input.text ?? '');
  const unscored = (reason: UnscoredReason, scoreText: string | null = null, rationale: string | null = null): ParsedVerdict => ({
    status: 'unscored',
    score: null,
    scoreText,
    rationale,
    reason,
  });
  // Cut by the token limit: a complete verdict written before the cut still counts (the finish
  // reason stays on the judgment); without one the reply is truncated, whatever else it holds.
  const truncated = input.finishReason === 'length';
  const feedbackOnly = () => {
    const fb = lastMatch(FEEDBACK_TAG, text);
    return fb ? text.slice(fb.index + fb[0].length).trim() || null : null;
  };
  if (!text.trim()) return truncated ? unscored('truncated') : unscored('empty');
  const block = lastMatch(RESULT_BLOCK, text);
  if (!block) return unscored(truncated ? 'truncated' : 'no_result_block', null, feedbackOnly());
  const scoreText = (block[1] ?? '').trim();
  const rationale = rationaleBefore(text, block.index);
  const score = SCORE.test(scoreText) ? parseNumber(scoreText) : NaN;
  if (truncated && (!Number.isFinite(score) || (input.scale && !inScale(input.scale, score)))) return unscored('truncated', null, feedbackOnly());
  if (!SCORE.test(scoreText)) return unscored('not_a_number', scoreText, rationale);
  if (input.scale && !inScale(input.scale, score)) return unscored('out_of_scale', scoreText, rationale);
  return { status: 'scored', score, scoreText, rationale, reason: null };
}
