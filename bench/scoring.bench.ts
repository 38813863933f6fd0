/**
 * buildScoreReport over a million judgment records, generated lazily the way a run store pages
 * them out. Baseline, measured in the same run: one pass that only sums the scores of the same
 * records (the cost of producing and touching them). Prints time, the ratio to the baseline and the
 * heap growth while the report is built.
 */
import type { JudgmentRecord } from '../src/core/types.ts';
import { buildScoreReport } from '../src/scoring/index.ts';

const CRITERIA = 14;
const RECORDS = Number(process.env.RECORDS ?? 1_000_000);
const MODELS = ['o1', 'gpt-4o', 'claude', 'llama', 'gigachat', 'yandexgpt', 't-pro'];
const TASKS = ['Отредактировать текст', 'Написать код', 'Дать совет', 'Написать художественный текст'];

function* records(): Generator<JudgmentRecord> {
  for (let i = 0; i < RECORDS; i++) {
    const answer = Math.floor(i / CRITERIA);
    const c = i % CRITERIA;
    const gate = c < 2;
    const max = gate ? 1 : c % 3 === 0 ? 3 : 2;
    const roll = (i * 2654435761) % 1000;
    const status = roll < 10 ? 'unscored' : roll < 13 ? 'error' : 'scored';
    yield {
      key: `k${i}`,
      sampleId: `s${answer}`,
      instructionId: `i${Math.floor(answer / MODELS.length)}`,
      modelId: MODELS[answer % MODELS.length]!,
      taskType: TASKS[Math.floor(answer / MODELS.length) % TASKS.length]!,
      taskSubtype: null,
      taskSubsubtype: null,
      difficulty: ['Easy', 'Medium', 'Hard'][answer % 3]!,
      domain: null,
      criterionKey: gate ? (c === 0 ? 'narushenie_formata' : 'censor') : `crit_${c}`,
      criterionName: `criterion ${c}`,
      criterionGroup: gate ? 'Critical' : 'Fine-grained',
      gate,
      scaleKind: gate ? 'binary' : 'ordinal',
      scaleMin: 0,
      scaleMax: max,
      repeat: 0,
      humanScore: null,
      status,
      score: status !== 'scored' ? null : gate ? (roll < 30 ? 1 : 0) : roll % (max + 1),
      rationale: 'обоснование',
      raw: '[FEEDBACK] обоснование [RESULT] 1 [END]',
      reason: null,
      finishReason: 'stop',
      promptTokens: 900,
      completionTokens: 80,
      latencyMs: 300,
      attempts: 1,
      endpoint: null,
      judgeModel: 'judge',
    };
  }
}

function baseline(): number {
  let s = 0;
  for (const r of records()) s += r.score ?? 0;
  return s;
}

function time(fn: () => unknown): number {
  const t0 = performance.now();
  fn();
  return performance.now() - t0;
}

global.gc?.();
const base = time(baseline);
global.gc?.();
const heapBefore = process.memoryUsage().heapUsed;
let heapPeak = heapBefore;
let micro: number | null = null;
const t = time(() => {
  const report = buildScoreReport(
    (function* () {
      let n = 0;
      for (const r of records()) {
        // The build is one synchronous loop: the heap is sampled from inside it.
        if (++n % 100_000 === 0) heapPeak = Math.max(heapPeak, process.memoryUsage().heapUsed);
        yield r;
      }
    })(),
    { gate: 'critical' },
  );
  micro = report.leaderboard[0]!.micro;
});
heapPeak = Math.max(heapPeak, process.memoryUsage().heapUsed);
console.log(`records: ${RECORDS.toLocaleString('en')} (${CRITERIA} criteria per answer, ${MODELS.length} models)`);
console.log(`baseline (generate and sum): ${base.toFixed(0)} ms`);
console.log(`buildScoreReport: ${t.toFixed(0)} ms  (${(t / base).toFixed(2)}× baseline, ${((RECORDS / t) * 1000).toFixed(0)} records/s)`);
console.log(`heap growth while building: ${((heapPeak - heapBefore) / 2 ** 20).toFixed(0)} MiB (top micro ${micro === null ? '—' : (micro as number).toFixed(3)})`);

// The leaderboard intervals, as `pollux score` computes them by default: same records, plus the
// instruction-clustered bootstrap with every pairwise difference.
const RESAMPLES = Number(process.env.RESAMPLES ?? 1000);
global.gc?.();
const tb = time(() => {
  buildScoreReport(records(), { gate: 'critical', bootstrap: { resamples: RESAMPLES, seed: 1, ci: 0.95 } });
});
console.log(
  `buildScoreReport with ${RESAMPLES} bootstrap resamples: ${tb.toFixed(0)} ms  (${(tb / t).toFixed(2)}× without, ${(tb / base).toFixed(2)}× baseline)`,
);
