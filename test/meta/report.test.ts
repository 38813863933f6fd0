import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { JudgmentRecord } from '../../src/core/types.ts';
import { buildMetaReport, compareJudges, meanAbsoluteError, spearman, type MetaReport } from '../../src/meta/index.ts';
import { syntheticRecords } from './syntheticRun.ts';

let seq = 0;
function record(over: Partial<JudgmentRecord>): JudgmentRecord {
  seq++;
  return {
    key: `k${seq}`,
    sampleId: `s${seq}`,
    instructionId: 'i1',
    modelId: 'A',
    taskType: 'Решить задачу',
    taskSubtype: null,
    taskSubsubtype: null,
    difficulty: 'Easy',
    domain: null,
    criterionKey: 'general',
    criterionName: 'general',
    criterionGroup: 'Subjective',
    gate: false,
    scaleKind: 'ordinal',
    scaleMin: 0,
    scaleMax: 2,
    repeat: 0,
    humanScore: null,
    status: 'scored',
    score: null,
    rationale: null,
    raw: null,
    reason: null,
    finishReason: 'stop',
    promptTokens: null,
    completionTokens: null,
    latencyMs: null,
    attempts: 1,
    endpoint: null,
    judgeModel: 'judge-x',
    ...over,
  };
}

const HUMAN = [0, 1, 2, 0.5, 1.5, 2, 1, 0];
/** Model A copies the experts, model B mirrors them (2 − h); instructions i3, i4 are out-of-domain. */
function handRun(): JudgmentRecord[] {
  const out: JudgmentRecord[] = [];
  HUMAN.forEach((h, k) => {
    const instructionId = `i${1 + (k >> 1)}`;
    const taskType = k < 4 ? 'Решить задачу' : 'Изменить код';
    const criterionKey = k % 2 === 0 ? 'general' : 'facts';
    const criterionGroup = k % 2 === 0 ? 'Subjective' : 'Domain-specific';
    out.push(record({ instructionId, taskType, criterionKey, criterionGroup, modelId: 'A', humanScore: h, score: h }));
    out.push(record({ instructionId, taskType, criterionKey, criterionGroup, modelId: 'B', humanScore: h, score: 2 - h }));
  });
  out.push(record({ modelId: 'B', humanScore: 1, status: 'unscored', score: null, reason: 'no_result_block' }));
  out.push(record({ modelId: 'B', humanScore: 2, status: 'error', score: null }));
  out.push(record({ modelId: 'A', humanScore: null, score: 2 }));
  return out;
}

function assertNoNaN(value: unknown, path = 'report'): void {
  if (typeof value === 'number') assert.ok(Number.isFinite(value), `${path} is ${value}`);
  else if (Array.isArray(value)) value.forEach((v, i) => assertNoNaN(v, `${path}[${i}]`));
  else if (value && typeof value === 'object') for (const [k, v] of Object.entries(value)) assertNoNaN(v, `${path}.${k}`);
}

test('per model, mean over models and coverage, computed by hand', () => {
  const r = buildMetaReport(handRun(), { resamples: 200, seed: 3 });
  const [a, b] = r.models;
  assert.equal(a!.model, 'A');
  assert.equal(a!.spearman, 1);
  assert.equal(a!.mae, 0);
  assert.equal(a!.coverage, 1);
  assert.equal(b!.model, 'B');
  assert.equal(b!.spearman, -1);
  // |2 − 2h| averaged: 2 · (1 + 0 + 1 + .5 + .5 + 1 + 0 + 1) / 8.
  assert.equal(b!.mae, 1.25);
  assert.equal(b!.n, 8);
  assert.equal(b!.withHuman, 10);
  assert.equal(b!.coverage, 0.8);
  assert.deepEqual(b!.excluded, { unscored: 1, error: 1, pending: 0 });
  assert.equal(r.meanOverModels.spearman, 0);
  assert.equal(r.meanOverModels.mae, 0.625);
  assert.equal(r.meanOverModels.models, 2);
  assert.deepEqual(r.records, { total: 19, withHuman: 18, withoutHuman: 1, used: 16, excluded: { unscored: 1, error: 1, pending: 0 } });
  assert.equal(r.pooled.n, 16);
  assert.equal(r.pooled.instructions, 4);
  // Positive signed error = lenient: B scores 2 − h, so its signed error is mean(2 − 2h) = 2 − 2·mean(h).
  const meanH = HUMAN.reduce((s, v) => s + v, 0) / HUMAN.length;
  assert.equal(b!.meanSignedError, 2 - 2 * meanH);
  assert.deepEqual(r.judges, ['judge-x']);
});

test('in-domain and out-of-domain follow the held-out list, which an option overrides', () => {
  const r = buildMetaReport(handRun(), { resamples: 0 });
  assert.equal(r.inDomain.pooled.n, 8 + 2 - 2); // four items per model in i1–i2, plus B's excluded two are not pairs
  assert.equal(r.outOfDomain.pooled.n, 8);
  assert.equal(r.outOfDomain.models.find((m) => m.model === 'B')!.spearman, -1);
  const swapped = buildMetaReport(handRun(), { resamples: 0, outOfDomain: ['Решить задачу'] });
  assert.equal(swapped.outOfDomain.pooled.n, 8);
  assert.deepEqual(swapped.settings.outOfDomainTasks, ['Решить задачу']);
  assert.equal(swapped.outOfDomain.pooled.withHuman, 10);
});

test('breakdowns by criterion group, task type and difficulty; confusion per criterion on request', () => {
  const r = buildMetaReport(handRun(), { resamples: 0, confusion: true });
  assert.deepEqual(
    r.breakdowns.criterionGroup!.map((g) => [g.key, g.pooled.n]),
    [
      ['Domain-specific', 8],
      ['Subjective', 8],
    ],
  );
  assert.deepEqual(r.breakdowns.taskType!.map((g) => g.key).sort(), ['Изменить код', 'Решить задачу']);
  assert.equal(r.breakdowns.difficulty!.length, 1);
  const general = r.confusion!.find((c) => c.criterionKey === 'general')!;
  assert.equal(general.n, 8);
  assert.equal(general.counts.flat().reduce((s, v) => s + v, 0), 8);
  const only = buildMetaReport(handRun(), { resamples: 0, breakdowns: ['task'] });
  assert.deepEqual(Object.keys(only.breakdowns), ['taskType']);
  assert.equal(only.confusion, undefined);
});

test('a model whose judge scores are constant has an undefined Spearman, left out of the mean with its reason', () => {
  const run = handRun();
  HUMAN.forEach((h, k) => run.push(record({ instructionId: `i${1 + (k >> 1)}`, modelId: 'C', humanScore: h, score: 1 })));
  const r = buildMetaReport(run, { resamples: 100 });
  const c = r.models.find((m) => m.model === 'C')!;
  assert.equal(c.spearman, null);
  assert.equal(c.spearmanCI, null);
  assert.equal(c.undefinedReason, 'constant input: the judge gives one value');
  assert.notEqual(c.mae, null);
  assert.equal(r.meanOverModels.spearmanModels, 2);
  assert.deepEqual(r.meanOverModels.undefinedModels, [{ model: 'C', reason: 'constant input: the judge gives one value' }]);
  assert.equal(r.meanOverModels.spearman, 0);
  assertNoNaN(r);
});

test('JSON: every model entry has model, n, spearman, mae and intervals; nothing is NaN', () => {
  const recs = syntheticRecords({ instructions: 120, seed: 4, unscoredRate: 0.02 });
  const r: MetaReport = JSON.parse(JSON.stringify(buildMetaReport(recs, { resamples: 200, seed: 9 })));
  assertNoNaN(r);
  assert.equal(r.models.length, 7);
  for (const block of [r, r.inDomain, r.outOfDomain]) {
    for (const m of block.models) {
      assert.equal(typeof m.model, 'string');
      assert.equal(typeof m.n, 'number');
      assert.equal(typeof m.spearman, 'number');
      assert.equal(typeof m.mae, 'number');
      assert.ok(m.spearmanCI && m.spearmanCI.lo <= m.spearman! && m.spearman! <= m.spearmanCI.hi);
      assert.ok(m.maeCI && m.maeCI.lo <= m.mae! && m.mae! <= m.maeCI.hi);
    }
    const mean = block.meanOverModels;
    assert.ok(mean.spearmanCI!.lo < mean.spearman! && mean.spearman! < mean.spearmanCI!.hi);
    assert.ok(mean.maeCI!.lo < mean.mae! && mean.mae! < mean.maeCI!.hi);
  }
});

test('report numbers equal the statistics computed directly on each model', () => {
  const recs = syntheticRecords({ instructions: 60, seed: 5 });
  const r = buildMetaReport(recs, { resamples: 0 });
  for (const m of r.models) {
    const mine = recs.filter((x) => x.modelId === m.model);
    const j = mine.map((x) => x.score!);
    const h = mine.map((x) => x.humanScore!);
    assert.equal(m.spearman, spearman(j, h));
    assert.equal(m.mae, meanAbsoluteError(j, h));
  }
  const mean = r.models.reduce((s, m) => s + m.spearman!, 0) / r.models.length;
  assert.ok(Math.abs(r.meanOverModels.spearman! - mean) < 1e-15);
});

test('the same seed gives the same intervals; another seed other intervals', () => {
  const recs = syntheticRecords({ instructions: 80, seed: 6 });
  const a = buildMetaReport(recs, { resamples: 150, seed: 1 });
  const b = buildMetaReport(recs, { resamples: 150, seed: 1 });
  const c = buildMetaReport(recs, { resamples: 150, seed: 2 });
  assert.deepEqual(a, b);
  assert.notDeepEqual(a.meanOverModels.spearmanCI, c.meanOverModels.spearmanCI);
});

test('compareJudges: a better judge wins with a paired interval excluding zero; a judge against itself differs by exactly zero', () => {
  const good = syntheticRecords({ instructions: 150, seed: 7, judgeNoise: 0.1, judgeModel: 'good' });
  const bad = syntheticRecords({ instructions: 150, seed: 7, judgeNoise: 0.6, judgeModel: 'bad', unscoredRate: 0.05 });
  const cmp = compareJudges(
    [
      { label: 'bad-run', records: bad },
      { label: 'good-run', records: good },
    ],
    { resamples: 200, seed: 1 },
  );
  assert.deepEqual(
    cmp.judges.map((j) => j.label),
    ['good-run', 'bad-run'],
  );
  const bScored = bad.filter((r) => r.status === 'scored').length;
  assert.equal(cmp.commonItems, bScored);
  assert.equal(cmp.judges[1]!.coverage, bScored / bad.length);
  assert.equal(cmp.humanMismatches, 0);
  const d = cmp.differences[0]!;
  assert.equal(d.a, 'bad-run');
  assert.ok(d.spearman.difference! < 0 && d.spearman.ci!.hi < 0, JSON.stringify(d.spearman));
  assert.ok(d.mae.difference! > 0 && d.mae.ci!.lo > 0);

  const self = compareJudges(
    [
      { label: 'one', records: good },
      { label: 'two', records: good },
    ],
    { resamples: 50 },
  );
  assert.deepEqual(self.differences[0]!.spearman, { difference: 0, ci: { lo: 0, hi: 0, defined: 50 } });
});

test('compareJudges splits a run holding several judge models into one judge each', () => {
  const a = syntheticRecords({ instructions: 30, seed: 8, judgeModel: 'm1' });
  const b = syntheticRecords({ instructions: 30, seed: 8, judgeModel: 'm2', judgeNoise: 0.5 });
  const cmp = compareJudges([{ label: 'run', records: [...a, ...b] }], { resamples: 0 });
  assert.deepEqual(cmp.judges.map((j) => j.label).sort(), ['run [m1]', 'run [m2]']);
  assert.equal(cmp.differences.length, 1);
  assert.equal(cmp.differences[0]!.spearman.ci, null);
});

test('a set drawn from a single instruction gets no interval rather than a zero-width one', () => {
  const run = handRun().filter((r) => r.instructionId === 'i1' && r.humanScore !== null && r.status === 'scored');
  const r = buildMetaReport(run, { resamples: 100 });
  assert.equal(r.pooled.instructions, 1);
  assert.notEqual(r.pooled.mae, null);
  assert.equal(r.pooled.maeCI, null);
  assert.equal(r.meanOverModels.maeCI, null);
});

test('an empty run gives a report of undefined values, not an error', () => {
  const r = buildMetaReport([], { resamples: 100 });
  assert.equal(r.pooled.n, 0);
  assert.equal(r.pooled.spearman, null);
  assert.equal(r.pooled.undefinedReason, 'no pairs');
  assert.equal(r.meanOverModels.spearman, null);
  assertNoNaN(r);
});
