import { test } from 'node:test';
import assert from 'node:assert/strict';
import { InputError } from '../../src/core/errors.ts';
import { buildScoreReport, DuplicateJudgmentError, type ScoreReport } from '../../src/scoring/index.ts';
import { gates, rec } from './records.ts';

const close = (actual: number | null, expected: number, msg?: string) => {
  assert.ok(actual !== null, msg ?? `expected ${expected}, got null`);
  assert.ok(Math.abs(actual - expected) < 1e-12, msg ?? `expected ${expected}, got ${actual}`);
};

/** The per-criterion row holding a key (rows are criterion names by default). */
function criterionRow(report: ScoreReport, key: string) {
  const id = report.criteria.find((c) => c.keys.includes(key))?.id;
  const r = report.byCriterion.find((c) => c.criterion === id);
  assert.ok(r, `no criterion row holds ${key}`);
  return r;
}

function row(report: ScoreReport, model: string | null = 'model-a') {
  const r = report.leaderboard.find((l) => l.model === model);
  assert.ok(r, `no leaderboard row for ${model}`);
  return r;
}

test('a fired gate zeroes the other scores of its answer, not those of other answers', () => {
  const records = [
    // s1: format violation; facts 2/2 and style 3/3 count as 0.
    ...gates('s1', 1, 0),
    rec('s1', 'facts', 2),
    rec('s1', 'style', 3),
    // s2: clean; facts 1/2 = 0.5, style 2/3.
    ...gates('s2'),
    rec('s2', 'facts', 1),
    rec('s2', 'style', 2),
  ];
  const critical = row(buildScoreReport(records, { gate: 'critical' }));
  close(critical.micro, (0 + 0 + 0.5 + 2 / 3) / 4);
  assert.equal(critical.gatedAnswers, 1);
  assert.equal(critical.coverage.gated, 2);
  assert.deepEqual(critical.criteria, { scored: 2, total: 2 });

  const none = row(buildScoreReport(records, { gate: 'none' }));
  close(none.micro, (1 + 1 + 0.5 + 2 / 3) / 4);
  assert.equal(none.gatedAnswers, 0);
  assert.equal(none.coverage.gated, 0);
});

test('gates keep their own score: their mean in the per-criterion table is the firing rate', () => {
  const records = [...gates('s1', 1, 0), rec('s1', 'facts', 2), ...gates('s2'), rec('s2', 'facts', 2)];
  const report = buildScoreReport(records, { gate: 'critical' });
  const format = criterionRow(report, 'narushenie_formata');
  close(format.cells[0]!.mean, 0.5);
  const facts = criterionRow(report, 'facts');
  close(facts.cells[0]!.mean, 0.5);
  const info = report.criteria.find((c) => c.key === 'narushenie_formata')!;
  assert.deepEqual([info.gate, info.binary, info.summarised], [true, true, false]);
});

test('--gate all-binary zeroes an answer on a 1 = good binary criterion (the upstream rule, and why it is wrong)', () => {
  // The code runs (1 = good) and the facts are right: a perfect answer.
  const records = [...gates('s1'), rec('s1', 'code_runs', 1), rec('s1', 'facts', 2)];
  const critical = row(buildScoreReport(records, { gate: 'critical' }));
  close(critical.micro, 1);
  assert.equal(critical.gatedAnswers, 0);
  const upstream = row(buildScoreReport(records, { gate: 'all-binary' }));
  close(upstream.micro, 0, 'under all-binary a working program zeroes the answer');
  assert.equal(upstream.gatedAnswers, 1);
  // A failing program (0) does not fire, so both policies agree there.
  const failing = [...gates('s2'), rec('s2', 'code_runs', 0), rec('s2', 'facts', 2)];
  close(row(buildScoreReport(failing, { gate: 'all-binary' })).micro, 1);
});

test('a binary non-gate criterion is zeroed by a fired gate but left out of the summaries', () => {
  const records = [...gates('s1', 0, 1), rec('s1', 'code_runs', 1), rec('s1', 'facts', 1)];
  const report = buildScoreReport(records, { gate: 'critical' });
  const codeRuns = criterionRow(report, 'code_runs');
  close(codeRuns.cells[0]!.mean, 0);
  assert.equal(codeRuns.cells[0]!.coverage.gated, 1);
  assert.deepEqual(row(report).criteria, { scored: 1, total: 1 });
  assert.equal(row(report).coverage.total, 1);
});

test('unscored, failed and pending judgments are excluded and counted, never zero', () => {
  const records = [
    rec('s1', 'facts', null),
    rec('s2', 'facts', 2),
    rec('s3', 'facts', 0),
    rec('s4', 'facts', null, { status: 'error', reason: 'fatal: 400' }),
    rec('s5', 'facts', null, { status: 'pending' }),
  ];
  const r = row(buildScoreReport(records, { gate: 'critical' }));
  close(r.micro, 0.5, 'the mean of 1 and 0; a zero for s1 would give 1/3');
  close(r.macro, 0.5);
  assert.deepEqual(r.coverage, { scored: 2, total: 5, unscored: 1, error: 1, pending: 1, gated: 0, gateUnknown: 0 });
  assert.deepEqual(r.judgments, { total: 5, scored: 2, unscored: 1, error: 1, pending: 1 });
});

test('a model with nothing scored has null means, not NaN or zero', () => {
  const records = [rec('s1', 'facts', null), rec('s2', 'style', null, { status: 'error' })];
  const r = row(buildScoreReport(records, { gate: 'critical' }));
  assert.equal(r.micro, null);
  assert.equal(r.macro, null);
  assert.deepEqual(r.criteria, { scored: 0, total: 2 });
  assert.equal(r.coverage.total, 2);
});

test('macro and micro differ on an unbalanced example', () => {
  // facts on three answers, all 2/2; style on one answer, 0/3.
  const records = [rec('s1', 'facts', 2), rec('s2', 'facts', 2), rec('s3', 'facts', 2), rec('s1', 'style', 0)];
  const r = row(buildScoreReport(records, { gate: 'critical' }));
  close(r.micro, 3 / 4);
  close(r.macro, (1 + 0) / 2);
});

test('a gate without a score keeps the other scores, flagged and counted', () => {
  const records = [
    rec('s1', 'narushenie_formata', null),
    rec('s1', 'censor', 0),
    rec('s1', 'facts', 2),
    // A fired gate wins over an unknown one.
    rec('s2', 'narushenie_formata', null, { status: 'error' }),
    rec('s2', 'censor', 1),
    rec('s2', 'facts', 2),
  ];
  const r = row(buildScoreReport(records, { gate: 'critical' }));
  close(r.micro, (1 + 0) / 2);
  assert.equal(r.gateUnknownAnswers, 1);
  assert.equal(r.gatedAnswers, 1);
  assert.equal(r.coverage.gateUnknown, 1);
  assert.equal(r.coverage.gated, 1);
  assert.equal(r.answers, 2);
});

test('a fired gate leaves unscored criteria unscored', () => {
  const records = [...gates('s1', 1, 0), rec('s1', 'facts', null), rec('s1', 'style', 3)];
  const r = row(buildScoreReport(records, { gate: 'critical' }));
  close(r.micro, 0);
  assert.equal(r.coverage.scored, 1);
  assert.equal(r.coverage.unscored, 1);
});

test('repeats are averaged per (answer, criterion) before aggregating', () => {
  const records = [
    rec('s1', 'facts', 2, { repeat: 0 }),
    rec('s1', 'facts', 1, { repeat: 1 }),
    rec('s1', 'facts', null, { repeat: 2 }),
    rec('s2', 'facts', 0, { repeat: 0 }),
  ];
  const r = row(buildScoreReport(records, { gate: 'critical' }));
  // s1 = mean(1, 0.5) = 0.75 as one value; pooling the judgments would give (1 + 0.5 + 0) / 3.
  close(r.micro, (0.75 + 0) / 2);
  assert.equal(r.coverage.total, 2);
  assert.equal(r.coverage.scored, 2);
  assert.equal(r.repeats, 3);
  assert.deepEqual(r.judgments, { total: 4, scored: 3, unscored: 1, error: 0, pending: 0 });
});

test('gates apply repeat by repeat; a gate judged once lends its judgment to every repeat', () => {
  const perRepeat = [
    rec('s1', 'narushenie_formata', 1, { repeat: 0 }),
    rec('s1', 'narushenie_formata', 0, { repeat: 1 }),
    rec('s1', 'facts', 2, { repeat: 0 }),
    rec('s1', 'facts', 2, { repeat: 1 }),
  ];
  close(row(buildScoreReport(perRepeat, { gate: 'critical' })).micro, (0 + 1) / 2);
  const once = [rec('s1', 'censor', 1, { repeat: 0 }), rec('s1', 'facts', 2, { repeat: 0 }), rec('s1', 'facts', 2, { repeat: 1 })];
  close(row(buildScoreReport(once, { gate: 'critical' })).micro, 0);
});

test('a pair without a scored repeat is pending before error before unscored', () => {
  const records = [
    rec('s1', 'facts', null, { repeat: 0 }),
    rec('s1', 'facts', null, { repeat: 1, status: 'pending' }),
    rec('s2', 'facts', null, { repeat: 0 }),
    rec('s2', 'facts', null, { repeat: 1, status: 'error' }),
  ];
  const r = row(buildScoreReport(records, { gate: 'critical' }));
  assert.deepEqual([r.coverage.pending, r.coverage.error, r.coverage.unscored], [1, 1, 0]);
});

test('records of one answer may arrive in any order', () => {
  const records = [rec('s1', 'facts', 2), rec('s2', 'facts', 2), rec('s1', 'censor', 1), rec('s2', 'censor', 0)];
  const r = row(buildScoreReport(records, { gate: 'critical' }));
  close(r.micro, 0.5);
});

test('the criteria × task-group matrix: cells, margins and the upstream macro per group', () => {
  const groupOf = (t: string | null) => (t === 'Написать стихотворение' || t === 'Написать рассказ' ? 'Творческое письмо' : null);
  const poem = { taskType: 'Написать стихотворение' };
  const story = { taskType: 'Написать рассказ' };
  const code = { taskType: 'Написать код' };
  const records = [
    rec('p1', 'facts', 2, poem),
    rec('p1', 'rhyme', 2, poem), // 1–3 scale: 0.5
    rec('p2', 'facts', 1, story),
    rec('p2', 'rhyme', null, story),
    rec('c1', 'facts', 0, code),
    rec('c1', 'code_runs', 1, code),
  ];
  const report = buildScoreReport(records, { gate: 'critical', groupOf });
  // Написать код has no group: the task type stands for it.
  assert.deepEqual(report.taskGroups, ['Написать код', 'Творческое письмо']);
  const m = report.matrix[0]!;
  assert.deepEqual(
    m.rows.map((r) => r.criterion),
    ['name of facts', 'name of rhyme', 'name of code_runs'],
  );
  const facts = m.rows[0]!;
  close(facts.cells[1]!.mean, (1 + 0.5) / 2);
  assert.equal(facts.cells[1]!.taskGroup, 'Творческое письмо');
  assert.deepEqual([facts.cells[1]!.coverage.scored, facts.cells[1]!.coverage.total], [2, 2]);
  close(facts.cells[0]!.mean, 0);
  // The margin is upstream's mean of the group means (0 and 0.75), not the pooled mean of the pairs.
  close(facts.overall.mean, (0 + 0.75) / 2);
  close(facts.pooledMean, 0.5);
  assert.equal(facts.overall.coverage.total, 3);
  const rhyme = m.rows[1]!;
  close(rhyme.cells[1]!.mean, 0.5);
  assert.deepEqual([rhyme.cells[1]!.coverage.scored, rhyme.cells[1]!.coverage.total], [1, 2]);
  assert.equal(rhyme.cells[0]!.mean, null);
  assert.equal(rhyme.cells[0]!.coverage.total, 0);
  // The binary criterion appears in the matrix but not in the per-group means.
  close(m.rows[2]!.cells[0]!.mean, 1);
  const creative = m.byTaskGroup[1]!;
  close(creative.macro, (0.75 + 0.5) / 2);
  close(creative.micro, (1 + 0.5 + 0.5) / 3);
  const coding = m.byTaskGroup[0]!;
  close(coding.micro, 0);
  assert.deepEqual(coding.criteria, { scored: 1, total: 1 });
  close(m.overall.micro, (1 + 0.5 + 0.5 + 0) / 4);
  close(m.overall.macro, (0.5 + 0.5) / 2);
  assert.deepEqual(
    report.byTaskGroup.rows.map((r) => r.key),
    report.taskGroups,
  );
  close(report.byTaskGroup.rows[1]!.cells[0]!.macro, (0.75 + 0.5) / 2);
});

test('models side by side, leaderboard order by micro mean, breakdowns by group, difficulty and task type', () => {
  const records = [
    rec('a1', 'facts', 1, { modelId: 'weak', difficulty: 'Hard' }),
    rec('a1', 'style', 0, { modelId: 'weak', difficulty: 'Hard' }),
    rec('b1', 'facts', 2, { modelId: 'strong', difficulty: 'Easy' }),
    rec('b1', 'style', 3, { modelId: 'strong', difficulty: 'Easy' }),
    rec('b2', 'facts', 2, { modelId: 'strong', difficulty: null }),
    rec('n1', 'facts', null, { modelId: 'silent', difficulty: 'Medium' }),
  ];
  const report = buildScoreReport(records, { gate: 'critical' });
  assert.deepEqual(report.models, ['strong', 'weak', 'silent']);
  assert.deepEqual(
    report.leaderboard.map((l) => l.model),
    report.models,
  );
  close(row(report, 'weak').micro, 0.25);
  assert.deepEqual(
    report.byDifficulty.rows.map((r) => r.key),
    ['Easy', 'Medium', 'Hard', null],
  );
  const hard = report.byDifficulty.rows[2]!;
  assert.deepEqual(
    hard.cells.map((c) => c.model),
    ['strong', 'weak', 'silent'],
  );
  assert.equal(hard.cells[0]!.micro, null);
  assert.equal(hard.cells[0]!.coverage.total, 0);
  close(hard.cells[1]!.micro, 0.25);
  const groups = report.byCriterionGroup.rows;
  assert.deepEqual(
    groups.map((g) => g.key),
    ['Fine-grained', 'Subjective'],
  );
  close(groups[0]!.cells[0]!.micro, 1);
  close(groups[0]!.cells[1]!.micro, 0.5);
  close(groups[1]!.cells[1]!.micro, 0);
  assert.equal(groups[0]!.cells[2]!.micro, null);
  assert.equal(groups[0]!.cells[2]!.coverage.unscored, 1);
  assert.deepEqual(
    report.byTaskType.rows.map((r) => r.key),
    ['Отредактировать текст'],
  );
});

test('the same sample, criterion and repeat judged twice is an error', () => {
  const records = [rec('s1', 'facts', 2), rec('s1', 'facts', 1)];
  assert.throws(
    () => buildScoreReport(records, { gate: 'critical' }),
    (err: unknown) => err instanceof DuplicateJudgmentError && err.sampleId === 's1' && err.criterionKey === 'facts' && err.repeat === 0,
  );
  // The same sample under two evaluated models is two answers, not a duplicate.
  const twoModels = [rec('s1', 'facts', 2), rec('s1', 'facts', 1, { modelId: 'model-b' })];
  assert.equal(buildScoreReport(twoModels, { gate: 'critical' }).leaderboard.length, 2);
});

test('a scored record without a score, or a scale without a span, is bad input', () => {
  const noScore = { ...rec('s1', 'facts', 2), score: null };
  assert.throws(() => buildScoreReport([noScore], { gate: 'critical' }), InputError);
  const flat = rec('s1', 'facts', 2, { scaleMin: 2, scaleMax: 2 });
  assert.throws(() => buildScoreReport([flat], { gate: 'critical' }), /scale 2–2/);
});

test('one criterion key with two scales: each score on its own scale, and a warning', () => {
  const records = [rec('s1', 'facts', 2), rec('s2', 'facts', 2, { scaleMax: 4 })];
  const report = buildScoreReport(records, { gate: 'critical' });
  close(row(report).micro, (1 + 0.5) / 2);
  assert.equal(report.warnings.length, 1);
  assert.match(report.warnings[0]!, /facts/);
});

test('no records: an empty report', () => {
  const report = buildScoreReport([], { gate: 'critical' });
  assert.deepEqual(report.leaderboard, []);
  assert.deepEqual(report.matrix, []);
  assert.deepEqual(report.byDifficulty.rows, []);
});

test('records are consumed from any iterable, once', () => {
  function* gen() {
    yield rec('s1', 'facts', 2);
    yield rec('s2', 'facts', 0);
  }
  close(row(buildScoreReport(gen(), { gate: 'none' })).micro, 0.5);
});

test('a criterion its records mark as a gate never enters the summaries, even under --gate none', () => {
  // An odd gate on a 0–2 scale: 2 = bad. Averaging it with 1 = good criteria would be meaningless.
  const records = [rec('s1', 'censor', 2, { scaleKind: 'ordinal', scaleMax: 2 }), rec('s1', 'facts', 1)];
  const none = buildScoreReport(records, { gate: 'none' });
  close(row(none).micro, 0.5);
  assert.deepEqual(row(none).criteria, { scored: 1, total: 1 });
  const censor = none.criteria.find((c) => c.key === 'censor')!;
  assert.deepEqual([censor.gate, censor.critical, censor.summarised], [false, true, false]);
  // Under the default policy it fires (2 is the bad end) and zeroes facts.
  close(row(buildScoreReport(records, { gate: 'critical' })).micro, 0);
});
