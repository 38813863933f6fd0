import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { renderPage, scriptSafeJson } from '../../src/report/html/page.ts';
import { buildReportData, STATUS_CODES } from '../../src/report/html/reportData.ts';
import { buildScoreReport, taskGroupLookup } from '../../src/scoring/index.ts';
import { openRunStore } from '../../src/store/runStore.ts';
import { runCli } from '../support/cli.ts';
import { HOSTILE, reportModels, writeReportRun } from '../support/reportRun.ts';

function tempDir(t: { after(fn: () => void): void }): string {
  const dir = mkdtempSync(join(tmpdir(), 'pollux-report-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

test('script-safe JSON cannot end its <script> element and parses back to the same value', () => {
  const value = { a: HOSTILE.endScript, b: '<!-- x --> & \u2028\u2029', c: [1, null, 'ё'] };
  const text = scriptSafeJson(value);
  assert.doesNotMatch(text, /<|>|&|\u2028|\u2029/);
  assert.deepEqual(JSON.parse(text), value);
});

test('report data: the score report, judgment columns, and texts for the largest disagreements and the failures', (t) => {
  const file = join(tempDir(t), 'run.sqlite');
  writeReportRun({ file, samples: 30 });
  const data = buildReportData([file], { resamples: 50, details: 5 });
  const store = openRunStore(file, { readonly: true });
  const records = [...store.records()];
  assert.deepEqual(data.score, buildScoreReport(store.records(), { gate: 'critical', groupOf: taskGroupLookup(), bootstrap: { resamples: 50, seed: 1, ci: 0.95 } }));
  assert.ok(data.score.leaderboard.every((m) => m.microCi !== null), 'leaderboard intervals');
  store.close();

  assert.equal(data.judgments.status.length, records.length);
  records.forEach((r, i) => {
    assert.equal(STATUS_CODES[data.judgments.status[i] as number], r.status);
    assert.equal(data.judgments.score[i], r.score);
    assert.equal(data.judgments.human[i], r.humanScore);
    assert.equal(data.dict.models[data.judgments.model[i] as number], r.modelId);
    assert.equal(data.dict.criteria[data.judgments.criterion[i] as number]?.key, r.criterionKey);
  });
  // 5 largest |judge − expert| among scored pairs, and the first 5 unscored or failed judgments.
  const gaps = records.map((r, i) => ({ i, gap: r.status === 'scored' && r.humanScore !== null ? Math.abs((r.score as number) - r.humanScore) : -1 }));
  const top = gaps.filter((g) => g.gap >= 0).sort((a, b) => b.gap - a.gap || a.i - b.i).slice(0, 5).map((g) => g.i);
  const failures = records.flatMap((r, i) => (r.status === 'unscored' || r.status === 'error' ? [i] : [])).slice(0, 5);
  assert.deepEqual(Object.keys(data.details).map(Number).sort((a, b) => a - b), [...new Set([...top, ...failures])].sort((a, b) => a - b));
  const detail = data.details[String(top[0])];
  assert.ok(detail);
  assert.match(data.texts[detail.answer as number] as string, /^Ответ \d+: весна пришла\.$/);
  assert.equal(new Set(data.texts).size, data.texts.length, 'each text once');

  assert.equal(data.agreement.length, 1);
  assert.deepEqual(data.agreement[0]?.models.map((m) => m.model).sort(), reportModels().sort());
  assert.equal(data.withHuman, records.length);
});

test('a page inlines everything: no external script, style, image or font, and a policy that only runs its own scripts', () => {
  const { html, nonce } = renderPage({ lang: 'en', boot: { mode: 'static', x: HOSTILE.endScript }, mode: 'static' });
  const tags = html.match(/<script\b[^>]*>/g) ?? [];
  assert.deepEqual(tags.map((tag) => /nonce="([^"]+)"/.exec(tag)?.[1] ?? /type="application\/json"/.test(tag)), [true, nonce, nonce, nonce]);
  assert.doesNotMatch(html, /<(script|link|img|iframe|object)\b[^>]*\s(src|href)=/i);
  assert.match(html, new RegExp(`script-src 'nonce-${nonce.replace(/[+/]/g, '\\$&')}'`));
  assert.match(html, /connect-src 'none'/);
  assert.equal(html.split('</script>').length - 1, 4, 'a text cannot close a script element');
});

test('pollux report writes one HTML file, English or Russian, and refuses bad input with exit 2', async (t) => {
  const dir = tempDir(t);
  const file = join(dir, 'run.sqlite');
  writeReportRun({ file, samples: 12, hostile: true });
  const out = join(dir, 'report.html');
  const en = await runCli(['report', file, '-o', out, '--lang', 'en', '--bootstrap', '20']);
  assert.equal(en.code, 0, en.stderr);
  assert.match(en.stderr, /wrote .*report\.html \([\d.]+ MiB, 36 judgments\)/);
  assert.deepEqual(readdirSync(dir).filter((f) => f.endsWith('.html') || f.endsWith('.tmp')), ['report.html']);
  const html = readFileSync(out, 'utf8');
  assert.match(html, /<html lang="en">/);
  assert.ok(!html.includes(HOSTILE.script) && !html.includes(HOSTILE.img), 'hostile texts appear only escaped');

  const ru = await runCli(['report', file, '-o', out]);
  assert.equal(ru.code, 0, ru.stderr);
  assert.match(readFileSync(out, 'utf8'), /<html lang="ru">/);

  const cases: Array<[string[], RegExp]> = [
    [['report', join(dir, 'missing.sqlite'), '-o', out], /missing\.sqlite: no such run file/],
    [['report', file], /^pollux: report: -o\/--output FILE\.html is required/],
    [['report', file, '-o', out, '--lang', 'de'], /--lang <lang>' argument 'de' is invalid/],
    [['report', file, '-o', out, '--details', '-1'], /--details: expected a whole number/],
    [['report', file, file, '-o', out], /named twice/],
    [['report', file, '-o', file], /is the run file itself/],
  ];
  for (const [args, message] of cases) {
    const r = await runCli(args);
    assert.equal(r.code, 2, `${args.join(' ')}: ${r.stderr}`);
    assert.match(r.stderr, message, args.join(' '));
  }
  assert.ok(existsSync(file));
});

test('a run file without texts (or expert scores) still gives a report, and says what is missing', async (t) => {
  const dir = tempDir(t);
  const file = join(dir, 'bare.sqlite');
  writeReportRun({ file, samples: 6, noTexts: true, experts: false });
  const r = await runCli(['report', file, '-o', join(dir, 'r.html')]);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stderr, /bare\.sqlite: texts absent for 18 request\(s\)/);
  const data = buildReportData([file]);
  assert.deepEqual([data.agreement, data.withHuman, data.runs[0]?.requestsWithTexts], [[], 0, 0]);
});
