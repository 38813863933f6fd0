/**
 * The run store at scale. Each part runs in its own child process, so each peak RSS is its own:
 * - store:    addRequests for REQUESTS rows (default 1,000,000; texts of POLLUX size) in batches, saveJudgments for all of
 *             them, then records() over the whole run, counts() and stats();
 * - baseline: the same rows through bare better-sqlite3 (one flat table, prepared statements,
 *             the same batches, stmt.iterate()): what SQLite itself costs;
 * - export:   JSONL and Parquet exports of the store's file without texts, and JSONL with texts;
 * - commits:  single-judgment commits (one transaction each, as a run writes them) under
 *             synchronous=NORMAL and synchronous=FULL.
 * Prints times, rates, peak RSS and ratios to the baseline. Asserts nothing.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { sha256Hex } from '../src/core/hash.ts';
import { renderTable } from '../src/report/text/table.ts';
import type { Judgment } from '../src/core/types.ts';
import { exportRun } from '../src/store/export.ts';
import type { RequestRow } from '../src/store/records.ts';
import { openRunStore } from '../src/store/runStore.ts';
import type { Synchronous } from '../src/store/schema.ts';

const REQUESTS = Number(process.env.REQUESTS ?? 1_000_000);
const COMMITS = Number(process.env.COMMITS ?? 2_000);
const BATCH = 10_000;
const CRITERIA = 12;
const MODELS = ['o1', 'claude-3.5-sonnet', 'gpt-4o', 'llama-3.1-405b', 'gigachat-max', 'yandexgpt-4-pro', 't-pro-it-1.0'];

/** Texts of POLLUX size (instruction ~1,000 characters, answer ~2,500, rubric ~300), made once per sample. */
let textsCache: { sample: number; texts: NonNullable<RequestRow['texts']>[] } = { sample: -1, texts: [] };
function textsOf(i: number): NonNullable<RequestRow['texts']> {
  const sample = Math.floor(i / CRITERIA);
  if (textsCache.sample !== sample) {
    const instruction = `Инструкция ${Math.floor(sample / MODELS.length)}: ${'напиши стихотворение о весне и городе. '.repeat(25)}`;
    const answer = `Ответ ${sample}: ${'весна пришла в город, и снег сошёл с крыш. '.repeat(60)}`;
    textsCache = {
      sample,
      texts: Array.from({ length: CRITERIA }, (_, c) => ({
        instruction,
        referenceAnswer: null,
        answer,
        rubric: `0: критерий ${c} не выполнен\n\n1: выполнен отчасти\n\n2: выполнен ${'полностью, '.repeat(20)}`,
      })),
    };
  }
  return textsCache.texts[i % CRITERIA] as NonNullable<RequestRow['texts']>;
}

function row(i: number): RequestRow {
  const sample = Math.floor(i / CRITERIA);
  return {
    key: sha256Hex(`k${i}`).slice(0, 32),
    seq: i,
    sampleId: `s${sample}`,
    instructionId: `i${Math.floor(sample / MODELS.length)}`,
    modelId: MODELS[sample % MODELS.length] as string,
    taskType: 'Написать художественный текст',
    taskSubtype: 'Стихотворение',
    taskSubsubtype: null,
    difficulty: 'Medium',
    domain: 'Литература',
    criterionKey: `crit_${i % CRITERIA}`,
    criterionName: `Критерий ${i % CRITERIA}`,
    criterionGroup: 'Fine-grained',
    gate: false,
    scaleKind: 'ordinal',
    scaleMin: 0,
    scaleMax: 2,
    repeat: 0,
    humanScore: (i % 5) / 2,
    judgeModel: 'ai-forever/pollux-judge-32b',
    promptHash: sha256Hex(`p${i}`),
    texts: textsOf(i),
  };
}

function judgment(i: number): Judgment {
  const rationale = `Ответ ${i} в целом соответствует критерию, но содержит неточности в деталях.`;
  return {
    status: 'scored',
    score: i % 3,
    rationale,
    raw: `[FEEDBACK] ${rationale} [RESULT] ${i % 3} [END]`,
    reasoning: null,
    reason: null,
    finishReason: 'stop',
    usage: { prompt: 900 + (i % 100), completion: 60, total: 960 + (i % 100) },
    latencyMs: 200 + (i % 400),
    attempts: 1,
    judge: { backend: 'openai', endpoint: 'http://judge:8000/v1', model: 'ai-forever/pollux-judge-32b', params: { temperature: 0, max_tokens: 1024 } },
    endpoint: 'http://judge:8000/v1',
    promptHash: sha256Hex(`p${i}`),
  };
}

function peakMiB(): number {
  return process.resourceUsage().maxRSS / 1024;
}

function timed<T>(fn: () => T): [T, number] {
  const t0 = performance.now();
  const value = fn();
  return [value, (performance.now() - t0) / 1000];
}

function storePart(file: string): Record<string, number> {
  const store = openRunStore(file);
  const [, insertS] = timed(() => {
    for (let i = 0; i < REQUESTS; i += BATCH) store.addRequests(Array.from({ length: Math.min(BATCH, REQUESTS - i) }, (_, k) => row(i + k)));
  });
  const [, saveS] = timed(() => {
    for (let i = 0; i < REQUESTS; i += BATCH) {
      store.saveJudgments(Array.from({ length: Math.min(BATCH, REQUESTS - i) }, (_, k) => ({ key: row(i + k).key, judgment: judgment(i + k), times: { startedAt: 0, finishedAt: 1 } })));
    }
  });
  const [sum, iterateS] = timed(() => {
    let s = 0;
    for (const r of store.records()) s += r.score ?? 0;
    return s;
  });
  const [, summaryS] = timed(() => [store.counts(), store.stats()]);
  store.close();
  return { insertS, saveS, iterateS, summaryS, checksum: sum, peakMiB: peakMiB(), fileMiB: statSync(file).size / 2 ** 20 };
}

const FLAT_COLUMNS = [
  'key', 'seq', 'sample_id', 'instruction_id', 'model_id', 'task_type', 'task_subtype', 'task_subsubtype', 'difficulty', 'domain',
  'criterion_key', 'criterion_name', 'criterion_group', 'gate', 'scale_kind', 'scale_min', 'scale_max', 'repeat', 'human_score',
  'judge_model', 'prompt_hash',
];

function baselinePart(file: string): Record<string, number> {
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.exec(`CREATE TABLE r (${FLAT_COLUMNS.map((c) => (c === 'key' ? 'key TEXT PRIMARY KEY' : c)).join(', ')},
    status TEXT DEFAULT 'pending', score REAL, rationale TEXT, raw TEXT, finish_reason TEXT, prompt_tokens INTEGER,
    completion_tokens INTEGER, latency_ms REAL, attempts INTEGER, endpoint TEXT, judge TEXT, started_at INTEGER, finished_at INTEGER)`);
  const insert = db.prepare(`INSERT INTO r (${FLAT_COLUMNS.join(', ')}) VALUES (${FLAT_COLUMNS.map(() => '?').join(', ')})`);
  const update = db.prepare(`UPDATE r SET status = ?, score = ?, rationale = ?, raw = ?, finish_reason = ?, prompt_tokens = ?,
    completion_tokens = ?, latency_ms = ?, attempts = ?, endpoint = ?, judge = ?, started_at = ?, finished_at = ? WHERE key = ?`);
  const [, insertS] = timed(() => {
    for (let i = 0; i < REQUESTS; i += BATCH) {
      db.transaction(() => {
        for (let k = i; k < Math.min(i + BATCH, REQUESTS); k++) {
          const r = row(k);
          insert.run(r.key, r.seq, r.sampleId, r.instructionId, r.modelId, r.taskType, r.taskSubtype, r.taskSubsubtype, r.difficulty, r.domain,
            r.criterionKey, r.criterionName, r.criterionGroup, r.gate ? 1 : 0, r.scaleKind, r.scaleMin, r.scaleMax, r.repeat, r.humanScore,
            r.judgeModel, r.promptHash);
        }
      })();
    }
  });
  const [, saveS] = timed(() => {
    for (let i = 0; i < REQUESTS; i += BATCH) {
      db.transaction(() => {
        for (let k = i; k < Math.min(i + BATCH, REQUESTS); k++) {
          const j = judgment(k);
          update.run(j.status, j.score, j.rationale, j.raw, j.finishReason, j.usage.prompt, j.usage.completion, j.latencyMs, j.attempts,
            j.endpoint, JSON.stringify(j.judge), 0, 1, row(k).key);
        }
      })();
    }
  });
  const [sum, iterateS] = timed(() => {
    let s = 0;
    for (const r of db.prepare('SELECT * FROM r ORDER BY seq').iterate() as IterableIterator<{ score: number | null }>) s += r.score ?? 0;
    return s;
  });
  db.close();
  return { insertS, saveS, iterateS, checksum: sum, peakMiB: peakMiB(), fileMiB: statSync(file).size / 2 ** 20 };
}

async function exportPart(file: string, dir: string): Promise<Record<string, number>> {
  const t0 = performance.now();
  await exportRun(file, { format: 'jsonl', out: join(dir, 'out.jsonl'), texts: false });
  const jsonlS = (performance.now() - t0) / 1000;
  const jsonlPeak = peakMiB();
  const t1 = performance.now();
  await exportRun(file, { format: 'parquet', out: join(dir, 'out.parquet'), texts: false });
  const parquetS = (performance.now() - t1) / 1000;
  const parquetPeak = peakMiB();
  // With the text columns: every row carries its instruction, answer and rubric (GBs of JSONL).
  const t2 = performance.now();
  await exportRun(file, { format: 'jsonl', out: join(dir, 'texts.jsonl') });
  const textsS = (performance.now() - t2) / 1000;
  const textsMiB = statSync(join(dir, 'texts.jsonl')).size / 2 ** 20;
  rmSync(join(dir, 'texts.jsonl'));
  return {
    jsonlS,
    jsonlPeakMiB: jsonlPeak,
    parquetS,
    peakMiB: parquetPeak,
    parquetMiB: statSync(join(dir, 'out.parquet')).size / 2 ** 20,
    textsS,
    textsMiB,
    textsPeakMiB: peakMiB(),
  };
}

function commitsPart(dir: string, synchronous: Synchronous): Record<string, number> {
  const store = openRunStore(join(dir, `commits-${synchronous}.sqlite`), { synchronous });
  store.addRequests(Array.from({ length: COMMITS }, (_, i) => row(i)));
  const [, s] = timed(() => {
    for (let i = 0; i < COMMITS; i++) store.saveJudgment(row(i).key, judgment(i), { startedAt: 0, finishedAt: 1 });
  });
  store.close();
  return { perSecond: COMMITS / s, seconds: s };
}

function child(part: string, dir: string): Record<string, number> {
  const r = spawnSync(process.execPath, ['--import', 'tsx', new URL(import.meta.url).pathname, part, dir], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
  if (r.status !== 0) throw new Error(`${part} failed with ${r.status}`);
  return JSON.parse(r.stdout) as Record<string, number>;
}

const fmt = (n: number, digits = 1) => n.toFixed(digits);

async function main(): Promise<void> {
  const [part, dir] = process.argv.slice(2);
  if (part && dir) {
    const result =
      part === 'store' ? storePart(join(dir, 'run.sqlite'))
      : part === 'baseline' ? baselinePart(join(dir, 'baseline.sqlite'))
      : part === 'export' ? await exportPart(join(dir, 'run.sqlite'), dir)
      : commitsPart(dir, part === 'commits-full' ? 'full' : 'normal');
    process.stdout.write(JSON.stringify(result));
    return;
  }
  const tmp = mkdtempSync(join(tmpdir(), 'pollux-store-bench-'));
  try {
    console.log(`run store, ${REQUESTS.toLocaleString('en')} requests, batches of ${BATCH}, files in ${tmp}`);
    const base = child('baseline', tmp);
    const store = child('store', tmp);
    if (store.checksum !== base.checksum) throw new Error('store and baseline read different scores');
    const rows = ([['addRequests', 's', 'insertS'], ['saveJudgments', 's', 'saveS'], ['records()', 's', 'iterateS'], ['peak RSS', 'MiB', 'peakMiB'], ['file', 'MiB', 'fileMiB']] as const).map(
      ([label, unit, k]) => [label, unit, fmt(store[k] as number), fmt(base[k] as number), fmt((store[k] as number) / (base[k] as number), 2)],
    );
    console.log(renderTable({ header: ['measure', 'unit', 'store', 'bare SQLite', 'ratio'], rows, align: ['left', 'left'] }).join('\n'));
    console.log(`counts()+stats() s ${fmt(store.summaryS as number, 2)}`);
    const ex = child('export', tmp);
    console.log(`export --no-texts: JSONL ${fmt(ex.jsonlS as number)} s (peak RSS ${fmt(ex.jsonlPeakMiB as number)} MiB); Parquet ${fmt(ex.parquetS as number)} s, ${fmt(ex.parquetMiB as number)} MiB (peak RSS ${fmt(ex.peakMiB as number)} MiB)`);
    console.log(`export JSONL with texts: ${fmt(ex.textsS as number)} s, ${fmt(ex.textsMiB as number, 0)} MiB (peak RSS ${fmt(ex.textsPeakMiB as number)} MiB)`);
    const normal = child('commits-normal', tmp);
    const full = child('commits-full', tmp);
    console.log(
      `single-judgment commits (${COMMITS}): synchronous=NORMAL ${fmt(normal.perSecond as number, 0)}/s, FULL ${fmt(full.perSecond as number, 0)}/s, ` +
        `FULL/NORMAL time ratio ${fmt((full.seconds as number) / (normal.seconds as number), 2)}`,
    );
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}

await main();
