import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { after, before, test } from 'node:test';
import type { Browser } from 'playwright-core';
import { writeReport } from '../../src/report/html/writeReport.ts';
import { launchBrowser, screenshot, watch } from '../support/browser.ts';
import { HOSTILE, reportModels, writeReportRun } from '../support/reportRun.ts';

let browser: Browser;
let dir: string;

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'pollux-report-browser-'));
  browser = await launchBrowser();
});
after(async () => {
  await browser?.close();
  rmSync(dir, { recursive: true, force: true });
});

test('the report opens from file:// with no request elsewhere; a disagreement opens its texts; hostile text stays text', async () => {
  const file = join(dir, 'hostile.sqlite');
  writeReportRun({ file, samples: 60, hostile: true });
  const out = join(dir, 'report.html');
  writeReport([file], out, { lang: 'en', resamples: 50 });
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  const seen = await watch(page);
  await page.goto(pathToFileURL(out).href);
  await page.waitForSelector('body[data-ready="overview"]');

  // The leaderboard: three models, the hostile model id shown as the text it is.
  const models = await page.locator('#leaderboard tbody tr td:nth-child(2)').allTextContents();
  assert.deepEqual([...models].sort(), [...reportModels(true)].sort());
  assert.equal(await page.locator('#leaderboard img, #app img, #app script').count(), 0);
  // The leaderboard's 95% intervals (instructions resampled), as `pollux score` computes them.
  assert.match(await page.locator('#leaderboard tbody tr:first-child td:nth-child(4)').textContent() ?? '', /^\[\d\.\d{3}, \d\.\d{3}\]$/);
  assert.equal(await page.locator('figure svg').count() >= 2, true, 'charts drawn');
  await page.getByRole('heading', { name: 'Judge against experts' }).waitFor();
  await screenshot(page, 'report-overview');

  // Disagreements: largest |judge − expert| first; open the first one.
  await page.click('#tab-disagreements');
  await page.waitForSelector('body[data-ready="disagreements"]');
  const gaps = (await page.locator('#table-disagreements tbody tr td:nth-child(7)').allTextContents()).map(Number);
  assert.deepEqual(gaps, [...gaps].sort((a, b) => b - a));
  assert.equal(gaps[0], 2);
  await page.locator('#confusion-chart svg').last().waitFor();
  await page.click('#table-disagreements tbody tr:first-child button.open');
  const dialog = page.locator('dialog#detail[open]');
  await dialog.waitFor();
  assert.match(await dialog.locator('.answer pre').textContent() ?? '', /весна пришла\. <script>window\.__pwned = "script"<\/script> <img src=x onerror=/);
  assert.match(await dialog.locator('.instruction pre').textContent() ?? '', /<\/script><script>window\.__pwned = "end"<\/script>/);
  assert.match(await dialog.locator('.rationale pre').textContent() ?? '', /^Обоснование \d+\. <script>/);
  assert.match(await dialog.locator('.raw pre').textContent() ?? '', /\[RESULT\] \d \[END\]$/);
  assert.match(await dialog.locator('.rubric pre').textContent() ?? '', /^0: /);
  const judge = Number(await dialog.locator('.judge-score').textContent());
  const expert = Number(await dialog.locator('.expert-score').textContent());
  assert.equal(Math.abs(judge - expert), 2);
  await screenshot(page, 'report-disagreement');
  await page.click('#detail-close');

  // Filter by model: every row is that model's, and the pager counts them.
  const target = reportModels(true)[0] as string;
  await page.selectOption('#filter-model', { label: target });
  await page.waitForSelector('body[data-ready="disagreements"]');
  const filtered = await page.locator('#table-disagreements tbody tr td:nth-child(1)').allTextContents();
  assert.ok(filtered.length > 0 && filtered.every((m) => m === target), filtered.join('|'));
  assert.match(await page.locator('#page-info').textContent() ?? '', /Page 1 of \d+ \(\d+ rows\)/);

  // Failures, with their reasons; an error whose reason holds a script.
  await page.selectOption('#filter-model', { label: 'all' });
  await page.click('#tab-problems');
  await page.selectOption('#filter-status', 'error');
  await page.waitForSelector('body[data-ready="problems"]');
  const reasons = await page.locator('#table-problems tbody tr td:nth-child(7)').allTextContents();
  assert.ok(reasons.length > 0 && reasons.every((r) => r === `fatal: HTTP 400 ${HOSTILE.script}`), reasons.join('|'));
  await screenshot(page, 'report-problems');

  // Paging through every judgment.
  await page.selectOption('#filter-status', { label: 'all' });
  await page.click('#tab-judgments');
  await page.waitForSelector('body[data-ready="judgments"]');
  assert.equal(await page.locator('#page-info').textContent(), 'Page 1 of 4 (180 rows)');
  await page.click('#next');
  await page.locator('#page-info', { hasText: 'Page 2 of 4 (180 rows)' }).waitFor();
  assert.equal(await page.locator('#table-all tbody tr').count(), 50);

  await page.click('#tab-distributions');
  await page.locator('#distribution-chart svg').last().waitFor();
  await screenshot(page, 'report-distributions');

  assert.deepEqual(seen.requests.filter((u) => !u.startsWith('file://')), [], 'no request leaves the file');
  assert.deepEqual([await seen.pwned(), seen.dialogs, seen.errors, await seen.violations()], [undefined, [], [], []]);
  await page.close();
});

test('Russian labels, and a run without texts says so in the detail panel', async () => {
  const file = join(dir, 'bare.sqlite');
  writeReportRun({ file, samples: 9, noTexts: true });
  const out = join(dir, 'bare.html');
  writeReport([file], out, { lang: 'ru', resamples: 0 });
  const page = await browser.newPage();
  const seen = await watch(page);
  await page.goto(pathToFileURL(out).href);
  await page.waitForSelector('body[data-ready="overview"]');
  assert.equal(await page.locator('h1').textContent(), 'Отчёт об оценке POLLUX');
  assert.match(await page.locator('#runs').textContent() ?? '', /В этом файле прогона нет текстов/);
  await page.click('#tab-disagreements');
  await page.waitForSelector('body[data-ready="disagreements"]');
  await page.click('#table-disagreements tbody tr:first-child button.open');
  await page.locator('dialog#detail[open]').waitFor();
  assert.match(await page.locator('dialog#detail .warning').textContent() ?? '', /нет текстов/);
  assert.equal(await page.locator('dialog#detail .answer').count(), 0);
  await screenshot(page, 'report-ru-no-texts');
  assert.deepEqual(seen.requests.filter((u) => !u.startsWith('file://')), []);
  assert.deepEqual(seen.errors, []);
  await page.close();
});
