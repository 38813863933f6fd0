import { test } from 'node:test';
import assert from 'node:assert/strict';
import { gateFires, isGate, normalise } from '../../src/scoring/index.ts';

test('normalise on a 0–2 rubric', () => {
  assert.equal(normalise(0, 0, 2), 0);
  assert.equal(normalise(1, 0, 2), 0.5);
  assert.equal(normalise(2, 0, 2), 1);
  assert.equal(normalise(1.5, 0, 2), 0.75);
});

test('normalise on a 0–3 rubric', () => {
  assert.equal(normalise(0, 0, 3), 0);
  assert.equal(normalise(1, 0, 3), 1 / 3);
  assert.equal(normalise(2, 0, 3), 2 / 3);
  assert.equal(normalise(3, 0, 3), 1);
});

test('normalise on a 1–3 rubric: the bottom is 1, not 0', () => {
  assert.equal(normalise(1, 1, 3), 0);
  assert.equal(normalise(2, 1, 3), 0.5);
  assert.equal(normalise(3, 1, 3), 1);
});

test('normalise refuses a scale without a span and a non-number', () => {
  assert.throws(() => normalise(1, 2, 2), RangeError);
  assert.throws(() => normalise(1, 3, 1), RangeError);
  assert.throws(() => normalise(NaN, 0, 2), RangeError);
});

test('which criteria gate under each policy', () => {
  const critical = { gate: true, binary: true };
  const goodBinary = { gate: false, binary: true };
  const ordinal = { gate: false, binary: false };
  assert.deepEqual([isGate('critical', critical), isGate('critical', goodBinary), isGate('critical', ordinal)], [true, false, false]);
  assert.deepEqual([isGate('all-binary', critical), isGate('all-binary', goodBinary), isGate('all-binary', ordinal)], [true, true, false]);
  assert.deepEqual([isGate('none', critical), isGate('none', goodBinary)], [false, false]);
});

test('a gate fires at the bad end only', () => {
  assert.equal(gateFires(1), true);
  assert.equal(gateFires(0), false);
  assert.equal(gateFires(0.8), true);
  assert.equal(gateFires(0.2), false);
});
