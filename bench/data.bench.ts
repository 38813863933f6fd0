/**
 * Reading a POLLUX-shaped dataset into judge requests: rows per second and peak RSS, for JSONL and
 * Parquet, against a baseline measured in the same run (counting the JSONL file's lines with
 * readline, which parses nothing). Target: peak RSS under 300 MB whatever the row count.
 *
 * The files are generated in the temp folder: ROWS rows (default 200,000), answers with 16
 * criteria each (rows of one answer consecutive, as in the published dataset), 7 evaluated models,
 * long Russian texts (about 1,000 characters of instruction, 2,500 of answer, 700 of reference on
 * half of the rows, plus the real POLLUX rubric of each criterion). Each measurement runs in its
 * own child process, so its peak RSS is its own and not the generator's.
 *
 *   node --import tsx bench/data.bench.ts               # ROWS=200000
 *   ROWS=20000 node --import tsx bench/data.bench.ts    # a quick look
 *   KEEP=1 …                                            # keep the generated files
 */
import { spawnSync } from 'node:child_process';
import { closeSync, createReadStream, mkdirSync, openSync, rmSync, statSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileWriter, parquetWriteRows } from 'hyparquet-writer';
import type { Criterion, JudgeRequest } from '../src/core/types.ts';
import { readDataset } from '../src/data/dataset.ts';
import { renderTable } from '../src/report/text/table.ts';
import { polluxCatalog } from '../src/taxonomy/index.ts';

const ROWS = Number(process.env.ROWS ?? 200_000);
const CRITERIA_PER_ANSWER = 16;
const MODELS = ['o1', 'claude-3.5-sonnet', 'gpt-4o', 'llama-3.1-405b', 'gigachat-max', 'yandexgpt-4-pro', 't-pro-it-1.0'];
/** A deterministic PRNG so every run reads the same bytes. */
function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const LETTERS = 'абвгдеёжзийклмнопрстуфхцчшщъыьэюя';

/**
 * 5,000 pseudo-words of Cyrillic letters: enough variety that Snappy compresses the text about as
 * modestly as real prose, instead of the dozens-fold a small word list would allow.
 */
function vocabulary(random: () => number): string[] {
  return Array.from({ length: 5000 }, () => {
    const n = 2 + Math.floor(random() * 9);
    let w = '';
    for (let i = 0; i < n; i++) w += LETTERS[Math.floor(random() * LETTERS.length)];
    return w;
  });
}

const WORDS = vocabulary(rng(7));

function russianText(random: () => number, chars: number): string {
  const parts: string[] = [];
  let length = 0;
  while (length < chars) {
    const w = WORDS[Math.floor(random() * WORDS.length)] as string;
    const sep = random() < 0.08 ? '.\n' : random() < 0.1 ? ', ' : ' ';
    parts.push(w, sep);
    length += w.length + sep.length;
  }
  return parts.join('');
}

function* polluxRows(criteria: Criterion[]): Generator<Record<string, unknown>> {
  const random = rng(42);
  let answer: Record<string, unknown> = {};
  for (let i = 0; i < ROWS; i++) {
    const c = i % CRITERIA_PER_ANSWER;
    if (c === 0) {
      const a = Math.floor(i / CRITERIA_PER_ANSWER);
      answer = {
        instruction: `Задание ${Math.floor(a / MODELS.length)}. ${russianText(random, 1000)}`,
        reference_answer: a % 2 === 0 ? russianText(random, 700) : null,
        answer: russianText(random, 2500),
        model_id: MODELS[a % MODELS.length],
        task_type: 'Написать научный текст',
        task_subtype: 'Научная статья',
        task_subsubtype: null,
        difficulty: ['Easy', 'Medium', 'Hard'][a % 3],
        domain: 'Science',
      };
    }
    const criterion = criteria[c] as Criterion;
    yield { ...answer, criteria_name: criterion.name.ru, rubrics: criterion.rubric, criteria_score: Math.min(criterion.scale.min + (i % 5) / 2, criterion.scale.max) };
  }
}

function writeJsonlFile(file: string, criteria: Criterion[]): void {
  const fd = openSync(file, 'w');
  let batch: string[] = [];
  for (const row of polluxRows(criteria)) {
    batch.push(JSON.stringify(row));
    if (batch.length === 1000) {
      writeSync(fd, batch.join('\n') + '\n');
      batch = [];
    }
  }
  if (batch.length > 0) writeSync(fd, batch.join('\n') + '\n');
  closeSync(fd);
}

async function writeParquetFile(file: string, criteria: Criterion[]): Promise<void> {
  const columns = ['instruction', 'reference_answer', 'answer', 'model_id', 'task_type', 'task_subtype', 'task_subsubtype', 'difficulty', 'domain', 'criteria_name', 'rubrics', 'criteria_score'];
  await parquetWriteRows({
    writer: fileWriter(file),
    rows: polluxRows(criteria),
    columns: columns.map((name) => (name === 'criteria_score' ? { name, type: 'DOUBLE' as const, nullable: false } : { name, type: 'STRING' as const, nullable: true })),
    rowGroupSize: 1000,
  });
}

interface Measurement {
  rows: number;
  requests: number;
  seconds: number;
  maxRssMB: number;
}

/** Child process: read one file and report. */
async function measure(kind: string, file: string): Promise<Measurement> {
  const start = performance.now();
  let rows = 0;
  let requests = 0;
  if (kind === 'readline') {
    const lines = createInterface({ input: createReadStream(file), crlfDelay: Infinity });
    for await (const _line of lines) rows++;
  } else {
    const reader = readDataset(file, { catalog: polluxCatalog() });
    let sink = 0;
    for await (const item of reader) {
      for (const { criterion, humanScore } of item.criteria) {
        const request: JudgeRequest = { sample: item.sample, criterion, template: 'paper', humanScore, repeat: 0 };
        sink += request.criterion.rubric.length > 0 ? 1 : 0;
        requests++;
      }
    }
    rows = reader.stats.rows;
    if (reader.stats.rejected > 0 || sink !== requests) throw new Error(`unexpected rejects: ${JSON.stringify(reader.stats.firstProblems.slice(0, 3))}`);
  }
  const seconds = (performance.now() - start) / 1000;
  return { rows, requests, seconds, maxRssMB: process.resourceUsage().maxRSS / 1024 };
}

function runChild(kind: string, file: string): Measurement {
  const r = spawnSync(process.execPath, ['--import', 'tsx', import.meta.filename, '--measure', kind, file], { encoding: 'utf8', maxBuffer: 1 << 20 });
  if (r.status !== 0) throw new Error(`${kind} child failed (${r.status}): ${r.stderr}`);
  return JSON.parse(r.stdout.trim().split('\n').pop() as string) as Measurement;
}

async function main(): Promise<void> {
  if (process.argv[2] === '--measure') {
    process.stdout.write(`${JSON.stringify(await measure(process.argv[3] as string, process.argv[4] as string))}\n`);
    return;
  }
  const catalog = polluxCatalog();
  const criteria = catalog.forTask(['Написать научный текст'])?.slice(0, CRITERIA_PER_ANSWER) ?? [];
  if (criteria.length < CRITERIA_PER_ANSWER) throw new Error('the taxonomy has too few criteria for the benchmark task');
  const dir = join(tmpdir(), `pollux-data-bench-${process.pid}`);
  const jsonl = join(dir, 'pollux.jsonl');
  const parquet = join(dir, 'pollux.parquet');
  mkdirSync(dir, { recursive: true });
  try {
    let t = performance.now();
    writeJsonlFile(jsonl, criteria);
    const jsonlSeconds = (performance.now() - t) / 1000;
    t = performance.now();
    await writeParquetFile(parquet, criteria);
    const parquetSeconds = (performance.now() - t) / 1000;
    const mb = (f: string) => statSync(f).size / 1024 / 1024;
    console.log(`${ROWS} POLLUX rows, ${CRITERIA_PER_ANSWER} criteria per answer, ${MODELS.length} models`);
    console.log(`generated JSONL ${mb(jsonl).toFixed(0)} MB in ${jsonlSeconds.toFixed(1)} s, Parquet ${mb(parquet).toFixed(0)} MB in ${parquetSeconds.toFixed(1)} s`);

    const baseline = runChild('readline', jsonl);
    const fromJsonl = runChild('dataset', jsonl);
    const fromParquet = runChild('dataset', parquet);
    const row = (name: string, m: Measurement) => [name, (m.rows / m.seconds).toFixed(0), m.seconds.toFixed(1), m.maxRssMB.toFixed(0), m.requests ? String(m.requests) : ''];
    const rows = [row('baseline: readline line count', baseline), row('JSONL → requests', fromJsonl), row('Parquet → requests', fromParquet)];
    console.log(renderTable({ header: ['reader', 'rows/s', 's', 'peak RSS MB', 'requests'], rows }).join('\n'));
    console.log(`ratio JSONL/baseline: speed ${(fromJsonl.rows / fromJsonl.seconds / (baseline.rows / baseline.seconds)).toFixed(2)}, peak RSS ${(fromJsonl.maxRssMB / baseline.maxRssMB).toFixed(2)}`);
    console.log(`ratio Parquet/baseline: speed ${(fromParquet.rows / fromParquet.seconds / (baseline.rows / baseline.seconds)).toFixed(2)}, peak RSS ${(fromParquet.maxRssMB / baseline.maxRssMB).toFixed(2)}`);
    console.log(`target peak RSS < 300 MB: JSONL ${fromJsonl.maxRssMB < 300 ? 'met' : 'MISSED'}, Parquet ${fromParquet.maxRssMB < 300 ? 'met' : 'MISSED'}`);
  } finally {
    if (!process.env.KEEP) rmSync(dir, { recursive: true, force: true });
    else console.log(`files kept in ${dir}`);
  }
}

await main();
