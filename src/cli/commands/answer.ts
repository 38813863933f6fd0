import type { Command } from 'commander';
import { mkdirSync } from 'node:fs';
import { basename, dirname, extname, join } from 'node:path';
import { EXIT, UsageError, InputError } from '../../core/errors.ts';
import { refuseClobbering } from '../../core/outputPaths.ts';
import { connectModel, parseModelUrls, readInstructions, runAnswers } from '../../answer/index.ts';
import { formatProblem, problemToInputError } from '../../data/problems.ts';
import { parseTableFormat } from '../../data/table.ts';
import { DEFAULT_POLICY } from '../../engine/execute.ts';
import { fileFingerprint } from '../../engine/fingerprint.ts';
import { collect } from '../collect.ts';
import { collectMap, textOptionsFrom } from '../datasetOptions.ts';
import { parseNumberFlag, parseParams } from '../judgeOptions.ts';
import { localDataset } from '../datasetArg.ts';
import type { Cli } from '../io.ts';
import { ProgressReporter } from '../progress.ts';
import { formatAnswerSummary } from '../../report/text/answer.ts';
import { resolveTextArg } from '../promptInputs.ts';
import { TOOL_VERSION } from '../../core/version.ts';

interface AnswerFlags {
  modelUrl?: string;
  model?: string;
  modelId?: string;
  out?: string;
  state?: string;
  system?: string;
  temperature?: string;
  maxTokens: string;
  param?: string[];
  samples: string;
  timeout?: string;
  maxAttempts?: string;
  concurrency: string;
  maxConcurrency: string;
  limit?: string;
  format?: string;
  map?: Record<string, string>;
  strict?: boolean;
  delimiter?: string;
  encoding?: string;
  forceNew?: boolean;
  quiet?: boolean;
  json?: boolean;
}

export function register(cmd: Command, cli: Cli): void {
  cmd
    .argument('<instructions>', 'dataset with an `instruction` column (POLLUX-instructions: also prompt_id): JSONL, JSON, CSV or Parquet')
    .option('--model-url <url>', 'the model under test: http(s)://HOST:PORT/v1 of an OpenAI-compatible server (several, comma-separated, for replicas)')
    .option('--model <name>', 'served model name (default: the one model the server lists at GET /v1/models)')
    .option('--model-id <label>', 'the model_id written with each answer (default: the served model name)')
    .option('--out <answers.jsonl>', 'answers file (default: answers/<dataset>__<model>.jsonl)')
    .option('--state <file.sqlite>', 'where progress is kept (default: the answers file + .sqlite)')
    .option('--system <text|@file>', 'a system message before each instruction')
    .option('--temperature <t>', 'sampling temperature (default 0)')
    .option('--max-tokens <n>', 'completion token limit', '4096')
    .option('--param <key=value>', 'extra request body field, repeatable (vLLM: --param seed=1 --param top_p=0.9); values are JSON when they parse', collect)
    .option('--samples <k>', 'answers per instruction', '1')
    .option('--timeout <seconds>', 'per-request timeout in seconds (default 600)')
    .option('--max-attempts <n>', `calls per request on transient failures (default ${DEFAULT_POLICY.maxAttempts})`)
    .option('--concurrency <n|auto>', 'requests in flight: a number (per endpoint), or auto', 'auto')
    .option('--max-concurrency <n>', 'upper bound for --concurrency auto', '512')
    .option('--limit <n>', 'only the first n requests (instruction × sample)')
    .option('--format <format>', 'dataset format: jsonl, json, csv or parquet (default: from the extension)')
    .option('--map <ours=theirs,…>', 'column remapping, e.g. instruction=prompt', collectMap)
    .option('--strict', 'stop with exit 2 at the first bad row, before asking anything')
    .option('--delimiter <char>', 'CSV field delimiter: "," ";" or tab (default: detected from the header row)')
    .option('--encoding <name>', 'text encoding of the instructions file: utf-8 (default), windows-1251, koi8-r, utf-16le, utf-16be, …')
    .option('--force-new', 'the state holds answers made with other settings: move it aside and start anew')
    .option('--quiet', 'no progress output')
    .option('--json', 'print the final summary as JSON on stdout')
    .action(cli.action((dataset: string, flags: AnswerFlags) => answerCommand(cli, dataset, flags)));
}


/** The default answers file: the same command always resumes the same file. */
export function defaultAnswersPath(dataset: string, model: string): string {
  const stem = basename(dataset, extname(dataset)).replace(/[^\p{L}\p{N}._-]+/gu, '_');
  return join('answers', `${stem}__${model.replace(/[^\p{L}\p{N}._-]+/gu, '_')}.jsonl`);
}

async function answerCommand(cli: Cli, dataset: string, flags: AnswerFlags): Promise<number> {
  if (!flags.modelUrl) throw new UsageError('missing --model-url URL (the model under test, e.g. --model-url http://localhost:8000/v1)');
  const urls = parseModelUrls(flags.modelUrl);
  const samples = parseNumberFlag(flags.samples, '--samples', { min: 1, integer: true }) ?? 1;
  const limit = parseNumberFlag(flags.limit, '--limit', { min: 1, integer: true });
  const temperature = parseNumberFlag(flags.temperature, '--temperature', { min: 0 });
  const maxTokens = parseNumberFlag(flags.maxTokens, '--max-tokens', { min: 1, integer: true });
  const timeout = parseNumberFlag(flags.timeout, '--timeout', { min: 0 });
  const maxAttempts = parseNumberFlag(flags.maxAttempts, '--max-attempts', { min: 1, integer: true }) ?? DEFAULT_POLICY.maxAttempts;
  const concurrency = flags.concurrency === 'auto' ? 'auto' : (parseNumberFlag(flags.concurrency, '--concurrency', { min: 1, integer: true }) ?? 'auto');
  const maxConcurrency = parseNumberFlag(flags.maxConcurrency, '--max-concurrency', { min: 1, integer: true }) ?? 512;
  const system = flags.system === undefined ? null : resolveTextArg(flags.system, '--system');
  const format = flags.format ? parseTableFormat(flags.format) : undefined;

  const file = await localDataset(cli, dataset, Boolean(flags.quiet));
  const list = await readInstructions(file, { ...(format ? { format } : {}), ...(flags.map ? { map: flags.map } : {}), ...textOptionsFrom(flags) });
  if (list.problems.length > 0) {
    if (flags.strict) throw problemToInputError(list.problems[0]!);
    cli.warn(`pollux: ${list.problems.length} row(s) rejected:`);
    for (const p of list.problems.slice(0, 20)) cli.warn(`  ${formatProblem(p)}`);
  }
  if (list.instructions.length === 0) throw new InputError('no instruction to answer', { file });
  const inputs = [{ path: file, role: 'the dataset' }, ...(flags.system?.startsWith('@') && !flags.system.startsWith('@@') ? [{ path: flags.system.slice(1), role: 'the --system file' }] : [])];
  // A named --out is refused before the model is reached (which checks the endpoint, and may fail).
  if (flags.out) refuseClobbering([{ path: flags.out, role: 'the answers file' }], inputs);

  const model = await connectModel({
    urls,
    ...(flags.model !== undefined ? { model: flags.model } : {}),
    ...(flags.modelId !== undefined ? { modelId: flags.modelId } : {}),
    system,
    ...(temperature !== undefined ? { temperature } : {}),
    ...(maxTokens !== undefined ? { maxTokens } : {}),
    ...(timeout !== undefined ? { timeoutMs: timeout * 1000 } : {}),
    extraBody: parseParams(flags.param),
  }, cli.env);
  if (samples > 1 && (model.params.temperature ?? 0) === 0) {
    cli.warn('pollux: warning: --samples > 1 at temperature 0 asks for the same greedy answer several times; set --temperature');
  }
  const outFile = flags.out ?? defaultAnswersPath(dataset, model.modelId);
  const stateFile = flags.state ?? `${outFile}.sqlite`;
  // Answers are never written over an input (the dataset, a run file, the system message file).
  refuseClobbering(
    [
      { path: outFile, role: 'the answers file' },
      { path: stateFile, role: 'the answers state file', runFile: true },
    ],
    inputs,
  );
  mkdirSync(dirname(outFile), { recursive: true });
  mkdirSync(dirname(stateFile), { recursive: true });

  const reporter = new ProgressReporter({
    quiet: Boolean(flags.quiet),
    stream: cli.io.stderr,
    labels: { scored: 'answered', unscored: 'truncated', rate: 'a/s' },
  });
  const stop = new AbortController();
  const abort = new AbortController();
  const onSigint = () => {
    if (!stop.signal.aborted) stop.abort();
    else abort.abort();
  };
  const offInterrupt = cli.io.onInterrupt?.(onSigint);
  try {
    if (!flags.quiet) cli.warn(`answers: ${outFile} (state ${stateFile})`);
    const summary = await runAnswers({
      instructions: list.instructions,
      stateFile,
      outFile,
      manifest: {
        dataset: { path: file, fingerprint: await fileFingerprint(file) },
        model: model.model,
        modelId: model.modelId,
        params: model.params,
        system,
        toolVersion: TOOL_VERSION,
      },
      backends: model.backends,
      samples,
      ...(limit !== undefined ? { limit } : {}),
      concurrency: model.backends.length > 1 && typeof concurrency === 'number' ? concurrency * model.backends.length : concurrency,
      maxConcurrency,
      policy: { maxAttempts, backoff: DEFAULT_POLICY.backoff },
      forceNew: Boolean(flags.forceNew),
      stop: stop.signal,
      abort: abort.signal,
      onEvent: reporter.handle,
    });
    reporter.end();
    if (flags.json) cli.json({ ...summary, instructions: { rows: list.rows, distinct: list.instructions.length, rejected: list.problems.length } });
    else cli.line(formatAnswerSummary(summary).join('\n'));
    if (summary.stopped) return EXIT.interrupted;
    if (summary.counts.error > 0 && summary.counts.answered === 0) return EXIT.judgeFailed;
    return EXIT.ok;
  } finally {
    reporter.end();
    offInterrupt?.();
  }
}
