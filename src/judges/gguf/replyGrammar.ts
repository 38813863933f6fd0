/**
 * GBNF grammars that make a judge write a POLLUX reply:
 * `[FEEDBACK] <text> [RESULT] <level> [END]`, the level being one of the rubric's values.
 *
 * llama.cpp grammars work on characters, not tokens, so a grammar alone cannot promise that the
 * closing block fits in the token budget. Generation therefore runs the open grammar (free text
 * that may close itself) and, when the budget is nearly spent, switches to the closing grammar,
 * which writes ` [RESULT] <level> [END]` and nothing else. Levels are enumerated as literals:
 * node-llama-cpp's JSON-schema grammars ignore integer minimum/maximum.
 */
import type { Scale } from '../../core/scale.ts';

/** Any score the POLLUX parser accepts, for a call that gave no scale. */
const ANY_NUMBER = '"-"? [0-9]+ ([.,] [0-9]+)?';

function literal(text: string): string {
  return JSON.stringify(text);
}

/** The level values as they are written in a reply (`1.5`, not `1.50`), deduplicated, ascending. */
export function levelTexts(scale: Scale | undefined): string[] | null {
  if (!scale || scale.levels.length === 0) return null;
  const values = [...new Set(scale.levels.map((l) => l.value))].sort((a, b) => a - b);
  return values.map((v) => String(v));
}

function levelRule(scale: Scale | undefined): string {
  const texts = levelTexts(scale);
  return texts ? texts.map(literal).join(' | ') : ANY_NUMBER;
}

/** The whole reply: a forced `[FEEDBACK] ` opening, free text, then a closing block with a level. */
export function openReplyGrammar(scale: Scale | undefined): string {
  return [
    `root ::= "[FEEDBACK] " body " [RESULT] " level " [END]"`,
    // Any character but NUL: newlines and brackets are allowed in the rationale.
    `body ::= [^\\x00]*`,
    `level ::= ${levelRule(scale)}`,
  ].join('\n');
}

/** Only the closing block; `afterSpace` drops the leading space when the text already ends in one. */
export function closingGrammar(scale: Scale | undefined, afterSpace: boolean): string {
  return [`root ::= ${literal(afterSpace ? '[RESULT] ' : ' [RESULT] ')} level " [END]"`, `level ::= ${levelRule(scale)}`].join('\n');
}

/**
 * Tokens to keep in hand for the closing block. Each token under a grammar writes at least one
 * character, so the closing block's length in characters (plus the end-of-generation token) is an
 * upper bound; twice that leaves room for a closing block the model had already begun.
 */
export function closingReserve(scale: Scale | undefined): number {
  const longest = Math.max(...(levelTexts(scale) ?? ['-100.00']).map((t) => t.length));
  return 2 * (' [RESULT] '.length + longest + ' [END]'.length + 1);
}

/**
 * Whether the text ends inside a closing block the model is writing by itself
 * (`… [RESULT] 1`, `… [RESULT] 2 [EN`), in which case the open grammar is left to finish it.
 */
export function endsInsideClosingBlock(text: string): boolean {
  return /\[RESULT\] (-?[0-9.,]+( (\[(E(N(D)?)?)?)?)?)?$/.test(text);
}
