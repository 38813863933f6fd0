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
const SCORE = /^[-−]?\d+(?:[.,]\d+)?$/;

/**
 * Reasoning models write `<think>…</think>` before the verdict (DeepSeek-R1 style; some chat
 * templates put the opening tag in the prompt, so only `</think>` may appear). The verdict is what
 * follows the last closing tag; an unclosed `<think>` means the reply never left its reasoning.
 */
export function stripReasoning(text: string): string {
  const close = text.toLowerCase().lastIndexOf('</think>');
  if (close >= 0) return text.slice(close + '</think>'.length);
  const open = text.toLowerCase().indexOf('<think>');
  if (open >= 0) return text.slice(0, open);
  return text;
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
 * POLLUX verdict parsing (NOTES §3): the LAST complete `[RESULT] x [END]` block, case-insensitive,
 * decimal comma and negative numbers accepted; the rationale is the text between `[FEEDBACK]` and that
 * `[RESULT]`. A reply cut by the token limit, an empty reply, a missing block, a non-number or an
 * out-of-scale number is unscored with its reason — never turned into a number.
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
  if (input.finishReason === 'length') {
    const fb = lastMatch(FEEDBACK_TAG, text);
    return unscored('truncated', null, fb ? text.slice(fb.index + fb[0].length).trim() || null : null);
  }
  if (!text.trim()) return unscored('empty');
  const block = lastMatch(RESULT_BLOCK, text);
  if (!block) {
    const fb = lastMatch(FEEDBACK_TAG, text);
    return unscored('no_result_block', null, fb ? text.slice(fb.index + fb[0].length).trim() || null : null);
  }
  const scoreText = (block[1] ?? '').trim();
  const rationale = rationaleBefore(text, block.index);
  if (!SCORE.test(scoreText)) return unscored('not_a_number', scoreText, rationale);
  const score = parseNumber(scoreText);
  if (input.scale && !inScale(input.scale, score)) return unscored('out_of_scale', scoreText, rationale);
  return { status: 'scored', score, scoreText, rationale, reason: null };
}
