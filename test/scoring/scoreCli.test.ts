import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { runCli } from '../support/cli.ts';
import { gates, rec } from './records.ts';
import { writeRunFile } from './runFiles.ts';

function tempDir(t: { after(fn: () => void): void }): string {
  const dir = mkdtempSync(join(tmpdir(), 'pollux-score-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/**
 * Two runs, one evaluated model each:
 * - strong: a1 facts 2/2, style 3/3; a2 facts 1/2, style unscored → micro (1 + 1 + 0.5) / 3.
 * - weak: b1 format violation (facts 2/2, style 3/3 count as 0); b2 facts 2/2, style 0/3
 *   → micro (0 + 0 + 1 + 0) / 4 = 0.25; without gates (1 + 1 + 1 + 0) / 4 = 0.75.
 */
function twoRuns(dir: string): [string, string] {
  const strong = { modelId: 'strong', taskType: 'Отредактировать текст' };
  const weak = { modelId: 'weak', taskType: 'Написать код', difficulty: 'Hard' };
  const a = join(dir, 'strong.sqlite');
  const b = join(dir, 'weak.sqlite');
  writeRunFile(a, [
    ...gates('a1', 0, 0, strong),
    rec('a1', 'facts', 2, strong),
    rec('a1', 'style', 3, strong),
    ...gates('a2', 0, 0, strong),
    rec('a2', 'facts', 1, strong),
    rec('a2', 'style', null, strong),
  ]);
  writeRunFile(b, [
    ...gates('b1', 1, 0, weak),
    rec('b1', 'facts', 2, weak),
    rec('b1', 'style', 3, weak),
    ...gates('b2', 0, 0, weak),
    rec('b2', 'facts', 2, weak),
    rec('b2', 'style', 0, weak),
  ]);
  return [a, b];
}

test('pollux score prints the leaderboard and the tables for two runs combined', async (t) => {
  const [a, b] = twoRuns(tempDir(t));
  const r = await runCli(['score', a, b]);
  assert.equal(r.code, 0, r.stderr);
  const lines = r.stdout.split('\n');
  const strong = lines.find((l) => /^1\s+strong\s/.test(l));
  const weak = lines.find((l) => /^2\s+weak\s/.test(l));
  assert.ok(strong, r.stdout);
  assert.ok(weak, r.stdout);
  assert.match(strong, /0\.833 \(3\/4\)/);
  assert.match(weak, /0\.250 \(4\/4\)/);
  // Task groups come from the taxonomy, and each model's matrix is shown.
  assert.match(r.stdout, /G\d = Преобразование заданного текста/);
  assert.match(r.stdout, /G\d = Решение технических задач/);
  assert.match(r.stdout, /Criteria × task group — weak/);
  assert.doesNotMatch(r.stdout, /NaN/);
  // The Hard row has nothing from strong: a dash with its coverage, not a zero.
  assert.match(lines.find((l) => l.startsWith('Hard'))!, /— \(0\/0\)/);
});

test('pollux score --json and --gate none', async (t) => {
  const [a, b] = twoRuns(tempDir(t));
  const critical = await runCli(['score', a, b, '--json']);
  assert.equal(critical.code, 0, critical.stderr);
  const report = JSON.parse(critical.stdout);
  assert.deepEqual(report.runs, [a, b]);
  assert.equal(report.gate, 'critical');
  assert.deepEqual(report.models, ['strong', 'weak']);
  assert.ok(Math.abs(report.leaderboard[0].micro - 2.5 / 3) < 1e-12);
  assert.equal(report.leaderboard[0].coverage.unscored, 1);
  assert.equal(report.leaderboard[1].gatedAnswers, 1);
  const none = JSON.parse((await runCli(['score', a, b, '--json', '--gate', 'none'])).stdout);
  assert.equal(none.gate, 'none');
  assert.deepEqual(none.models, ['strong', 'weak']);
  assert.equal(none.leaderboard[1].micro, 0.75);
});

test('pollux score --csv writes one CSV per table, atomically', async (t) => {
  const dir = tempDir(t);
  const [a, b] = twoRuns(dir);
  const out = join(dir, 'tables', 'nested');
  const r = await runCli(['score', a, b, '--csv', out]);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stderr, /wrote 7 CSV files/);
  assert.deepEqual(readdirSync(out).sort(), [
    'by_criterion.csv',
    'by_difficulty.csv',
    'by_group.csv',
    'by_task_group.csv',
    'by_task_type.csv',
    'leaderboard.csv',
    'matrix.csv',
  ]);
  const board = parse(readFileSync(join(out, 'leaderboard.csv'), 'utf8'), { columns: true }) as Array<Record<string, string>>;
  assert.deepEqual(
    board.map((row) => [row.rank, row.model, Number(row.micro).toFixed(6), row.scored, row.total, row.unscored, row.gated_answers]),
    [
      ['1', 'strong', (2.5 / 3).toFixed(6), '3', '4', '1', '0'],
      ['2', 'weak', '0.250000', '4', '4', '0', '1'],
    ],
  );
  const matrix = parse(readFileSync(join(out, 'matrix.csv'), 'utf8'), { columns: true }) as Array<Record<string, string>>;
  const styleStrong = matrix.find((row) => row.model === 'strong' && row.criterion_key === 'style')!;
  assert.equal(styleStrong.task_group, 'Преобразование заданного текста');
  assert.equal(styleStrong.mean, '1');
  assert.deepEqual([styleStrong.scored, styleStrong.total, styleStrong.unscored], ['1', '2', '1']);
  const hard = (parse(readFileSync(join(out, 'by_difficulty.csv'), 'utf8'), { columns: true }) as Array<Record<string, string>>).find(
    (row) => row.difficulty === 'Hard' && row.model === 'strong',
  )!;
  assert.equal(hard.micro, '', 'a missing mean is an empty field');
});

test('pollux score: a missing run file is exit 2, naming it', async (t) => {
  const dir = tempDir(t);
  const [a] = twoRuns(dir);
  const missing = join(dir, 'nope.sqlite');
  const r = await runCli(['score', a, missing]);
  assert.equal(r.code, 2);
  assert.ok(r.stderr.includes(missing), r.stderr);
  assert.equal(r.stdout, '');
});

test('pollux score: a file that is not a run, and a bad --gate, are exit 2', async (t) => {
  const dir = tempDir(t);
  const text = join(dir, 'notes.txt');
  writeFileSync(text, 'hello\n');
  const r = await runCli(['score', text]);
  assert.equal(r.code, 2);
  assert.ok(r.stderr.includes(text), r.stderr);
  const gate = await runCli(['score', text, '--gate', 'sometimes']);
  assert.equal(gate.code, 2);
  assert.match(gate.stderr, /sometimes/);
});

test('pollux score: the same judgment in two runs is exit 2, naming both files', async (t) => {
  const dir = tempDir(t);
  const a = join(dir, 'first.sqlite');
  const b = join(dir, 'second.sqlite');
  writeRunFile(a, [rec('s1', 'facts', 2), rec('s2', 'facts', 1)]);
  writeRunFile(b, [rec('s3', 'facts', 0), rec('s1', 'facts', 0)]);
  const r = await runCli(['score', a, b]);
  assert.equal(r.code, 2, r.stdout);
  assert.match(r.stderr, /s1/);
  assert.ok(r.stderr.includes(a) && r.stderr.includes(b), r.stderr);
});
