import type { Command } from 'commander';
import { EXIT, UsageError } from '../../core/errors.ts';
import { NothingToJudgeError } from '../../engine/run.ts';
import { allRowsRejectedError } from '../../data/problems.ts';
import { parseTemplateName } from '../../prompt/render.ts';
import { openRun, type Run, type RunSpec } from '../../run/openRun.ts';
import { formatRunSummary } from '../../report/text/run.ts';
import { addDatasetOptions, datasetSpecFrom, type DatasetFlags } from '../datasetOptions.ts';
import { localDataset } from '../datasetArg.ts';
import { addJudgeOptions, addRetryOptions, judgeSettingsFrom, parseNumberFlag, judgeUrlFromEnv, policyFrom, type JudgeFlagValues } from '../judgeOptions.ts';
import type { Cli } from '../io.ts';
import { ProgressReporter } from '../progress.ts';

interface RunFlags extends DatasetFlags, JudgeFlagValues {
  template: string;
  concurrency: string;
  maxConcurrency?: string;
  out?: string;
  repeat: string;
  limit?: string;
  forceNew?: boolean;
  retryUnscored?: boolean;
  retryErrors?: boolean;
  quiet?: boolean;
  json?: boolean;
}

export function register(cmd: Command, cli: Cli): void {
  cmd.argument('<dataset>', 'dataset file: JSONL, JSON, CSV or Parquet');
  addJudgeOptions(cmd);
  addRetryOptions(cmd);
  addDatasetOptions(cmd);
  cmd
    .option('--template <name>', 'prompt variant: paper or v2', 'paper')
    .option('--concurrency <n|auto>', 'requests in flight: a number, or auto (AIMD: grows while the server keeps up, halves on 429/503/timeouts)', 'auto')
    .option('--max-concurrency <n>', 'upper bound for --concurrency auto', '512')
    .option('--out <run.sqlite>', 'run file (default: runs/<dataset>__<model>__<template>.sqlite)')
    .option('--repeat <k>', 'judge each request k times (repeat index is part of the request key)', '1')
    .option('--limit <n>', 'only the first n requests of the dataset')
    .option('--force-new', 'the run file holds a run with other settings: move it aside and start anew')
    .option('--retry-unscored', 'ask again the requests whose reply had no valid score')
    .option('--retry-errors', 'ask again the requests that ended in an error')
    .option('--quiet', 'no progress output')
    .option('--json', 'print the final summary as JSON on stdout')
    .action(cli.action((dataset: string, flags: RunFlags) => runCommand(cli, dataset, flags)));
}

async function runCommand(cli: Cli, dataset: string, flags: RunFlags): Promise<number> {
  flags.judge ??= judgeUrlFromEnv(cli.env);
  if (!flags.judge) throw new UsageError('missing --judge URL (e.g. --judge http://localhost:8000/v1, or POLLUX_JUDGE_URL)');
  const concurrency = flags.concurrency === 'auto' ? 'auto' : parseNumberFlag(flags.concurrency, '--concurrency', { min: 1, integer: true }) ?? 'auto';
  const settings = judgeSettingsFrom(flags, cli.env);
  settings.onLog = (line) => cli.warn(line);
  const spec: RunSpec = {
    ...datasetSpecFrom(await localDataset(cli, dataset, Boolean(flags.quiet)), flags),
    datasetName: dataset,
    template: parseTemplateName(flags.template),
    repeat: parseNumberFlag(flags.repeat, '--repeat', { min: 1, integer: true }) ?? 1,
    judge: { endpoints: flags.judge, settings },
    concurrency,
    maxConcurrency: parseNumberFlag(flags.maxConcurrency, '--max-concurrency', { min: 1, integer: true }) ?? 512,
    forceNew: Boolean(flags.forceNew),
  };
  const limit = parseNumberFlag(flags.limit, '--limit', { min: 1, integer: true });
  if (limit !== undefined) spec.limit = limit;
  if (flags.out !== undefined) spec.out = flags.out;
  const policy = policyFrom(flags);
  const reporter = new ProgressReporter({ quiet: Boolean(flags.quiet), stream: cli.io.stderr });
  const stop = new AbortController();
  const abort = new AbortController();
  let judging = false;
  const onSigint = () => {
    if (!stop.signal.aborted) {
      stop.abort();
      if (!judging && !flags.quiet) cli.warn('stopping after the current step (Ctrl-C again to quit at once; nothing is lost)');
    } else if (!judging) {
      // Before judging nothing is in flight: SQLite writes are transactions, so quitting is safe.
      if (!cli.exitNow(EXIT.interrupted)) abort.abort();
    } else abort.abort();
  };
  const offInterrupt = cli.io.onInterrupt?.(onSigint);
  let run: Run | undefined;
  try {
    run = await openRun(spec);
    if (!flags.quiet) cli.warn(`run file: ${run.file}`);
    const summary = await run.judge({
      policy,
      retryUnscored: Boolean(flags.retryUnscored),
      retryErrors: Boolean(flags.retryErrors),
      stop: stop.signal,
      signal: abort.signal,
      onEvent: (event) => {
        if (event.type === 'phase' && event.message.startsWith('judging')) judging = true;
        reporter.handle(event);
      },
    }).catch((err: unknown) => {
      if (!(err instanceof NothingToJudgeError)) throw err;
      reporter.end();
      const report = run?.dataset();
      for (const line of report?.problemLines ?? []) cli.warn(line);
      throw (report?.stats && allRowsRejectedError(dataset, report.stats)) ?? err;
    });
    reporter.end();
    const report = run.dataset();
    if (flags.json) cli.json({ ...summary, dataset: { stats: report.stats, rejectsFile: report.rejectsFile } });
    else cli.line(formatRunSummary(summary, report.problemLines).join('\n'));
    if (summary.outage) {
      cli.warn(`pollux: stopped: the judge endpoint is down: ${summary.outage}`);
      cli.warn(`pollux: ${summary.counts.pending} request(s) left pending; fix the endpoint and run the same command again to continue`);
      return EXIT.judgeFailed;
    }
    if (summary.notPollux) {
      const n = summary.notPollux;
      const raw = n.raw.length > 600 ? `${n.raw.slice(0, 600)}…` : n.raw;
      cli.warn(`pollux: stopped: none of the first ${n.replies} replies holds a POLLUX verdict (${n.reason ?? 'unscored'}); is --judge a POLLUX judge?`);
      cli.warn(`pollux: one reply, as received:\n  ${raw.replace(/\n/g, '\n  ')}`);
      cli.warn('pollux: expected a reply ending in "[RESULT] <score> [END]", as ai-forever/pollux-judge-7b / -32b write: "[FEEDBACK] <rationale> [RESULT] 2 [END]"');
      cli.warn(`pollux: ${summary.counts.pending} request(s) left pending; the replies so far are kept as unscored (--retry-unscored asks them again)`);
    }
    if (summary.stopped) return EXIT.interrupted;
    // Nothing but errors (a wrong model name, a dead server): the judge failed.
    const c = summary.counts;
    if (c.error > 0 && c.scored + c.unscored === 0) return EXIT.judgeFailed;
    // The judge answered, but never with a valid score.
    if (c.scored === 0 && c.unscored > 0) return EXIT.unscored;
    return EXIT.ok;
  } finally {
    reporter.end();
    offInterrupt?.();
    await run?.close();
  }
}
