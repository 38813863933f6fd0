/**
 * `pollux answer` against a bare openai-SDK loop, in the same run, against the same local server
 * (bench/support/benchServer.ts, a process of its own, answering at once). Both ask for every
 * instruction of a generated dataset at the same fixed concurrency; pollux also splits reasoning,
 * commits every answer to its SQLite state and writes the answers JSONL, and is timed as users run
 * it: a child process, startup and the final JSONL included. The bare loop reads the instructions
 * before its clock starts and stores nothing. Alternating order, median over the rounds.
 * Prints answers/s and the ratio pollux ÷ bare (target ≥ 0.8); asserts nothing.
 *
 *   node --import tsx bench/answer.bench.ts [--instructions 20000] [--concurrency 64] [--rounds 3]
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const BIN = fileURLToPath(new URL('../bin/pollux.js', import.meta.url));
const SERVER = fileURLToPath(new URL('./support/benchServer.ts', import.meta.url));
const PARTS = fileURLToPath(new URL('./support/answerParts.ts', import.meta.url));
const MODEL = 'ai-forever/pollux-judge-7b';
const TARGET = 0.8;

function option(name: string, fallback: number): number {
  const at = process.argv.indexOf(`--${name}`);
  const n = at < 0 ? fallback : Number(process.argv[at + 1]);
  if (!Number.isInteger(n) || n < 1) throw new Error(`--${name}: expected a positive integer`);
  return n;
}
const INSTRUCTIONS = option('instructions', 20_000);
const CONCURRENCY = option('concurrency', 64);
const ROUNDS = option('rounds', 3);

function finished(child: ChildProcess, what: string): Promise<string> {
  let stdout = '';
  child.stdout?.setEncoding('utf8').on('data', (d: string) => (stdout += d));
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code, signal) => (code === 0 ? resolve(stdout) : reject(new Error(`${what} ended with ${code ?? signal}`))));
  });
}

const dir = mkdtempSync(join(tmpdir(), 'pollux-answer-bench-'));
const dataset = join(dir, 'instructions.jsonl');
const lines: string[] = [];
for (let i = 0; i < INSTRUCTIONS; i++) {
  lines.push(JSON.stringify({ prompt_id: `p${i}`, instruction: `Вопрос ${i}: объясни, почему небо голубое. ${'Подробно, с примерами. '.repeat(i % 20)}` }));
}
writeFileSync(dataset, `${lines.join('\n')}\n`);

const server = spawn(process.execPath, ['--import', 'tsx', SERVER], { stdio: ['ignore', 'pipe', 'inherit'] });
const serverDone = finished(server, 'bench server');
const url = await new Promise<string>((resolve) => {
  let buffered = '';
  server.stdout?.on('data', (d: Buffer) => {
    buffered += d.toString('utf8');
    const nl = buffered.indexOf('\n');
    if (nl >= 0) resolve(buffered.slice(0, nl));
  });
});

async function bare(): Promise<number> {
  const child = spawn(process.execPath, ['--import', 'tsx', PARTS, JSON.stringify({ url, dataset, concurrency: CONCURRENCY, model: MODEL })], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const r = JSON.parse(await finished(child, 'bare loop')) as { ok: number; failed: number; seconds: number };
  if (r.failed > 0) throw new Error(`bare loop: ${r.failed} failed requests`);
  return r.ok / r.seconds;
}

async function pollux(round: number): Promise<{ wall: number; own: number }> {
  const out = join(dir, `answers-${round}.jsonl`);
  const t0 = performance.now();
  const child = spawn(
    process.execPath,
    [BIN, 'answer', dataset, '--model-url', url, '--model', MODEL, '--concurrency', String(CONCURRENCY), '--out', out, '--quiet', '--json'],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  const s = JSON.parse(await finished(child, 'pollux answer')) as { answeredNow: number; counts: { error: number }; wallMs: number };
  const seconds = (performance.now() - t0) / 1000;
  if (s.answeredNow !== INSTRUCTIONS || s.counts.error > 0) throw new Error(`pollux answer: ${s.answeredNow} answered, ${s.counts.error} errors`);
  return { wall: s.answeredNow / seconds, own: s.answeredNow / (s.wallMs / 1000) };
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};

try {
  const bareRates: number[] = [];
  const wallRates: number[] = [];
  const ownRates: number[] = [];
  for (let r = 0; r < ROUNDS; r++) {
    // Alternate which goes first, so neither always meets a warm or a cold server.
    if (r % 2 === 0) {
      bareRates.push(await bare());
      const p = await pollux(r);
      wallRates.push(p.wall);
      ownRates.push(p.own);
    } else {
      const p = await pollux(r);
      wallRates.push(p.wall);
      ownRates.push(p.own);
      bareRates.push(await bare());
    }
  }
  const b = median(bareRates);
  const w = median(wallRates);
  const o = median(ownRates);
  console.log(`instructions: ${INSTRUCTIONS.toLocaleString('en')}, concurrency ${CONCURRENCY}, rounds ${ROUNDS} (median)`);
  console.log(`bare openai-SDK loop:          ${b.toFixed(0)} answers/s`);
  console.log(`pollux answer (process, wall): ${w.toFixed(0)} answers/s  ratio ${(w / b).toFixed(2)} (target ≥ ${TARGET})`);
  console.log(`pollux answer (its own clock): ${o.toFixed(0)} answers/s  ratio ${(o / b).toFixed(2)}  (startup and reading excluded)`);
} finally {
  server.kill('SIGTERM');
  await serverDone.catch(() => undefined);
  rmSync(dir, { recursive: true, force: true });
}
