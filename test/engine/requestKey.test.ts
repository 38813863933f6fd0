import assert from 'node:assert/strict';
import { test } from 'node:test';
import { requestKey, requestKeyer } from '../../src/engine/enumerate.ts';

test('the per-run key builder gives exactly requestKey, whatever the parameter order and values', () => {
  const cases: Array<[string, Record<string, unknown>]> = [
    ['ai-forever/pollux-judge-32b', { temperature: 0, max_tokens: 1024 }],
    ['m "quoted" \\ slash', { max_tokens: 5, temperature: 0.1, seed: 1, top_k: 1, stop: ['[END]'], nested: { b: 1, a: [2, { d: 1, c: 0 }] } }],
    ['модель', {}],
  ];
  for (const [model, params] of cases) {
    const keyOf = requestKeyer(model, params);
    for (const [hash, repeat] of [['ab'.repeat(32), 0], ['0'.repeat(64), 3]] as const) {
      assert.equal(keyOf(hash, repeat), requestKey(hash, model, params, repeat));
    }
  }
  assert.notEqual(requestKeyer('m', {})('a', 0), requestKeyer('m', {})('a', 1));
  assert.notEqual(requestKeyer('m', { temperature: 0 })('a', 0), requestKeyer('m', { temperature: 0.1 })('a', 0));
});
