/** `pollux run --judge gguf:…` end to end on the tiny model, as child processes, read back by `pollux export`. */
import assert from 'node:assert/strict';
import { copyFileSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { before, test } from 'node:test';
import { runCli } from '../support/cli.ts';
import { RUBRIC_0_2, RUBRIC_BINARY } from '../support/ggufPrompts.ts';
import { tinyGgufPath } from '../support/tinyGguf.ts';

const dir = mkdtempSync(join(tmpdir(), 'pollux-gguf-run-'));
const model = join(dir, 'tiny.gguf');
const dataset = join(dir, 'answers.jsonl');
const ANSWERS = ['Весна пришла, ручьи звенят.', 'Снег тает.', 'Не знаю.', 'Апрель: капель и грачи.'];
const CRITERIA = [
  { name: 'Соответствие инструкции', rubric: RUBRIC_0_2 },
  { name: 'Критическое нарушение формата', rubric: RUBRIC_BINARY },
];

before(() => {
  copyFileSync(tinyGgufPath(), model);
  const rows = ANSWERS.map((answer, i) => JSON.stringify({ id: `a${i}`, instruction: 'Напиши стихотворение о весне.', answer, criteria: CRITERIA }));
  writeFileSync(dataset, `${rows.join('\n')}\n`);
});

interface ExportRow {
  sample_id: string;
  criterion_name: string;
  scale_min: number;
  scale_max: number;
  status: string;
  score: number | null;
  reason: string | null;
  raw: string | null;
  finish_reason: string | null;
  judge_backend: string;
  completion_tokens: number | null;
}

async function runAndExport(name: string, extra: string[], code = 0): Promise<ExportRow[]> {
  const out = join(dir, `${name}.sqlite`);
  const run = await runCli(['run', dataset, '--judge', `gguf:${model}`, '--max-tokens', '48', '--out', out, '--quiet', ...extra]);
  assert.equal(run.code, code, run.stderr);
  const exported = await runCli(['export', out]);
  assert.equal(exported.code, 0, exported.stderr);
  return exported.stdout
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as ExportRow);
}

test('pollux run --constrain: every judgment is scored, in its criterion’s scale, in the POLLUX format', async () => {
  const rows = await runAndExport('constrained', ['--constrain', '--concurrency', '2']);
  assert.equal(rows.length, ANSWERS.length * CRITERIA.length);
  for (const r of rows) {
    assert.equal(r.judge_backend, 'gguf');
    assert.equal(r.status, 'scored', `${r.reason}: ${r.raw}`);
    assert.equal(r.finish_reason, 'stop');
    assert.ok(r.score !== null && Number.isInteger(r.score) && r.score >= r.scale_min && r.score <= r.scale_max, `${r.score} on ${r.criterion_name}`);
    assert.match(r.raw ?? '', /^\[FEEDBACK\] [\s\S]+ \[RESULT\] \d \[END\]$/);
  }
  assert.deepEqual(new Set(rows.filter((r) => r.scale_max === 1).map((r) => r.criterion_name)), new Set(['Критическое нарушение формата']));
});

test('pollux run without --constrain: the garbage is kept as unscored with reasons, nothing lost', async () => {
  // Nothing scored: exit 1.
  const rows = await runAndExport('plain', [], 1);
  assert.equal(rows.length, ANSWERS.length * CRITERIA.length);
  assert.equal(new Set(rows.map((r) => `${r.sample_id}/${r.criterion_name}`)).size, rows.length);
  for (const r of rows) {
    assert.equal(r.status, 'unscored');
    assert.equal(r.reason, 'truncated');
    assert.equal(r.finish_reason, 'length');
    assert.equal(r.completion_tokens, 48);
    assert.ok((r.raw ?? '').length > 0 && !(r.raw ?? '').includes('\uFFFD'));
  }
});
