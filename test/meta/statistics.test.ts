import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  averageRanks,
  confusionMatrix,
  countInversions,
  exactAgreement,
  kendallTauB,
  krippendorffAlphaInterval,
  krippendorffAlphaOrdinal,
  meanAbsoluteError,
  meanSignedError,
  pearson,
  pointMetrics,
  quadraticWeightedKappa,
  rootMeanSquaredError,
  seededRandom,
  spearman,
  undefinedReason,
  withinOneLevel,
} from '../../src/meta/index.ts';

const close = (actual: number | null, expected: number, tol = 1e-12): void => {
  assert.ok(actual !== null, `expected ${expected}, got null`);
  assert.ok(Math.abs(actual - expected) <= tol, `expected ${expected}, got ${actual}`);
};

test('average ranks share the mean of the tied positions', () => {
  assert.deepEqual([...averageRanks([10, 20, 20, 5, 20])], [2, 4, 4, 1, 4]);
  assert.deepEqual([...averageRanks([3, 3])], [1.5, 1.5]);
  assert.deepEqual([...averageRanks([])], []);
});

test('Spearman with ties, computed by hand', () => {
  // y ranks: [1, 2, 3.5, 5, 3.5]; Σdxdy = 8, Σdx² = 10, Σdy² = 9.5.
  close(spearman([1, 2, 3, 4, 5], [5, 6, 7, 8, 7]), 8 / Math.sqrt(95));
});

test('Kendall tau-b with a tie, computed by hand', () => {
  // 8 concordant, 1 discordant, 1 pair tied in y only, none tied in x: 7 / √(10 · 9).
  close(kendallTauB([1, 2, 3, 4, 5], [5, 6, 7, 8, 7]), 7 / Math.sqrt(90));
  // x ties: (1,1) and (2,2); pairs 15; n1 = 2, n2 = 0; joint ties 0.
  // Order by x: (1,a) (1,b) (2,c) (2,d) (3,e) (4,f) with y = 1 3 2 4 5 6.
  // Discordant: (1,y3)-(2,y2) only → 1. Concordant = 15 − 2 − 1 = 12. τb = 11 / √(13 · 15).
  close(kendallTauB([1, 1, 2, 2, 3, 4], [1, 3, 2, 4, 5, 6]), 11 / Math.sqrt(13 * 15));
});

test('perfect agreement and reversal', () => {
  const x = [0, 1, 2, 2, 1, 0, 2];
  const rev = x.map((v) => 2 - v);
  for (const f of [spearman, pearson, kendallTauB]) {
    close(f(x, x), 1);
    close(f(x, rev), -1);
  }
  close(quadraticWeightedKappa(x, x), 1);
  close(krippendorffAlphaInterval(x, x), 1);
  close(krippendorffAlphaOrdinal(x, x), 1);
  close(meanAbsoluteError(x, x), 0);
  close(exactAgreement(x, x), 1);
});

test('a constant input or fewer than two pairs makes a correlation undefined, never NaN', () => {
  for (const f of [spearman, pearson, kendallTauB]) {
    assert.equal(f([1, 1, 1], [1, 2, 3]), null);
    assert.equal(f([1, 2, 3], [2, 2, 2]), null);
    assert.equal(f([1], [2]), null);
    assert.equal(f([], []), null);
  }
  assert.equal(quadraticWeightedKappa([1, 1], [1, 1]), null);
  assert.equal(krippendorffAlphaInterval([2, 2], [2, 2]), null);
  assert.equal(meanAbsoluteError([], []), null);
  assert.equal(undefinedReason([1, 1, 1], [1, 2, 3]), 'constant input: the judge gives one value');
  assert.equal(undefinedReason([1, 2, 3], [0, 0, 0]), 'constant input: the experts give one value');
  assert.equal(undefinedReason([1], [1]), 'a single pair');
  assert.equal(undefinedReason([1, 2], [2, 1]), null);
  const m = pointMetrics([2, 2, 2], [0, 1, 2]);
  assert.equal(m.spearman, null);
  assert.equal(m.undefinedReason, 'constant input: the judge gives one value');
  close(m.mae, 1);
  for (const v of Object.values(m)) assert.ok(!(typeof v === 'number' && Number.isNaN(v)));
  assert.throws(() => spearman([1, 2], [1]), RangeError);
});

test('errors and agreement rates, computed by hand', () => {
  const judge = [2, 2, 0, 1];
  const human = [1, 2, 1, 2.5];
  close(meanAbsoluteError(judge, human), (1 + 0 + 1 + 1.5) / 4);
  close(rootMeanSquaredError(judge, human), Math.sqrt((1 + 0 + 1 + 2.25) / 4));
  close(meanSignedError(judge, human), (1 + 0 - 1 - 1.5) / 4);
  close(exactAgreement(judge, human), 1 / 4);
  close(withinOneLevel(judge, human), 3 / 4);
  // Averaged expert scores such as 1/3 + 1/3 + 1/3 still match a judge's 1.
  close(exactAgreement([1], [1 / 3 + 1 / 3 + 1 / 3]), 1);
});

test('quadratic weighted kappa, computed by hand', () => {
  // Observed Σ(i−j)² = 2; expected Σ a_i b_j (i−j)² / N = 22 / 4; κ = 1 − 2/5.5 = 7/11.
  close(quadraticWeightedKappa([0, 1, 2, 2], [0, 2, 2, 1]), 7 / 11);
  // Categories are the union of observed values by index: 0, 5, 10 behave as 0, 1, 2.
  close(quadraticWeightedKappa([0, 5, 10, 10], [0, 10, 10, 5]), 7 / 11);
  // Both constant on different values: no agreement beyond chance.
  close(quadraticWeightedKappa([0, 0], [1, 1]), 0);
});

test('Krippendorff alpha, computed by hand', () => {
  // Pooled 1,2,3,1,2,4: SS = 35 − 6·(13/6)² = 41/6; Σ(a−b)² = 1; α = 1 − 5·1 / (6 · 41/6) = 36/41.
  close(krippendorffAlphaInterval([1, 2, 3], [1, 2, 4]), 36 / 41);
  // Ordinal: only the order matters, so 4 → 40 changes nothing.
  close(krippendorffAlphaOrdinal([1, 2, 3], [1, 2, 4]), krippendorffAlphaOrdinal([1, 2, 3], [1, 2, 40]) ?? NaN);
  // Ordinal = interval α of the pooled mid-ranks: ranks of 1,2,3,1,2,4 are 1.5,3.5,5,1.5,3.5,6.
  close(krippendorffAlphaOrdinal([1, 2, 3], [1, 2, 4]), krippendorffAlphaInterval([1.5, 3.5, 5], [1.5, 3.5, 6]) ?? NaN);
});

test('confusion matrix rows are expert values, columns judge values', () => {
  const m = confusionMatrix([0, 1, 2, 2, 2], [0, 1.5, 2, 2, 1.5]);
  assert.deepEqual(m.humanLevels, [0, 1.5, 2]);
  assert.deepEqual(m.judgeLevels, [0, 1, 2]);
  assert.deepEqual(m.counts, [
    [1, 0, 0],
    [0, 1, 1],
    [0, 0, 2],
  ]);
});

test('inversions count strict disorder only', () => {
  assert.equal(countInversions(Int32Array.from([3, 1, 2])), 2);
  assert.equal(countInversions(Int32Array.from([1, 1, 1])), 0);
  assert.equal(countInversions(Int32Array.from([2, 2, 1, 1])), 4);
  const rnd = seededRandom(7);
  const a = Int32Array.from({ length: 300 }, () => rnd.below(20));
  let brute = 0;
  for (let i = 0; i < a.length; i++) for (let j = i + 1; j < a.length; j++) if (a[i]! > a[j]!) brute++;
  assert.equal(countInversions(a), brute);
});

test('the seeded generator repeats for a seed and differs between seeds', () => {
  const draw = (seed: number) => {
    const r = seededRandom(seed);
    return Array.from({ length: 8 }, () => r.next());
  };
  assert.deepEqual(draw(42), draw(42));
  assert.notDeepEqual(draw(42), draw(43));
  const r = seededRandom(1);
  const hits = new Array<number>(10).fill(0);
  for (let i = 0; i < 100_000; i++) hits[r.below(10)]!++;
  for (const h of hits) assert.ok(Math.abs(h - 10_000) < 500, `bucket count ${h} far from uniform`);
});

test('a constant non-integer input is undefined, not a rounding residue', () => {
  const third = 2 / 3;
  const experts = [third, third, third, third, third];
  const judge = [0, 1, 2, 1, 0];
  assert.equal(pearson(judge, experts), null);
  assert.equal(pearson(experts, judge), null);
  assert.equal(spearman(judge, experts), null);
  assert.equal(krippendorffAlphaInterval(experts, experts), null);
  assert.equal(pointMetrics(judge, experts).pearson, null);
});
