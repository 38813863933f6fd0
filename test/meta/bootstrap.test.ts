import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  BootstrapPlan,
  bootstrapGroup,
  clusterBootstrap,
  differenceSeries,
  meanAbsoluteError,
  meanSeries,
  percentileInterval,
  quantileSorted,
  seededRandom,
  spearman,
  weightedStats,
  type PairArrays,
} from '../../src/meta/index.ts';

/** Clustered synthetic pairs: each cluster has a difficulty shared by its pairs. */
function synthetic(clusters: number, perCluster: number, seed: number, continuous = false): PairArrays & { n: number } {
  const rnd = seededRandom(seed);
  const judge: number[] = [];
  const human: number[] = [];
  const cluster: number[] = [];
  for (let c = 0; c < clusters; c++) {
    const base = rnd.next();
    for (let k = 0; k < perCluster; k++) {
      const truth = Math.min(2, Math.floor((base + rnd.next()) * 1.5));
      human.push(Math.min(2, Math.max(0, truth + (rnd.next() < 0.3 ? 0.5 : 0))));
      const noise = rnd.next() < 0.3 ? (rnd.next() < 0.5 ? -1 : 1) : 0;
      judge.push(continuous ? truth + rnd.next() - 0.5 : Math.min(2, Math.max(0, truth + noise)));
      cluster.push(c);
    }
  }
  return { judge, human, cluster, n: judge.length };
}

const all = (n: number) => Int32Array.from({ length: n }, (_, i) => i);

for (const continuous of [false, true]) {
  const path = continuous ? 'pair path (continuous scores)' : 'table path (discrete scores)';

  test(`${path}: unit weights give the plain Spearman and MAE`, () => {
    const d = synthetic(200, 6, 1, continuous);
    const g = bootstrapGroup(d, all(d.n), 200);
    assert.equal(g.table, !continuous);
    const s = weightedStats(g, new Float64Array(200).fill(1));
    assert.ok(Math.abs(s.spearman - spearman(d.judge, d.human)!) < 1e-12);
    assert.ok(Math.abs(s.mae - meanAbsoluteError(d.judge, d.human)!) < 1e-12);
  });

  test(`${path}: cluster weights equal Spearman and MAE of the materialised resample`, () => {
    const d = synthetic(150, 8, 2, continuous);
    const g = bootstrapGroup(d, all(d.n), 150);
    assert.equal(g.table, !continuous);
    const rnd = seededRandom(9);
    for (let trial = 0; trial < 5; trial++) {
      const weight = new Float64Array(150);
      for (let i = 0; i < 150; i++) weight[rnd.below(150)]!++;
      const j: number[] = [];
      const h: number[] = [];
      for (let i = 0; i < d.n; i++) {
        for (let w = 0; w < weight[d.cluster[i]!]!; w++) {
          j.push(d.judge[i]!);
          h.push(d.human[i]!);
        }
      }
      const s = weightedStats(g, weight);
      assert.ok(Math.abs(s.spearman - spearman(j, h)!) < 1e-12, `trial ${trial}: ${s.spearman} vs ${spearman(j, h)}`);
      assert.ok(Math.abs(s.mae - meanAbsoluteError(j, h)!) < 1e-12);
    }
  });
}

test('a subset of pairs (a model) is resampled by the clusters it touches', () => {
  const d = synthetic(20, 4, 3);
  const members = Int32Array.from({ length: d.n / 2 }, (_, i) => i * 2);
  const g = bootstrapGroup(d, members, 20);
  assert.equal(g.pairs, members.length);
  const s = weightedStats(g, new Float64Array(20).fill(1));
  const j = [...members].map((i) => d.judge[i]!);
  const h = [...members].map((i) => d.human[i]!);
  assert.ok(Math.abs(s.spearman - spearman(j, h)!) < 1e-12);
});

test('the bootstrap is deterministic for a seed and its interval holds the point estimate', () => {
  const d = synthetic(300, 8, 4);
  const g = bootstrapGroup(d, all(d.n), 300);
  const a = clusterBootstrap([g], 300, { resamples: 400, seed: 11 });
  const b = clusterBootstrap([g], 300, { resamples: 400, seed: 11 });
  const c = clusterBootstrap([g], 300, { resamples: 400, seed: 12 });
  assert.deepEqual(a.spearman[0], b.spearman[0]);
  assert.notDeepEqual(a.spearman[0], c.spearman[0]);
  const rho = spearman(d.judge, d.human)!;
  const mae = meanAbsoluteError(d.judge, d.human)!;
  const ciRho = percentileInterval(a.spearman[0]!, 0.95)!;
  const ciMae = percentileInterval(a.mae[0]!, 0.95)!;
  assert.ok(ciRho.lo < rho && rho < ciRho.hi, `${rho} outside [${ciRho.lo}, ${ciRho.hi}]`);
  assert.ok(ciMae.lo < mae && mae < ciMae.hi);
  assert.equal(ciRho.defined, 400);
  // The interval is not degenerate and a 50% interval is narrower than a 95% one.
  const half = percentileInterval(a.spearman[0]!, 0.5)!;
  assert.ok(ciRho.hi - ciRho.lo > 0.01);
  assert.ok(half.hi - half.lo < ciRho.hi - ciRho.lo);
});

test('clustering widens the interval when pairs of an instruction move together', () => {
  // The same pairs, once as 200 clusters of 10 pairs, once as 2000 singleton clusters. The judge's
  // error rate is a property of the instruction, so pairs of a cluster err together.
  const rnd = seededRandom(5);
  const d = { judge: [] as number[], human: [] as number[], cluster: [] as number[], n: 2000 };
  for (let c = 0; c < 200; c++) {
    const errorRate = rnd.next();
    for (let k = 0; k < 10; k++) {
      const h = rnd.below(3);
      d.human.push(h);
      d.judge.push(rnd.next() < errorRate ? 2 - h : h);
      d.cluster.push(c);
    }
  }
  const clustered = bootstrapGroup(d, all(d.n), 200);
  const single = bootstrapGroup({ ...d, cluster: Int32Array.from({ length: d.n }, (_, i) => i) }, all(d.n), d.n);
  const wc = percentileInterval(clusterBootstrap([clustered], 200, { resamples: 300, seed: 1 }).mae[0]!, 0.95)!;
  const ws = percentileInterval(clusterBootstrap([single], d.n, { resamples: 300, seed: 1 }).mae[0]!, 0.95)!;
  assert.ok(wc.hi - wc.lo > ws.hi - ws.lo, `clustered width ${wc.hi - wc.lo} vs independent ${ws.hi - ws.lo}`);
});

test('paired series: the difference of a group with itself is exactly zero in every resample', () => {
  const d = synthetic(50, 5, 6);
  const g = bootstrapGroup(d, all(d.n), 50);
  const s = clusterBootstrap([g, g], 50, { resamples: 50, seed: 3 });
  assert.ok(differenceSeries(s.spearman[0]!, s.spearman[1]!).every((v) => v === 0));
});

test('percentile interval interpolates like numpy and skips undefined resamples', () => {
  const sorted = Float64Array.from([1, 2, 3, 4, 5]);
  assert.equal(quantileSorted(sorted, 0.25), 2);
  assert.equal(quantileSorted(sorted, 0.1), 1.4);
  const ci = percentileInterval(Float64Array.from([5, NaN, 1, 3, 2, 4]), 0.5)!;
  assert.deepEqual(ci, { lo: 2, hi: 4, defined: 5 });
  assert.equal(percentileInterval(Float64Array.from([NaN, NaN, 1]), 0.95), null);
  const m = meanSeries([Float64Array.from([1, NaN]), Float64Array.from([3, NaN])], 2);
  assert.equal(m[0], 2);
  assert.ok(Number.isNaN(m[1]!));
});

test('a constant group has an undefined Spearman in every resample, so no interval', () => {
  const d = { judge: [1, 1, 1, 1], human: [0, 1, 2, 1], cluster: [0, 0, 1, 1] };
  const g = bootstrapGroup(d, all(4), 2);
  const s = clusterBootstrap([g], 2, { resamples: 20, seed: 1 });
  assert.equal(percentileInterval(s.spearman[0]!, 0.95), null);
  assert.notEqual(percentileInterval(s.mae[0]!, 0.95), null);
});

for (const continuous of [false, true]) {
  test(`plan of many groups (${continuous ? 'continuous: group by group' : 'discrete: shared tables'}) gives the same series as each group alone`, () => {
    const d = synthetic(120, 12, 8, continuous);
    // Two overlapping "models" (odd/even positions), a subset of clusters, and their union.
    const even = Int32Array.from({ length: d.n / 2 }, (_, i) => 2 * i);
    const odd = Int32Array.from({ length: d.n / 2 }, (_, i) => 2 * i + 1);
    const firstClusters = all(d.n).filter((i) => d.cluster[i]! < 30);
    const plan = new BootstrapPlan(d, 120);
    const ge = plan.addGroup(even);
    const go = plan.addGroup(odd);
    const gf = plan.addGroup(firstClusters);
    const gu = plan.addUnion([ge, go]);
    const options = { resamples: 60, seed: 5 };
    const got = plan.run(options);
    const want = clusterBootstrap([even, odd, firstClusters, all(d.n)].map((m) => bootstrapGroup(d, m, 120)), 120, options);
    for (const [g, w] of [[ge, 0], [go, 1], [gf, 2], [gu, 3]] as const) {
      for (let b = 0; b < 60; b++) {
        assert.ok(Math.abs(got.spearman[g]![b]! - want.spearman[w]![b]!) < 1e-12, `group ${g}, resample ${b}`);
        assert.ok(Math.abs(got.mae[g]![b]! - want.mae[w]![b]!) < 1e-12);
      }
    }
  });
}
