import { test } from 'node:test';
import assert from 'node:assert/strict';
import { pointMetrics, seededRandom } from '../../src/meta/index.ts';
import { SCIPY_MISSING, runPython, scipyAvailable } from './python.ts';

// Reference values: SciPy for the correlations; for κ and α, the textbook matrix definitions
// written out in numpy (a K × K confusion / coincidence matrix), independent of the O(n log n)
// algebra used in src/meta.
const SCRIPT = String.raw`
import json, sys
import numpy as np
from scipy import stats

def qwk(a, b):
    cats = np.unique(np.concatenate([a, b]))
    ia = np.searchsorted(cats, a); ib = np.searchsorted(cats, b)
    K = len(cats)
    O = np.zeros((K, K)); np.add.at(O, (ia, ib), 1)
    E = np.outer(O.sum(1), O.sum(0)) / O.sum()
    i, j = np.indices((K, K)); W = (i - j) ** 2
    d = (W * E).sum()
    return None if d == 0 else 1 - (W * O).sum() / d

def alpha(a, b, metric):
    vals = np.unique(np.concatenate([a, b]))
    K = len(vals)
    ia = np.searchsorted(vals, a); ib = np.searchsorted(vals, b)
    o = np.zeros((K, K)); np.add.at(o, (ia, ib), 1); np.add.at(o, (ib, ia), 1)
    nc = o.sum(1); n = nc.sum()
    if metric == 'interval':
        d2 = (vals[:, None] - vals[None, :]) ** 2
    else:
        cum = np.concatenate([[0], np.cumsum(nc)])
        lo = np.minimum.outer(np.arange(K), np.arange(K)); hi = np.maximum.outer(np.arange(K), np.arange(K))
        d2 = (cum[hi + 1] - cum[lo] - (nc[:, None] + nc[None, :]) / 2) ** 2
    De = (np.outer(nc, nc) * d2).sum()
    return None if De == 0 else 1 - (n - 1) * (o * d2).sum() / De

def num(x):
    x = float(x)
    return None if np.isnan(x) else x

out = []
for case in json.load(sys.stdin):
    j = np.array(case['judge'], dtype=float); h = np.array(case['human'], dtype=float)
    out.append({
        'spearman': num(stats.spearmanr(j, h).statistic),
        'pearson': num(stats.pearsonr(j, h).statistic),
        'kendallTauB': num(stats.kendalltau(j, h, variant='b').statistic),
        'mae': float(np.mean(np.abs(j - h))),
        'rmse': float(np.sqrt(np.mean((j - h) ** 2))),
        'meanSignedError': float(np.mean(j - h)),
        'quadraticKappa': qwk(j, h),
        'alphaInterval': alpha(j, h, 'interval'),
        'alphaOrdinal': alpha(j, h, 'ordinal'),
    })
print(json.dumps(out))
`;

interface Case {
  name: string;
  judge: number[];
  human: number[];
}

function cases(): Case[] {
  const rnd = seededRandom(2024);
  const out: Case[] = [];
  // A 0–2 judge against the mean of 2–3 experts: heavy ties on both sides, positively related.
  {
    const judge: number[] = [];
    const human: number[] = [];
    for (let i = 0; i < 3000; i++) {
      const truth = rnd.below(3);
      const k = 2 + rnd.below(2);
      let s = 0;
      for (let e = 0; e < k; e++) s += Math.min(2, Math.max(0, truth + (rnd.next() < 0.3 ? (rnd.next() < 0.5 ? -1 : 1) : 0)));
      human.push(s / k);
      judge.push(Math.min(2, Math.max(0, truth + (rnd.next() < 0.35 ? (rnd.next() < 0.5 ? -1 : 1) : 0))));
    }
    out.push({ name: 'discrete 0–2 with averaged experts', judge, human });
  }
  // A regression-head judge: continuous scores, experts discrete.
  {
    const judge: number[] = [];
    const human: number[] = [];
    for (let i = 0; i < 1500; i++) {
      const h = rnd.below(3);
      human.push(h);
      judge.push(h + (rnd.next() - 0.5) * 1.6);
    }
    out.push({ name: 'continuous judge', judge, human });
  }
  // Binary criteria, negatively related, tiny.
  out.push({ name: 'binary, 12 pairs', judge: [0, 1, 1, 0, 1, 1, 0, 0, 1, 1, 1, 0], human: [1, 0, 0, 1, 1, 0, 1, 1, 0, 0, 1, 1] });
  // Few distinct values, small n, many ties.
  out.push({ name: 'small with ties', judge: [2, 2, 1, 0, 2, 1, 1, 0], human: [2, 1.5, 1, 0.5, 2, 1.5, 0, 0] });
  return out;
}

test('every statistic matches SciPy / numpy reference implementations', (t) => {
  if (!scipyAvailable()) {
    t.skip(SCIPY_MISSING);
    return;
  }
  const all = cases();
  const reference = runPython<Array<Record<string, number | null>>>(SCRIPT, all);
  assert.equal(reference.length, all.length);
  for (let c = 0; c < all.length; c++) {
    const ours = pointMetrics(all[c]!.judge, all[c]!.human) as unknown as Record<string, number | null>;
    for (const [key, expected] of Object.entries(reference[c]!)) {
      const actual = ours[key];
      if (expected === null) {
        assert.equal(actual, null, `${all[c]!.name}: ${key} should be undefined`);
        continue;
      }
      assert.ok(typeof actual === 'number', `${all[c]!.name}: ${key} is ${actual}, SciPy says ${expected}`);
      assert.ok(Math.abs(actual - expected) < 1e-9, `${all[c]!.name}: ${key} = ${actual}, SciPy says ${expected}`);
    }
  }
});

test('SciPy agrees that a constant input has no correlation', (t) => {
  if (!scipyAvailable()) {
    t.skip(SCIPY_MISSING);
    return;
  }
  const reference = runPython<Array<Record<string, number | null>>>(SCRIPT, [{ judge: [1, 1, 1, 1], human: [0, 1, 2, 2] }]);
  const ours = pointMetrics([1, 1, 1, 1], [0, 1, 2, 2]);
  assert.equal(reference[0]!.spearman, null);
  assert.equal(reference[0]!.kendallTauB, null);
  assert.equal(ours.spearman, null);
  assert.equal(ours.kendallTauB, null);
  assert.equal(ours.pearson, null);
});
