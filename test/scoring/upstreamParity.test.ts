import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { JudgmentRecord } from '../../src/core/types.ts';
import { buildScoreReport, upstreamScore, type ScoreReport } from '../../src/scoring/index.ts';
import { runCli } from '../support/cli.ts';
import { rec } from './records.ts';
import { writeRunFile } from './runFiles.ts';

const close = (actual: number | null | undefined, expected: number, msg?: string) => {
  assert.ok(actual !== null && actual !== undefined, msg ?? `expected ${expected}, got ${actual}`);
  assert.ok(Math.abs(actual - expected) < 1e-12, msg ?? `expected ${expected}, got ${actual}`);
};

// Three keys share one name, as facts, facts__2, … do in the taxonomy.
const FACTS = 'Фактическая точность';
const STYLE = 'Стиль';
const RHYME = 'Рифма';
const EDIT = { taskType: 'Отредактировать текст' }; // group: Преобразование заданного текста
const CODE = { taskType: 'Написать код' }; // group: Решение технических задач
const GROUP_EDIT = 'Преобразование заданного текста';
const GROUP_CODE = 'Решение технических задач';

const facts = (sample: string, key: string, score: number | null, where: Partial<JudgmentRecord>, more: Partial<JudgmentRecord> = {}) =>
  rec(sample, 'facts', score, { ...where, criterionKey: key, criterionName: FACTS, ...(key === 'facts__3' ? { scaleMax: 4 } : {}), ...more });
const style = (sample: string, score: number | null, where: Partial<JudgmentRecord>, more: Partial<JudgmentRecord> = {}) =>
  rec(sample, 'style', score, { ...where, criterionName: STYLE, ...more });
const censor = (sample: string, score: number, where: Partial<JudgmentRecord>) => rec(sample, 'censor', score, { ...where, criterionName: 'Цензор' });
const codeRuns = (sample: string, score: number, where: Partial<JudgmentRecord>) => rec(sample, 'code_runs', score, { ...where, criterionName: 'Код запускается' });

/**
 * One evaluated model, two task groups. Scales: facts, facts__2 0–2; facts__3 0–4; style 0–3;
 * rhyme 1–3; censor a 0/1 gate; code_runs 0/1 with 1 = good. Replies whose verdict depends on the
 * rule carry their raw text: as judged (last block, leading reasoning stripped) vs upstream (first
 * numeric block of the whole text).
 */
function fixture(): JudgmentRecord[] {
  return [
    // Отредактировать текст
    censor('a1', 0, EDIT),
    facts('a1', 'facts', 2, EDIT),
    style('a1', 3, EDIT, { raw: '<think>может, [RESULT] 0 [END]?</think>[FEEDBACK] Стиль выдержан. [RESULT] 3 [END]' }),
    censor('a2', 0, EDIT),
    facts('a2', 'facts__2', 1, EDIT),
    style('a2', 0, EDIT, { raw: '[FEEDBACK] Сначала [RESULT] 2 [END], но нет: [RESULT] 0 [END]' }),
    censor('a3', 0, EDIT),
    facts('a3', 'facts', 0, EDIT),
    style('a3', 3, EDIT),
    rec('a3', 'rhyme', 2, { ...EDIT, criterionName: RHYME }),
    // Написать код
    censor('b1', 0, CODE),
    codeRuns('b1', 1, CODE),
    facts('b1', 'facts__3', 2, CODE),
    style('b1', 1, CODE),
    censor('b2', 1, CODE),
    codeRuns('b2', 1, CODE),
    facts('b2', 'facts__3', 4, CODE),
    style('b2', 3, CODE),
    censor('b3', 0, CODE),
    codeRuns('b3', 0, CODE),
    facts('b3', 'facts__3', null, CODE, { raw: 'Не могу оценить.' }),
    style('b3', 2, CODE),
  ];
}

const groupOf = (t: string | null) => (t === EDIT.taskType ? GROUP_EDIT : t === CODE.taskType ? GROUP_CODE : null);

function matrixRow(report: ScoreReport, id: string) {
  const r = report.matrix[0]!.rows.find((x) => x.criterion === id);
  assert.ok(r, `no matrix row ${id}: ${report.matrix[0]!.rows.map((x) => x.criterion).join(', ')}`);
  return r;
}

function groupSummary(report: ScoreReport, group: string) {
  const g = report.matrix[0]!.byTaskGroup.find((x) => x.taskGroup === group);
  assert.ok(g);
  return g;
}

test('default scoring groups criteria by name: three keys of one name are one criterion (hand computation)', () => {
  const report = buildScoreReport(fixture(), { gate: 'critical', groupOf });
  assert.equal(report.groupBy, 'name');
  const factsRow = report.criteria.find((c) => c.id === FACTS)!;
  assert.deepEqual(factsRow.keys, ['facts', 'facts__2', 'facts__3']);
  assert.equal(factsRow.key, 'facts');
  // Edit group, as judged: facts 1, 0.5, 0 → 0.5; style 1, 0, 1 → 2/3; rhyme (2-1)/2 = 0.5.
  const edit = groupSummary(report, GROUP_EDIT);
  close(edit.macro, (0.5 + 2 / 3 + 0.5) / 3);
  close(edit.micro, (1 + 0.5 + 0 + 1 + 0 + 1 + 0.5) / 7);
  assert.deepEqual(edit.criteria, { scored: 3, total: 3 });
  // Code group: b2's censor fires (its facts and style count 0); b3's facts is unscored;
  // code_runs is binary (1 = good): not a gate by default, not summarised.
  // facts 2/4, 0 → 0.25; style 1/3, 0, 2/3 → 1/3.
  const code = groupSummary(report, GROUP_CODE);
  close(code.macro, (0.25 + 1 / 3) / 2);
  close(code.micro, (0.5 + 0 + 1 / 3 + 0 + 2 / 3) / 5);
  // Matrix margin: the mean of the group means (facts: 0.5 and 0.25), not the pooled mean.
  const f = matrixRow(report, FACTS);
  close(f.cells.find((c) => c.taskGroup === GROUP_EDIT)!.mean, 0.5);
  close(f.cells.find((c) => c.taskGroup === GROUP_CODE)!.mean, 0.25);
  close(f.overall.mean, (0.5 + 0.25) / 2);
  close(f.pooledMean, (1 + 0.5 + 0 + 0.5 + 0) / 5);
  // Grand mean over every summarised pair.
  close(report.leaderboard[0]!.micro, (1 + 0.5 + 0 + 1 + 0 + 1 + 0.5 + 0.5 + 0 + 1 / 3 + 0 + 2 / 3) / 12);
});

test('--group-by key keeps each key its own criterion, which changes the macro means', () => {
  const report = buildScoreReport(fixture(), { gate: 'critical', groupOf, groupBy: 'key' });
  assert.equal(report.groupBy, 'key');
  // Edit group by key: facts (1, 0) 0.5, facts__2 0.5, style 2/3, rhyme 0.5.
  close(groupSummary(report, GROUP_EDIT).macro, (0.5 + 0.5 + 2 / 3 + 0.5) / 4);
  assert.deepEqual(
    report.criteria.filter((c) => c.name === FACTS).map((c) => [c.id, c.keys]),
    [
      ['facts', ['facts']],
      ['facts__2', ['facts__2']],
      ['facts__3', ['facts__3']],
    ],
  );
});

test('the upstream settings reproduce a hand computation of the upstream scorer on the same replies', () => {
  const report = buildScoreReport(fixture(), { gate: 'all-binary', groupOf, groupBy: 'name', normalise: 'max', verdicts: 'upstream', zeroFiredGates: true });
  // Upstream reads a1's style as 0 (the first block, inside the reasoning) and a2's as 2 (its first
  // block); rhyme 2 on 1–3 is 2/3 (score / top). Every 0/1 criterion is a gate: code_runs = 1
  // zeroes b1 as well as b2.
  // Edit: facts 1, 0.5, 0 → 0.5; style 0, 2/3, 1 → 5/9; rhyme 2/3.
  const edit = groupSummary(report, GROUP_EDIT);
  close(edit.macro, (0.5 + 5 / 9 + 2 / 3) / 3);
  close(edit.micro, (1 + 0 + 0.5 + 2 / 3 + 0 + 1 + 2 / 3) / 7);
  // Code: facts 0 (b1, gated), 0 (b2, gated) → 0; style 0, 0, 2/3 → 2/9.
  const code = groupSummary(report, GROUP_CODE);
  close(code.macro, (0 + 2 / 9) / 2);
  close(code.micro, (0 + 0 + 0 + 0 + 2 / 3) / 5);
  close(report.leaderboard[0]!.micro, (1 + 0 + 0.5 + 2 / 3 + 0 + 1 + 2 / 3 + 0 + 0 + 0 + 0 + 2 / 3) / 12);
  close(matrixRow(report, FACTS).overall.mean, (0.5 + 0) / 2);
  close(matrixRow(report, STYLE).overall.mean, (5 / 9 + 2 / 9) / 2);
  // Upstream sets every score of a fired answer to 0, its gates included: code_runs reads 0 for b1
  // and b2 (fired) and b3 (judged 0); censor 0 everywhere. By default a gate keeps its own score.
  close(matrixRow(report, 'Код запускается').cells.find((c) => c.taskGroup === GROUP_CODE)!.mean, 0);
  close(matrixRow(report, 'Цензор').cells.find((c) => c.taskGroup === GROUP_CODE)!.mean, 0);
  const kept = buildScoreReport(fixture(), { gate: 'all-binary', groupOf, groupBy: 'name', normalise: 'max', verdicts: 'upstream' });
  close(matrixRow(kept, 'Код запускается').cells.find((c) => c.taskGroup === GROUP_CODE)!.mean, 2 / 3);
  close(matrixRow(kept, 'Цензор').cells.find((c) => c.taskGroup === GROUP_CODE)!.mean, 1 / 3);
  close(kept.leaderboard[0]!.micro, report.leaderboard[0]!.micro!, 'summaries never hold gates');
});

test('binary means a {0, 1} level set: a 0/1 row and a 0–2 row of one key each count by their own scale; 1/5 is not binary', () => {
  // The 0/1 row comes first: before, it decided that the key was binary, and the 0–2 row's 2/2
  // was left out of the summary (the reverse order summarised a 0/1 score as a 0–2 one).
  const records = [
    rec('s1', 'facts', 1, { scaleKind: 'binary', scaleMax: 1 }),
    rec('s2', 'facts', 1, { scaleKind: 'ordinal', scaleMax: 2 }),
    // A two-level 1/5 scale, judged 5 (the top): an ordinary criterion, never a gate.
    rec('s3', 'code_runs', 5, { scaleKind: 'binary', scaleMin: 1, scaleMax: 5, criterionName: 'Оценка 1 или 5' }),
    rec('s3', 'style', 3),
  ];
  for (const gate of ['critical', 'all-binary'] as const) {
    const report = buildScoreReport(records, { gate });
    const lb = report.leaderboard[0]!;
    close(lb.micro, (0.5 + 1 + 1) / 3, gate);
    // Under all-binary only s1's 0/1 row (a 1) fires; s3's 1/5 criterion at 5 is no gate.
    assert.equal(lb.gatedAnswers, gate === 'all-binary' ? 1 : 0, gate);
    assert.equal(report.criteria.find((c) => c.id === 'Оценка 1 или 5')!.binary, false);
  }
});

test('upstreamScore: the first complete numeric block, signs and bare fractions included', () => {
  assert.equal(upstreamScore('[FEEDBACK] x [RESULT] 2 [END] [RESULT] 0 [END]'), 2);
  assert.equal(upstreamScore('[result] +1 [end]'), 1);
  assert.equal(upstreamScore('[RESULT] ,5 [END]'), 0.5);
  assert.equal(upstreamScore('[RESULT] два [END] [RESULT] 1 [END]'), 1, 'a block that is not a number is skipped');
  assert.equal(upstreamScore('[RESULT] 2'), null);
});

test('pollux score --upstream on a run file: the same numbers, the settings in the JSON, keys kept', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'pollux-parity-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const file = join(dir, 'run.sqlite');
  writeRunFile(file, fixture());
  const r = await runCli(['score', file, '--upstream', '--json']);
  assert.equal(r.code, 0, r.stderr);
  const report = JSON.parse(r.stdout) as ScoreReport;
  assert.deepEqual([report.gate, report.groupBy, report.normalise, report.verdicts, report.zeroFiredGates], ['all-binary', 'name', 'max', 'upstream', true]);
  close(report.leaderboard[0]!.micro, (1 + 0 + 0.5 + 2 / 3 + 0 + 1 + 2 / 3 + 0 + 0 + 0 + 0 + 2 / 3) / 12);
  close(report.matrix[0]!.byTaskGroup.find((g) => g.taskGroup === GROUP_EDIT)!.macro, (0.5 + 5 / 9 + 2 / 3) / 3);
  assert.deepEqual(report.criteria.find((c) => c.id === FACTS)!.keys, ['facts', 'facts__2', 'facts__3']);
  assert.ok(report.byCriterion.some((c) => c.criterion === FACTS));

  const byKey = JSON.parse((await runCli(['score', file, '--group-by', 'key', '--json'])).stdout) as ScoreReport;
  assert.deepEqual([byKey.gate, byKey.groupBy, byKey.normalise, byKey.verdicts, byKey.zeroFiredGates], ['critical', 'key', 'min-max', 'as-judged', false]);
  assert.ok(byKey.byCriterion.some((c) => c.criterion === 'facts__3'));

  const conflict = await runCli(['score', file, '--upstream', '--gate', 'critical']);
  assert.equal(conflict.code, 2);
  assert.match(conflict.stderr, /--upstream.*cannot be used with|cannot be used with.*--upstream/);

  const text = await runCli(['score', file, '--upstream']);
  assert.equal(text.code, 0, text.stderr);
  assert.match(text.stdout, /Criteria grouped by name; scores normalised by the top of the scale \(upstream\); verdicts re-read with the upstream rule/);
  assert.match(text.stdout, new RegExp(`${FACTS} \\(3 keys\\)`));
});
