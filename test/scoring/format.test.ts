import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { csvField, toCsv } from '../../src/scoring/csv.ts';
import { buildScoreReport, writeScoreCsv } from '../../src/scoring/index.ts';
import { formatScoreReport, formatWithCoverage } from '../../src/report/text/score.ts';
import { gates, rec } from './records.ts';

test('numbers to three decimals with their coverage; a missing mean is a dash', () => {
  assert.equal(formatWithCoverage(0.73412, 812, 820), '0.734 (812/820)');
  assert.equal(formatWithCoverage(null, 0, 5), '— (0/5)');
  assert.equal(formatWithCoverage(NaN, 0, 0), '— (0/0)');
});

test('CSV fields are quoted only when needed', () => {
  assert.equal(csvField('Литература, "кавычки"'), '"Литература, ""кавычки"""');
  assert.equal(csvField('просто'), 'просто');
  assert.equal(csvField(null), '');
  assert.equal(csvField(1 / 3), String(1 / 3));
  assert.equal(csvField(false), 'false');
  assert.equal(toCsv(['a', 'b'], [[1, 'x\ny']]), 'a,b\r\n1,"x\ny"\r\n');
});

test('the terminal report never shows NaN and says when repeats were averaged', () => {
  const report = buildScoreReport(
    [
      ...gates('s1', 0, 0, { modelId: 'silent' }),
      rec('s1', 'facts', null, { modelId: 'silent' }),
      rec('s2', 'facts', 2, { modelId: 'talkative', repeat: 0 }),
      rec('s2', 'facts', 1, { modelId: 'talkative', repeat: 1 }),
    ],
    { gate: 'critical' },
  );
  const text = formatScoreReport(report);
  assert.doesNotMatch(text, /NaN/);
  assert.match(text, /^1\s+talkative\s+0\.750 \(1\/1\)/m);
  assert.match(text, /^2\s+silent\s+— \(0\/1\)/m);
  assert.match(text, /Repeats \(up to 2 per answer and criterion\) are averaged/);
  assert.match(text, /narushenie_formata \[gate\]/);
});

test('CSV files land whole in the directory, with no temporary file left', (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'pollux-score-csv-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const report = buildScoreReport([rec('s1', 'facts', 2, { domain: 'a, b' }), rec('s2', 'facts', null)], { gate: 'critical' });
  const written = writeScoreCsv(report, dir);
  assert.equal(written.length, 7);
  assert.equal(readdirSync(dir).filter((f) => !f.endsWith('.csv')).length, 0);
  const board = readFileSync(join(dir, 'leaderboard.csv'), 'utf8').split('\r\n');
  assert.match(board[0]!, /^rank,model,micro,macro,criteria_scored,criteria_total,scored,total,unscored/);
  assert.match(board[1]!, /^1,model-a,1,1,1,1,1,2,1,/);
  // Written twice: the second write replaces the first.
  writeScoreCsv(report, dir);
  assert.equal(readdirSync(dir).length, 7);
});
