/**
 * The client sides of the run benchmarks, each run in a fresh process by bench/run.bench.ts so that
 * every measurement starts from the same state and has its own peak RSS:
 *
 *   node --import tsx bench/support/runParts.ts bare    '{"url","dataset","concurrency","limit"?}'   (the openai SDK)
 *   node --import tsx bench/support/runParts.ts bare-undici '{…the same}'                          (undici's request)
 *   node --import tsx bench/support/runParts.ts library '{"url","dataset","concurrency","storeFile"}'
 *
 * Prints one JSON line of figures on stdout.
 */
import { buildCatalog, openRun, readDataset, renderPrompt } from '../../src/index.ts';
import { bareOpenAILoop, bareUndiciLoop, type BareLoopResult } from './bareLoop.ts';

/** The one model the bench server lists. */
export const BENCH_MODEL = 'ai-forever/pollux-judge-7b';

export interface BareResult extends BareLoopResult {
  peakMiB: number;
}

export interface LibraryResult {
  requests: number;
  scored: number;
  seconds: number;
  /** Reading the dataset and adding every request to the run file, before the first request is sent. */
  enumerateSeconds: number | null;
  judgingSeconds: number | null;
  peakMiB: number;
}

const peakMiB = () => process.resourceUsage().maxRSS / 1024;

/** The prompts pollux sends for this dataset, rendered before the clock starts. */
async function renderedPrompts(dataset: string, limit: number): Promise<string[]> {
  const prompts: string[] = [];
  for await (const { sample, criteria } of readDataset(dataset, { catalog: buildCatalog() })) {
    for (const { criterion } of criteria) {
      if (prompts.length >= limit) return prompts;
      prompts.push(renderPrompt({ sample, criterion, template: 'paper' }));
    }
  }
  return prompts;
}

/** A bare baseline over the prompts pollux sends for this dataset: the openai SDK, or undici's request. */
async function bare(args: { url: string; dataset: string; concurrency: number; limit?: number }, client: 'openai' | 'undici'): Promise<BareResult> {
  const prompts = await renderedPrompts(args.dataset, args.limit ?? Infinity);
  const loop = client === 'openai' ? bareOpenAILoop : bareUndiciLoop;
  const result = await loop({ url: args.url, model: BENCH_MODEL, prompts, concurrency: args.concurrency, maxTokens: 1024 });
  return { ...result, peakMiB: peakMiB() };
}

/** openRun as a library user calls it: the dataset read twice, every judgment stored. */
async function library(args: { url: string; dataset: string; concurrency: number; storeFile: string }): Promise<LibraryResult> {
  const t0 = performance.now();
  const run = await openRun({ dataset: args.dataset, judge: { endpoints: args.url, settings: { model: BENCH_MODEL } }, out: args.storeFile, concurrency: args.concurrency });
  let judgingFrom: number | null = null;
  let summary;
  try {
    summary = await run.judge({
      onEvent: (e) => {
        if (e.type === 'phase' && e.message.startsWith('judging ')) judgingFrom = performance.now();
      },
    });
  } finally {
    await run.close();
  }
  const t1 = performance.now();
  const from = judgingFrom as number | null;
  return {
    requests: summary.judgedNow,
    scored: summary.counts.scored,
    seconds: (t1 - t0) / 1000,
    enumerateSeconds: from === null ? null : (from - t0) / 1000,
    judgingSeconds: from === null ? null : (t1 - from) / 1000,
    peakMiB: peakMiB(),
  };
}

const [part, json] = process.argv.slice(2);
if (part === 'bare' || part === 'bare-undici' || part === 'library') {
  const args = JSON.parse(json ?? '{}');
  const result = part === 'library' ? await library(args) : await bare(args, part === 'bare' ? 'openai' : 'undici');
  process.stdout.write(`${JSON.stringify(result)}\n`);
}
