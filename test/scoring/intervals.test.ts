import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { JudgmentRecord } from '../../src/core/types.ts';
import { drawClusterWeights } from '../../src/meta/bootstrap.ts';
import { differenceSeries, percentileInterval } from '../../src/meta/intervals.ts';
import { seededRandom } from '../../src/meta/random.ts';
import { buildScoreReport } from '../../src/scoring/index.ts';
import { gates, rec } from './records.ts';

/** One answer of `model` to instruction `i`: gates (format fires when told), facts and style. */
function answer(model: string, i: number, facts: number | null, style: number | null, format = 0): JudgmentRecord[] {
  const more = { modelId: model, instructionId: `instr-${i}` };
  const id = `${model}-${i}`;
  return [...gates(id, format, 0, more), rec(id, 'facts', facts, more), rec(id, 'style', style, more)];
}

function noisyRuns(models: Array<{ name: string; instructions: number; offset: number }>, seed = 3): JudgmentRecord[] {
  const rnd = seededRandom(seed);
  const difficulty = Array.from({ length: 400 }, () => rnd.next());
  const out: JudgmentRecord[] = [];
  for (const m of models) {
    for (let i = 0; i < m.instructions; i++) {
      const level = Math.max(0, Math.min(1, difficulty[i]! + m.offset));
      const facts = Math.round(level * 2);
      const style = rnd.next() < 0.1 ? null : Math.round(level * 3);
      out.push(...answer(m.name, i, facts, style, rnd.next() < 0.05 ? 1 : 0));
    }
  }
  return out;
}

const BOOT = { resamples: 300, seed: 5, ci: 0.9 };

test('the intervals are those of the report itself recomputed on instruction resamples', () => {
  const records = noisyRuns([
    { name: 'a', instructions: 60, offset: 0.1 },
    { name: 'b', instructions: 45, offset: 0 },
  ]);
  const report = buildScoreReport(records, { gate: 'critical', bootstrap: BOOT });
  assert.equal(report.bootstrap?.clusters, 60);

  // The slow way: materialise every resample as records (a drawn instruction's answers repeated
  // under fresh sample ids) and score it with the same function, without a bootstrap.
  const instr = [...new Set(records.map((r) => r.instructionId))];
  const random = seededRandom(BOOT.seed);
  const weight = new Float64Array(instr.length);
  const series = new Map<string, { micro: Float64Array; macro: Float64Array }>();
  for (const m of ['a', 'b']) series.set(m, { micro: new Float64Array(BOOT.resamples), macro: new Float64Array(BOOT.resamples) });
  for (let b = 0; b < BOOT.resamples; b++) {
    drawClusterWeights(random, weight);
    const resampled: JudgmentRecord[] = [];
    instr.forEach((id, c) => {
      for (let k = 0; k < weight[c]!; k++) {
        for (const r of records) if (r.instructionId === id) resampled.push({ ...r, sampleId: `${r.sampleId}#${k}` });
      }
    });
    const rep = buildScoreReport(resampled, { gate: 'critical' });
    for (const [m, s] of series) {
      const row = rep.leaderboard.find((r) => r.model === m);
      s.micro[b] = row?.micro ?? NaN;
      s.macro[b] = row?.macro ?? NaN;
    }
  }
  for (const row of report.leaderboard) {
    const s = series.get(row.model!)!;
    const micro = percentileInterval(s.micro, BOOT.ci)!;
    const macro = percentileInterval(s.macro, BOOT.ci)!;
    assert.ok(Math.abs(row.microCi!.lo - micro.lo) < 1e-9 && Math.abs(row.microCi!.hi - micro.hi) < 1e-9, `${row.model} micro`);
    assert.ok(Math.abs(row.macroCi!.lo - macro.lo) < 1e-9 && Math.abs(row.macroCi!.hi - macro.hi) < 1e-9, `${row.model} macro`);
    assert.ok(row.microCi!.lo <= row.micro! && row.micro! <= row.microCi!.hi);
  }
  const d = report.differences[0]!;
  assert.equal(d.a, report.leaderboard[0]!.model);
  const paired = percentileInterval(differenceSeries(series.get(d.a!)!.micro, series.get(d.b!)!.micro), BOOT.ci)!;
  assert.ok(Math.abs(d.micro.ci!.lo - paired.lo) < 1e-9 && Math.abs(d.micro.ci!.hi - paired.hi) < 1e-9);
});

test('a model measured on few instructions is visibly uncertain and not ranked above a well-measured one', () => {
  const records = noisyRuns([{ name: 'many', instructions: 300, offset: 0 }]);
  // Four answers, two excellent and two middling: a higher mean than `many`, on little evidence.
  records.push(...answer('few', 0, 2, 3), ...answer('few', 1, 2, 3), ...answer('few', 2, 1, 1), ...answer('few', 3, 1, 1));
  const report = buildScoreReport(records, { gate: 'critical', bootstrap: { resamples: 500, seed: 1, ci: 0.95 } });
  const many = report.leaderboard.find((r) => r.model === 'many')!;
  const few = report.leaderboard.find((r) => r.model === 'few')!;
  assert.ok(few.micro! > many.micro!, 'the few-answer model has the higher point estimate');
  const width = (r: typeof many) => r.microCi!.hi - r.microCi!.lo;
  assert.ok(width(few) > 3 * width(many), `${width(few)} vs ${width(many)}`);
  assert.deepEqual(few.rank, { best: 1, worst: 2 });
  assert.deepEqual(many.rank, { best: 1, worst: 2 });
});

test('paired differences are tight when two models differ by the same amount on every instruction', () => {
  // Instruction difficulty varies widely, so each model's own interval is wide; b is a minus one
  // style level everywhere, so the paired difference barely moves.
  const records: JudgmentRecord[] = [];
  for (let i = 0; i < 20; i++) {
    const facts = 2 * (i % 2);
    const style = 1 + 2 * (i % 2);
    records.push(...answer('a', i, facts, style, 0), ...answer('b', i, facts, style - 1, 0));
  }
  const report = buildScoreReport(records, { gate: 'critical', bootstrap: { resamples: 400, seed: 2, ci: 0.95 } });
  const [a, b] = report.leaderboard;
  assert.equal(a!.model, 'a');
  const overlap = a!.microCi!.lo < b!.microCi!.hi;
  assert.ok(overlap, 'the marginal intervals overlap');
  const d = report.differences[0]!;
  assert.ok(d.micro.ci!.lo > 0, JSON.stringify(d.micro));
  assert.ok(d.micro.ci!.hi - d.micro.ci!.lo < 0.5 * (a!.microCi!.hi - a!.microCi!.lo));
  assert.deepEqual(a!.rank, { best: 1, worst: 1 });
  assert.deepEqual(b!.rank, { best: 2, worst: 2 });
});

test('without a bootstrap the report has no intervals; with one it is deterministic for a seed', () => {
  const records = noisyRuns([{ name: 'a', instructions: 30, offset: 0 }]);
  const plain = buildScoreReport(records, { gate: 'critical' });
  assert.equal(plain.bootstrap, null);
  assert.equal(plain.leaderboard[0]!.microCi, null);
  assert.deepEqual(plain.differences, []);
  const one = buildScoreReport(records, { gate: 'critical', bootstrap: BOOT });
  const two = buildScoreReport(records, { gate: 'critical', bootstrap: BOOT });
  const other = buildScoreReport(records, { gate: 'critical', bootstrap: { ...BOOT, seed: 6 } });
  assert.deepEqual(one.leaderboard[0]!.microCi, two.leaderboard[0]!.microCi);
  assert.notDeepEqual(one.leaderboard[0]!.microCi, other.leaderboard[0]!.microCi);
  // The point estimates do not depend on the bootstrap.
  assert.equal(one.leaderboard[0]!.micro, plain.leaderboard[0]!.micro);
});
