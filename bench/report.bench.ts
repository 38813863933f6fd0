/**
 * The HTML report and the viewer at scale. Prints figures and ratios against baselines measured in
 * the same run; asserts nothing.
 * - report: `pollux report` over a run of JUDGMENTS judgments (default 100,000; three models, expert
 *   scores, about one in seven unscored or failed) against `pollux score --bootstrap 1000` of the same run
 *   (reading and scoring it); then Debian's chromium opening the file from disk until the overview is
 *   drawn (leaderboard, agreement, heat maps), against the same file whose page script only parses
 *   the embedded data (loading the file, d3, Plot and the JSON: what any page of that size costs).
 *   Target: under 2 s to render.
 * - view: `pollux view` over VIEW_JUDGMENTS judgments (default 1,000,000; 0 skips it): time from
 *   startView until the first page of judgments is served (JSON) and until a browser shows it,
 *   against bare better-sqlite3
 *   opening the file and reading its first 50 rows. Target: under 2 s.
 *
 *   JUDGMENTS=100000 VIEW_JUDGMENTS=1000000 ROUNDS=3 node --import tsx bench/report.bench.ts
 * JUDGMENTS=0 skips the report part; VIEW_RUN=FILE uses that run file for the view part, writing it
 * there first (and keeping it) when it does not exist (writing a million judgments takes minutes).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import Database from 'better-sqlite3';
import { startView } from '../src/report/view/server.ts';
import { launchBrowser } from '../test/support/browser.ts';
import { BIN } from '../test/support/cli.ts';
import { writeReportRun } from '../test/support/reportRun.ts';

const JUDGMENTS = Number(process.env.JUDGMENTS ?? 100_000);
const VIEW_JUDGMENTS = Number(process.env.VIEW_JUDGMENTS ?? 1_000_000);
const ROUNDS = Number(process.env.ROUNDS ?? 3);

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number;
const fmt = (n: number, d = 2) => n.toFixed(d);

function timedCli(args: string[]): number {
  const t0 = performance.now();
  const r = spawnSync(process.execPath, [BIN, ...args], { stdio: ['ignore', 'ignore', 'pipe'], encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`pollux ${args.join(' ')} failed: ${r.stderr}`);
  return (performance.now() - t0) / 1000;
}

/** The same file, with a page script that only parses the data and says it is ready. */
function baselinePage(html: string): string {
  const start = html.indexOf('data-lib="app">');
  const end = html.indexOf('</script>', start);
  const script = `JSON.parse(document.getElementById('pollux-data').textContent);document.body.dataset.ready='overview';`;
  return html.slice(0, start + 'data-lib="app">'.length) + script + html.slice(end);
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'pollux-report-bench-'));
  const browser = await launchBrowser();
  try {
    const run = join(dir, 'run.sqlite');
    let t0 = performance.now();
    if (JUDGMENTS > 0) {
    writeReportRun({ file: run, samples: Math.ceil(JUDGMENTS / 3) });
    console.log(`report: run of ${JUDGMENTS.toLocaleString('en')} judgments written in ${fmt((performance.now() - t0) / 1000, 1)} s`);
    const out = join(dir, 'report.html');
    const write = median(Array.from({ length: ROUNDS }, () => timedCli(['report', run, '-o', out])));
    const score = median(Array.from({ length: ROUNDS }, () => timedCli(['score', run, '--json'])));
    console.log(`pollux report  ${fmt(write)} s   pollux score --json ${fmt(score)} s   ratio ${fmt(write / score)}   file ${fmt(statSync(out).size / 2 ** 20, 1)} MiB`);

    const base = join(dir, 'baseline.html');
    writeFileSync(base, baselinePage(readFileSync(out, 'utf8')));
    const render = async (file: string, full: boolean): Promise<number> => {
      const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
      const start = performance.now();
      await page.goto(pathToFileURL(file).href);
      await page.waitForSelector('body[data-ready="overview"]', { timeout: 120_000 });
      if (full) await page.locator('figure.heatmap svg').last().waitFor({ timeout: 120_000 });
      const s = (performance.now() - start) / 1000;
      await page.close();
      return s;
    };
    const shown: number[] = [];
    const parsed: number[] = [];
    for (let i = 0; i < ROUNDS; i++) {
      shown.push(await render(out, true));
      parsed.push(await render(base, false));
    }
    console.log(`browser: overview drawn ${fmt(median(shown))} s   data parsed only ${fmt(median(parsed))} s   ratio ${fmt(median(shown) / median(parsed))}   target < 2 s`);
    }

    if (VIEW_JUDGMENTS > 0) {
      const big = process.env.VIEW_RUN ?? join(dir, 'big.sqlite');
      t0 = performance.now();
      if (!existsSync(big)) {
        writeReportRun({ file: big, samples: Math.ceil(VIEW_JUDGMENTS / 3) });
        console.log(`view: run of ${VIEW_JUDGMENTS.toLocaleString('en')} judgments written in ${fmt((performance.now() - t0) / 1000, 1)} s`);
      }
      const opened: number[] = [];
      const served: number[] = [];
      const bare: number[] = [];
      for (let i = 0; i < ROUNDS; i++) {
        let start = performance.now();
        const api = await startView([big], { host: '127.0.0.1', port: 0, lang: 'en', resamples: 0 });
        await (await fetch(new URL('/api/judgments?page=0', api.url))).json();
        served.push((performance.now() - start) / 1000);
        api.summary.catch(() => undefined);
        await api.close();
        start = performance.now();
        const view = await startView([big], { host: '127.0.0.1', port: 0, lang: 'en', resamples: 0 });
        const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
        await page.goto(view.url);
        await page.click('#tab-judgments');
        await page.locator('#table-all tbody tr').first().waitFor({ timeout: 120_000 });
        opened.push((performance.now() - start) / 1000);
        await page.close();
        view.summary.catch(() => undefined);
        await view.close();
        const b0 = performance.now();
        const db = new Database(big, { readonly: true });
        db.prepare('SELECT * FROM request_rows r JOIN judgments j ON j.key = r.key ORDER BY r.seq, r.id LIMIT 50').all();
        db.close();
        bare.push((performance.now() - b0) / 1000);
        console.log(`  round ${i + 1}: first page served ${fmt(served[i] as number, 3)} s, shown ${fmt(opened[i] as number)} s, bare ${fmt(bare[i] as number, 3)} s`);
      }
      console.log(`pollux view: first page served (JSON) ${fmt(median(served), 3)} s   ratio to bare ${fmt(median(served) / median(bare), 1)}`);
      console.log(`pollux view: first page shown ${fmt(median(opened))} s   bare SQLite first 50 rows ${fmt(median(bare), 3)} s   ratio ${fmt(median(opened) / median(bare), 1)}   target < 2 s`);
    }
  } finally {
    await browser.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
