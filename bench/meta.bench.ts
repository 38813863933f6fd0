/**
 * The full meta report on a POLLUX-sized run: 161,076 (judge, expert) pairs, 7 evaluated models,
 * ~2,100 instructions, 0–2 and 0/1 criteria with ties, experts averaged over 2–3 raters, 1% of the
 * judgments unscored. Every metric, every breakdown (criterion group, task type, difficulty), the
 * confusion matrices, and 1000 clustered bootstrap resamples. Target: under 10 s.
 *
 * Baseline, measured in the same run on the same pooled pairs: SciPy computing spearmanr,
 * kendalltau (τ-b) and pearsonr once (timed inside Python, after loading the data). Where python3
 * with SciPy is missing, the baseline is our own three correlations once, and the bench says so.
 * The bench also checks that our pooled ρ, τ-b and r equal SciPy's.
 *
 *   node --import tsx bench/meta.bench.ts
 *   RESAMPLES=200 node --import tsx bench/meta.bench.ts   # a quick look
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildMetaReport, kendallTauB, pearson, spearman } from '../src/meta/index.ts';
import { formatMetaReport } from '../src/report/text/meta.ts';
import { syntheticRecords } from '../test/meta/syntheticRun.ts';

const PAIRS = 161_076;
const RESAMPLES = Number(process.env.RESAMPLES ?? 1000);

const ms = (t0: number) => performance.now() - t0;
const fmt = (x: number) => `${x.toFixed(0)} ms`;

const records = syntheticRecords({ instructions: 2200, limit: PAIRS, unscoredRate: 0.01, seed: 1 });
const instructions = new Set(records.map((r) => r.instructionId)).size;
console.log(`data: ${records.length.toLocaleString('en-US')} records, ${instructions.toLocaleString('en-US')} instructions, 7 models`);

// The full report: every metric, all breakdowns, confusion matrices, bootstrap.
const cpu0 = process.cpuUsage();
let t0 = performance.now();
const report = buildMetaReport(records, { resamples: RESAMPLES, seed: 1, confusion: true });
const reportMs = ms(t0);
const cpu = process.cpuUsage(cpu0);
t0 = performance.now();
const text = formatMetaReport(report);
const formatMs = ms(t0);
t0 = performance.now();
buildMetaReport(records, { resamples: 0, confusion: true });
const pointMs = ms(t0);

// Our three correlations once on the pooled pairs, for comparison with SciPy on the same data.
const used = records.filter((r) => r.status === 'scored');
const judge = Float64Array.from(used, (r) => r.score!);
const human = Float64Array.from(used, (r) => r.humanScore!);
t0 = performance.now();
const ours = { spearman: spearman(judge, human), kendall: kendallTauB(judge, human), pearson: pearson(judge, human) };
const oursMs = ms(t0);

console.log(`report (${RESAMPLES} resamples, every metric and breakdown): ${fmt(reportMs)} wall, ${fmt((cpu.user + cpu.system) / 1000)} CPU`);
console.log(`  of which point estimates only (no bootstrap): ${fmt(pointMs)}; bootstrap ≈ ${fmt(reportMs - pointMs)}`);
console.log(`  text formatting: ${fmt(formatMs)} (${text.split('\n').length} lines)`);
console.log(`ours, spearman + kendall τ-b + pearson once on ${judge.length.toLocaleString('en-US')} pooled pairs: ${fmt(oursMs)}`);

const dir = mkdtempSync(join(tmpdir(), 'pollux-meta-bench-'));
try {
  const file = join(dir, 'pairs.f64');
  const both = new Float64Array(2 * judge.length);
  both.set(judge, 0);
  both.set(human, judge.length);
  writeFileSync(file, Buffer.from(both.buffer));
  const script = String.raw`
import sys, time, json
import numpy as np
from scipy import stats
a = np.fromfile(sys.argv[1], dtype='<f8'); n = a.size // 2
j, h = a[:n], a[n:]
t = time.perf_counter()
s = stats.spearmanr(j, h).statistic
k = stats.kendalltau(j, h, variant='b').statistic
p = stats.pearsonr(j, h).statistic
print(json.dumps({'ms': (time.perf_counter() - t) * 1000, 'spearman': s, 'kendall': k, 'pearson': p}))
`;
  t0 = performance.now();
  const py = spawnSync('python3', ['-c', script, file], { encoding: 'utf8' });
  const pyWall = ms(t0);
  if (py.status !== 0) {
    console.log(`baseline: python3 with scipy not found (${(py.stderr || py.error?.message || '').trim().split('\n').pop()}); using our own three correlations`);
    console.log(`ratio: report / our three correlations once = ${(reportMs / oursMs).toFixed(1)}×`);
  } else {
    const ref = JSON.parse(py.stdout) as { ms: number; spearman: number; kendall: number; pearson: number };
    console.log(`baseline: SciPy spearmanr + kendalltau + pearsonr once: ${fmt(ref.ms)} (python process incl. start and load: ${fmt(pyWall)})`);
    console.log(`ratio: full report / SciPy's three correlations = ${(reportMs / ref.ms).toFixed(1)}×`);
    console.log(`ratio: our three correlations / SciPy's = ${(oursMs / ref.ms).toFixed(2)}×`);
    const diff = Math.max(
      Math.abs(ref.spearman - (ours.spearman ?? NaN)),
      Math.abs(ref.kendall - (ours.kendall ?? NaN)),
      Math.abs(ref.pearson - (ours.pearson ?? NaN)),
    );
    console.log(`agreement with SciPy on the pooled pairs: largest difference ${diff.toExponential(2)}`);
  }
  console.log(`target: full report under 10 s → ${reportMs < 10_000 ? 'met' : 'NOT met'} (${(reportMs / 1000).toFixed(2)} s)`);
  console.log(
    `headline: ρ mean over models ${report.meanOverModels.spearman?.toFixed(3)} [${report.meanOverModels.spearmanCI?.lo.toFixed(3)}, ${report.meanOverModels.spearmanCI?.hi.toFixed(3)}], ` +
      `MAE ${report.meanOverModels.mae?.toFixed(3)} [${report.meanOverModels.maeCI?.lo.toFixed(3)}, ${report.meanOverModels.maeCI?.hi.toFixed(3)}]`,
  );
} finally {
  rmSync(dir, { recursive: true, force: true });
}
