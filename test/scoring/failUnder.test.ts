import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '../support/cli.ts';
import { gates, rec } from './records.ts';
import { writeRunFile } from './runFiles.ts';

/**
 * good: micro 0.7 overall; its code answers (Решение технических задач) score 0.5.
 * poor: micro 0.25, all on text editing.
 */
function runs(t: { after(fn: () => void): void }): string {
  const dir = mkdtempSync(join(tmpdir(), 'pollux-gate-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const file = join(dir, 'run.sqlite');
  const good = { modelId: 'good' };
  const code = { modelId: 'good', taskType: 'Написать код' };
  const poor = { modelId: 'poor' };
  writeRunFile(file, [
    ...gates('g1', 0, 0, { ...good, instructionId: 'i1' }),
    rec('g1', 'facts', 2, { ...good, instructionId: 'i1' }),
    rec('g1', 'style', 3, { ...good, instructionId: 'i1' }),
    ...gates('g2', 0, 0, { ...code, instructionId: 'i2' }),
    rec('g2', 'facts', 1, { ...code, instructionId: 'i2' }),
    rec('g2', 'style', 0, { ...code, instructionId: 'i2' }),
    rec('g2', 'rhyme', 3, { ...code, instructionId: 'i2' }),
    ...gates('p1', 0, 0, { ...poor, instructionId: 'i1' }),
    rec('p1', 'facts', 1, { ...poor, instructionId: 'i1' }),
    rec('p1', 'style', 0, { ...poor, instructionId: 'i1' }),
  ]);
  return file;
}

test('pollux score --fail-under exits 4 naming the models below the bar, and 0 when all pass', async (t) => {
  const file = runs(t);
  const below = await runCli(['score', file, '--fail-under', '0.5', '--bootstrap', '0']);
  assert.equal(below.code, 4, below.stderr);
  assert.match(below.stderr, /below --fail-under: poor scores 0\.250, the bar is 0\.5/);
  assert.doesNotMatch(below.stderr, /good scores/);
  assert.match(below.stdout, /Leaderboard/, 'the report is still printed');

  const pass = await runCli(['score', file, '--fail-under', '0.2', '--json']);
  assert.equal(pass.code, 0, pass.stderr);
  const json = JSON.parse(pass.stdout) as { failures: unknown[]; leaderboard: Array<{ model: string; microCi: unknown; rank: unknown }> };
  assert.deepEqual(json.failures, []);
  assert.ok(json.leaderboard[0]!.microCi, 'intervals are in the JSON');
});

test('pollux score --fail-under GROUP=SCORE takes English or Russian task group names and criterion groups', async (t) => {
  const file = runs(t);
  const tech = await runCli(['score', file, '--fail-under', 'Technical Problems=0.6', '--bootstrap', '0']);
  assert.equal(tech.code, 4, tech.stderr);
  assert.match(tech.stderr, /good in "Решение технических задач" scores 0\.500, the bar is 0\.6/);
  // poor has no answer in the group: no score there fails too, rather than passing unseen.
  assert.match(tech.stderr, /poor in "Решение технических задач" scores nothing/);

  const ru = await runCli(['score', file, '--fail-under', 'решение технических задач=0.4', '--fail-under', 'Subjective=0', '--bootstrap', '0']);
  assert.equal(ru.code, 4, ru.stderr);
  assert.match(ru.stderr, /poor in "Решение технических задач"/);
  assert.doesNotMatch(ru.stderr, /good in/);
  assert.doesNotMatch(ru.stderr, /Subjective/);

  const unknown = await runCli(['score', file, '--fail-under', 'Poetry=0.5']);
  assert.equal(unknown.code, 2);
  assert.match(unknown.stderr, /no task group or criterion group "Poetry".*Решение технических задач/);
  const bad = await runCli(['score', file, '--fail-under', '62']);
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /--fail-under "62": expected a score between 0 and 1/);
});

test('pollux score shows intervals, rank ranges and pairwise differences', async (t) => {
  const file = runs(t);
  const r = await runCli(['score', file, '--bootstrap', '200', '--seed', '3']);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /95% CI/);
  assert.match(r.stdout, /^1\s+good\s+0\.700 \(5\/5\)\s+\[0\.500, 1\.000\]\s+0\.750 \(3\/3\)\s+\[0\.500, 1\.000\]\s+1\s/m);
  assert.match(r.stdout, /^2\s+poor\s+0\.250 \(2\/2\)\s+\[0\.250, 0\.250\]/m);
  assert.match(r.stdout, /Pairwise differences/);
  assert.match(r.stdout, /good\s+poor\s+\+0\.450\s+\[\+0\.450, \+0\.750\]\s+\+0\.500/);
  const bad = await runCli(['score', file, '--ci', '95']);
  assert.equal(bad.code, 2);
});
