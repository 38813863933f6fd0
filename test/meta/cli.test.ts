import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '../support/cli.ts';
import { writeRunFile } from '../scoring/runFiles.ts';
import { syntheticRecords } from './syntheticRun.ts';

const dir = mkdtempSync(join(tmpdir(), 'pollux-meta-cli-'));
const good = syntheticRecords({ instructions: 40, seed: 21, judgeNoise: 0.1, judgeModel: 'judge-good', unscoredRate: 0.02 });
const bad = syntheticRecords({ instructions: 40, seed: 21, judgeNoise: 0.7, judgeModel: 'judge-bad' });
const goodRun = join(dir, 'good.sqlite');
const badRun = join(dir, 'bad.sqlite');
writeRunFile(goodRun, good);
writeRunFile(badRun, bad);

test('pollux meta RUN --json: one object with per-model entries, mean over models and domain blocks', async () => {
  const r = await runCli(['meta', goodRun, '--json', '--bootstrap', '200', '--seed', '4']);
  assert.equal(r.code, 0, r.stderr);
  const report = JSON.parse(r.stdout);
  assert.deepEqual(report.runs, [goodRun]);
  assert.deepEqual(report.judges, ['judge-good']);
  assert.equal(report.models.length, 7);
  for (const block of [report, report.inDomain, report.outOfDomain]) {
    for (const m of block.models) {
      for (const k of ['model', 'n', 'spearman', 'mae', 'spearmanCI', 'maeCI', 'coverage']) assert.ok(k in m, `${k} missing`);
      assert.equal(typeof m.spearman, 'number');
      assert.ok(m.spearmanCI.lo <= m.spearman && m.spearman <= m.spearmanCI.hi);
    }
    assert.equal(typeof block.meanOverModels.spearman, 'number');
    assert.equal(typeof block.meanOverModels.maeCI.lo, 'number');
  }
  assert.equal(report.records.used, good.filter((x) => x.status === 'scored').length);
  assert.equal(report.settings.resamples, 200);
  assert.ok(report.breakdowns.taskType.length > 0);
});

test('pollux meta RUN prints aligned tables with coverage and words, never NaN', async () => {
  const r = await runCli(['meta', goodRun, '--bootstrap', '100', '--by', 'group', '--confusion']);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /Per evaluated model/);
  assert.match(r.stdout, /mean over 7 models/);
  assert.match(r.stdout, /coverage/);
  assert.match(r.stdout, /By criterion group/);
  assert.doesNotMatch(r.stdout, /By task type/);
  assert.match(r.stdout, /Confusion per criterion/);
  assert.doesNotMatch(r.stdout, /NaN/);
});

test('pollux meta runA runB: a judge leaderboard and paired differences', async () => {
  const r = await runCli(['meta', badRun, goodRun, '--json', '--bootstrap', '200']);
  assert.equal(r.code, 0, r.stderr);
  const c = JSON.parse(r.stdout);
  assert.deepEqual(
    c.judges.map((j: { judgeModel: string }) => j.judgeModel),
    ['judge-good', 'judge-bad'],
  );
  assert.equal(c.commonItems, good.filter((x) => x.status === 'scored').length);
  assert.ok(c.differences[0].spearman.ci.hi < 0);
  const text = await runCli(['meta', badRun, goodRun, '--bootstrap', '50']);
  assert.equal(text.code, 0, text.stderr);
  assert.match(text.stdout, /Paired differences/);
});

test('records of several judge models are compared, never pooled as one judge', async () => {
  const r = await runCli(['meta', badRun, goodRun, '--combine', '--json', '--bootstrap', '0']);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stderr, /come from 2 judge models \(judge-bad, judge-good\); comparing them side by side/);
  const c = JSON.parse(r.stdout);
  assert.equal(c.judges.length, 2);
  assert.match(c.judges[0].label, /\[judge-good\]$/);
});

test('pollux meta --human FILE with individual experts adds the ceiling', async () => {
  const human = join(dir, 'experts.jsonl');
  writeFileSync(
    human,
    good.flatMap((x) => x.expertScores.map((s, e) => JSON.stringify({ sample_id: x.sampleId, criterion: x.criterionKey, expert: `e${e}`, score: s }))).join('\n'),
  );
  const r = await runCli(['meta', goodRun, '--human', human, '--json', '--bootstrap', '50', '--by', 'none']);
  assert.equal(r.code, 0, r.stderr);
  const report = JSON.parse(r.stdout);
  assert.equal(report.settings.humanSource, human);
  assert.equal(report.experts.method, 'leave-one-out');
  assert.equal(report.experts.items, good.length);
  assert.deepEqual(report.breakdowns, {});
});

test('bad flags and files are usage errors (exit 2) naming the problem', async () => {
  const ci = await runCli(['meta', goodRun, '--ci', '95']);
  assert.equal(ci.code, 2);
  assert.match(ci.stderr, /--ci: expected a level strictly between 0 and 1/);
  const by = await runCli(['meta', goodRun, '--by', 'model']);
  assert.equal(by.code, 2);
  assert.match(by.stderr, /--by: unknown breakdown "model"/);
  const missing = await runCli(['meta', join(dir, 'nope.sqlite')]);
  assert.equal(missing.code, 2);
  assert.match(missing.stderr, /nope\.sqlite.*no such run file/);
});
