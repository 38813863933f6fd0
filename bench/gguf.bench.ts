/**
 * In-process GGUF judging on the tiny random-weight model: judgments per second with 1 parallel
 * sequence (the baseline) and with 4, on the same POLLUX prompts, all submitted at once as the run
 * engine does (the backend queues what its sequences cannot take). Every reply is exactly
 * MAX_TOKENS tokens (the tiny model never stops by itself), so both settings do the same work.
 * Also reports whether both settings wrote the same replies (greedy decoding should not depend on
 * how requests were batched).
 *
 * On the tiny model (64-wide, 2 layers) a decoding step is a few microseconds of arithmetic that
 * stays in the CPU cache, so batching sequences saves little. EMBEDDING/LAYERS build a wider random
 * model (e.g. EMBEDDING=512 LAYERS=8, about 100 MB of F32 weights) where, as with real judges, each
 * step has to stream the weights from memory and one pass can serve several sequences.
 *
 *   node --import tsx bench/gguf.bench.ts      # JUDGMENTS=32 MAX_TOKENS=64 THREADS=1 ROUNDS=2
 *   EMBEDDING=512 LAYERS=8 JUDGMENTS=8 MAX_TOKENS=32 node --import tsx bench/gguf.bench.ts
 */
import { unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createGgufJudge } from '../src/judges/gguf/index.ts';
import { polluxPrompts } from '../test/support/ggufPrompts.ts';
import { buildTinyGguf, tinyGgufPath } from '../test/support/tinyGguf.ts';

const JUDGMENTS = Number(process.env.JUDGMENTS ?? 32);
const MAX_TOKENS = Number(process.env.MAX_TOKENS ?? 64);
const THREADS = Number(process.env.THREADS ?? 1);
const ROUNDS = Number(process.env.ROUNDS ?? 2);

const EMBEDDING = process.env.EMBEDDING ? Number(process.env.EMBEDDING) : null;
const LAYERS = process.env.LAYERS ? Number(process.env.LAYERS) : null;

function modelPath(): string {
  if (EMBEDDING === null && LAYERS === null) return tinyGgufPath();
  const embedding = EMBEDDING ?? 64;
  const path = join(tmpdir(), `pollux-bench-${embedding}x${LAYERS ?? 2}-${process.pid}.gguf`);
  writeFileSync(path, buildTinyGguf({ shape: { embedding, feedForward: embedding * 2, ...(LAYERS ? { layers: LAYERS } : {}) } }));
  process.once('exit', () => unlinkSync(path));
  return path;
}

const model = modelPath();
const prompts = polluxPrompts(JUDGMENTS).map((p) => p.prompt);

async function measure(concurrency: number): Promise<{ perSecond: number; texts: string[]; tokensPerSecond: number }> {
  const judge = await createGgufJudge({ model, gpu: false, threads: THREADS, contextSize: 2048, maxTokens: MAX_TOKENS, concurrency });
  try {
    await judge.judge(prompts[0] as string);
    let best = Infinity;
    let texts: string[] = [];
    let tokens = 0;
    for (let round = 0; round < ROUNDS; round++) {
      const started = performance.now();
      const replies = await Promise.all(prompts.map((p) => judge.judge(p)));
      best = Math.min(best, (performance.now() - started) / 1000);
      texts = replies.map((r) => r.text);
      tokens = replies.reduce((sum, r) => sum + (r.usage.completion ?? 0), 0);
    }
    return { perSecond: JUDGMENTS / best, texts, tokensPerSecond: tokens / best };
  } finally {
    await judge.close();
  }
}

const one = await measure(1);
const four = await measure(4);
const same = one.texts.every((t, i) => t === four.texts[i]);
const shape = `${EMBEDDING ?? 64} wide, ${LAYERS ?? 2} layers`;
console.log(`gguf random model (${shape}), ${JUDGMENTS} judgments × ${MAX_TOKENS} tokens, threads ${THREADS}, best of ${ROUNDS}`);
console.log(`  1 sequence  (baseline): ${one.perSecond.toFixed(1)} judgments/s  (${one.tokensPerSecond.toFixed(0)} tokens/s)`);
console.log(`  4 sequences:            ${four.perSecond.toFixed(1)} judgments/s  (${four.tokensPerSecond.toFixed(0)} tokens/s)`);
console.log(`  ratio 4 / 1: ${(four.perSecond / one.perSecond).toFixed(2)}×`);
console.log(`  same replies with 1 and 4 sequences: ${same ? 'yes' : 'NO'}`);
