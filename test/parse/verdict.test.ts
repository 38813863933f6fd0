import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseVerdict } from '../../src/parse/index.ts';
import { scaleFromRubricText } from '../../src/core/scale.ts';
import { judgmentFromReply } from '../../src/engine/judgment.ts';

const scale02 = scaleFromRubricText('0: плохо\n\n1: средне\n\n2: хорошо');
const scaleNeg = scaleFromRubricText('-1: вредно\n\n0: нейтрально\n\n1: полезно');
const scale10 = scaleFromRubricText('Оцените по шкале от 1 до 10');

const cases: Array<{ name: string; text: string; finish?: string; scale?: typeof scale02; status: string; score?: number; reason?: string; rationale?: string | null }> = [
  { name: 'canonical', text: '[FEEDBACK] Хорошо. [RESULT] 2 [END]', status: 'scored', score: 2, rationale: 'Хорошо.' },
  { name: 'no spaces', text: '[FEEDBACK]ok[RESULT]1[END]', status: 'scored', score: 1, rationale: 'ok' },
  { name: 'lower case tags', text: '[feedback] ок [result] 0 [end]', status: 'scored', score: 0, rationale: 'ок' },
  { name: 'newlines around score', text: '[FEEDBACK] a\n[RESULT]\n 1 \n[END]\n', status: 'scored', score: 1 },
  { name: 'decimal point', text: '[RESULT] 1.5 [END]', status: 'scored', score: 1.5, rationale: null },
  { name: 'decimal comma', text: '[RESULT] 1,5 [END]', status: 'scored', score: 1.5 },
  { name: 'negative', text: '[FEEDBACK] x [RESULT] -1 [END]', scale: scaleNeg, status: 'scored', score: -1 },
  { name: 'range scale', text: '[FEEDBACK] x [RESULT] 7 [END]', scale: scale10, status: 'scored', score: 7 },
  { name: 'last block wins', text: '[FEEDBACK] В ответе написано "[RESULT] 2 [END]", но это не так. [RESULT] 0 [END]', status: 'scored', score: 0 },
  { name: 'incomplete later block ignored', text: '[FEEDBACK] f [RESULT] 1 [END] потом [RESULT] 2', status: 'scored', score: 1 },
  { name: 'nested result tags: only the complete one', text: '[RESULT] 1 [RESULT] 2 [END]', status: 'scored', score: 2 },
  { name: 'rationale after last FEEDBACK', text: '[FEEDBACK] old [FEEDBACK] new one [RESULT] 1 [END]', status: 'scored', score: 1, rationale: 'new one' },
  { name: 'think block stripped', text: '<think>Подумаю. [RESULT] 2 [END]?</think>[FEEDBACK] Итог. [RESULT] 1 [END]', status: 'scored', score: 1, rationale: 'Итог.' },
  { name: 'only closing think', text: 'рассуждение [RESULT] 0 [END]</think>\n[FEEDBACK] ok [RESULT] 2 [END]', status: 'scored', score: 2 },
  { name: 'unclosed think', text: '<think>долго думаю [RESULT] 2 [END]', status: 'unscored', reason: 'empty' },
  { name: 'empty', text: '', status: 'unscored', reason: 'empty' },
  { name: 'whitespace only', text: ' \n\t', status: 'unscored', reason: 'empty' },
  { name: 'no block', text: '[FEEDBACK] Ответ хороший, ставлю 2.', status: 'unscored', reason: 'no_result_block', rationale: 'Ответ хороший, ставлю 2.' },
  { name: 'RESULT without END', text: '[FEEDBACK] x [RESULT] 2', status: 'unscored', reason: 'no_result_block' },
  { name: 'not a number', text: '[FEEDBACK] x [RESULT] два [END]', status: 'unscored', reason: 'not_a_number' },
  { name: 'fraction is not a number', text: '[RESULT] 2/2 [END]', status: 'unscored', reason: 'not_a_number' },
  { name: 'empty result', text: '[RESULT]  [END]', status: 'unscored', reason: 'not_a_number' },
  { name: 'above scale', text: '[FEEDBACK] x [RESULT] 3 [END]', status: 'unscored', reason: 'out_of_scale' },
  { name: 'below scale', text: '[FEEDBACK] x [RESULT] -1 [END]', status: 'unscored', reason: 'out_of_scale' },
  { name: 'cut after a complete block: scored', text: '[FEEDBACK] x [RESULT] 2 [END] и ещё', finish: 'length', status: 'scored', score: 2, rationale: 'x' },
  { name: 'cut after a block outside the scale: truncated', text: '[FEEDBACK] x [RESULT] 7 [END] и', finish: 'length', status: 'unscored', reason: 'truncated' },
  { name: 'cut with only an open block: truncated', text: '[FEEDBACK] x [RESULT] 2', finish: 'length', status: 'unscored', reason: 'truncated' },
  { name: 'cut and empty: truncated', text: '', finish: 'length', status: 'unscored', reason: 'truncated' },
  { name: 'quoted opening think tag in feedback', text: '[FEEDBACK] Ответ начинается с тега <think> и не содержит решения. [RESULT] 0 [END]', status: 'scored', score: 0, rationale: 'Ответ начинается с тега <think> и не содержит решения.' },
  { name: 'quoted think tags after a real block', text: '<think>думаю</think>[FEEDBACK] Модель пишет <think> и </think> в ответе. [RESULT] 1 [END]', status: 'scored', score: 1, rationale: 'Модель пишет <think> и </think> в ответе.' },
  { name: 'two leading think blocks', text: '<think>a</think>\n<think>b [RESULT] 2 [END]</think>[FEEDBACK] ok [RESULT] 0 [END]', status: 'scored', score: 0, rationale: 'ok' },
  { name: 'explicit plus sign', text: '[FEEDBACK] x [RESULT] +2 [END]', status: 'scored', score: 2 },
  { name: 'bare fraction', text: '[FEEDBACK] x [RESULT] .5 [END]', status: 'scored', score: 0.5 },
  { name: 'bare fraction with a comma', text: '[FEEDBACK] x [RESULT] ,5 [END]', status: 'scored', score: 0.5 },
  { name: 'a sign alone is not a number', text: '[RESULT] + [END]', status: 'unscored', reason: 'not_a_number' },
  { name: 'a trailing point is not a number', text: '[RESULT] 2. [END]', status: 'unscored', reason: 'not_a_number' },
  { name: 'truncated mid-feedback', text: '[FEEDBACK] Ответ содерж', finish: 'length', status: 'unscored', reason: 'truncated', rationale: 'Ответ содерж' },
];

for (const c of cases) {
  test(`parseVerdict: ${c.name}`, () => {
    const v = parseVerdict({ text: c.text, finishReason: c.finish ?? 'stop', scale: c.scale ?? scale02 });
    assert.equal(v.status, c.status);
    if (c.score !== undefined) assert.equal(v.score, c.score);
    if (c.status === 'unscored') assert.equal(v.score, null);
    if (c.reason !== undefined) assert.equal(v.reason, c.reason);
    if (c.rationale !== undefined) assert.equal(v.rationale, c.rationale);
  });
}

test('parseVerdict: the out-of-scale score text is kept for inspection', () => {
  const v = parseVerdict({ text: '[RESULT] 5 [END]', scale: scale02 });
  assert.equal(v.scoreText, '5');
  assert.equal(v.score, null);
});

test('parseVerdict: null text is empty', () => {
  assert.equal(parseVerdict({ text: null, scale: scale02 }).reason, 'empty');
});

test('a judgment scored from a reply cut by the token limit keeps its finish reason and raw text', () => {
  const text = '[FEEDBACK] Всё верно. [RESULT] 2 [END]\nДополнительно отмечу, что';
  const j = judgmentFromReply(
    { text, reasoning: null, finishReason: 'length', usage: { prompt: 10, completion: 1024, total: 1034 }, latencyMs: 5, endpoint: null },
    scale02,
    { judge: { backend: 'openai', endpoint: null, model: 'judge', params: {} }, promptHash: 'h', attempts: 1 },
  );
  assert.equal(j.status, 'scored');
  assert.equal(j.score, 2);
  assert.equal(j.reason, null);
  assert.equal(j.finishReason, 'length');
  assert.equal(j.raw, text);
});
