import type { Command } from 'commander';
import { EXIT, UsageError } from '../../core/errors.ts';
import { discardBatchOutput, openBatchOutput } from '../../engine/batch.ts';
import { parseTemplateName } from '../../prompt/render.ts';
import { openRun, type RunSpec } from '../../run/openRun.ts';
import { allRowsRejectedError } from '../../data/problems.ts';
import { NothingToJudgeError } from '../../engine/run.ts';
import { addDatasetOptions, datasetSpecFrom, type DatasetFlags } from '../datasetOptions.ts';
import { localDataset } from '../datasetArg.ts';
import { addSamplingOptions, judgeSettingsFrom, parseNumberFlag, type JudgeFlagValues } from '../judgeOptions.ts';
import type { Cli } from '../io.ts';

interface ExportFlags extends DatasetFlags, JudgeFlagValues {
  output: string;
  out?: string;
  template: string;
  repeat: string;
  limit?: string;
  all?: boolean;
  forceNew?: boolean;
  json?: boolean;
}

export function register(batch: Command, cli: Cli): void {
  const exp = batch
    .command('export')
    .argument('<dataset>', 'dataset file: JSONL, JSON, CSV or Parquet')
    .requiredOption('-o, --output <requests.jsonl>', 'where to write the Batch API request lines')
    .description('write one /v1/chat/completions request line per pending (sample × criterion) request, and the run file that will receive the results');
  addSamplingOptions(exp, 'the judge model the batch runner will serve (required)');
  addDatasetOptions(exp);
  exp
    .option('--out <run.sqlite>', 'run file (default: runs/<dataset>__<model>__<template>.sqlite)')
    .option('--template <name>', 'prompt variant: paper or v2', 'paper')
    .option('--repeat <k>', 'judge each request k times', '1')
    .option('--limit <n>', 'only the first n requests of the dataset')
    .option('--all', 'also write requests the run file already has judgments for')
    .option('--force-new', 'the run file holds a run with other settings: move it aside and start anew')
    .option('--json', 'print the summary as JSON')
    .action(cli.action((dataset: string, flags: ExportFlags) => exportCommand(cli, dataset, flags)));
  batch
    .command('import')
    .argument('<run>', 'the run file written by `pollux batch export`')
    .argument('<results>', 'the Batch API output lines (custom_id, response.body, error)')
    .option('--overwrite', 'replace judgments the run already has for the same requests')
    .option('--json', 'print the summary as JSON')
    .description('read Batch API results into the run file; exit 1 when some lines could not be used (they are listed)')
    .action(cli.action(async (run: string, results: string, flags: { overwrite?: boolean; json?: boolean }) => {
      const opened = await openRun({ run });
      let s;
      try {
        s = await opened.importBatch(results, { overwrite: Boolean(flags.overwrite) });
      } finally {
        await opened.close();
      }
      if (flags.json) cli.json(s);
      else {
        cli.line(`${s.lines} result lines: imported ${s.imported} (scored ${s.scored}, unscored ${s.unscored}, errors ${s.errors}); already judged ${s.alreadyDone}; unknown ids ${s.unknownIds}; unreadable lines ${s.malformed}`);
        for (const p of s.problems.slice(0, 20)) cli.line(`  ${results}:${p.line}${p.customId ? ` (${p.customId})` : ''}: ${p.message}`);
        if (s.problems.length > 20) cli.line(`  … and ${s.problems.length - 20} more (use --json for all)`);
      }
      return s.problems.length > 0 ? EXIT.unscored : EXIT.ok;
    }));
}

async function exportCommand(cli: Cli, dataset: string, flags: ExportFlags): Promise<number> {
  if (!flags.model) throw new UsageError('batch export: --model NAME is required (the model the batch runner will serve)');
  const spec: RunSpec = {
    ...datasetSpecFrom(await localDataset(cli, dataset, Boolean(flags.json)), flags),
    datasetName: dataset,
    template: parseTemplateName(flags.template),
    repeat: parseNumberFlag(flags.repeat, '--repeat', { min: 1, integer: true }) ?? 1,
    judge: { batch: { model: flags.model, settings: judgeSettingsFrom(flags, cli.env) } },
    forceNew: Boolean(flags.forceNew),
    alsoWrites: [{ path: flags.output, role: '--output' }],
  };
  const limit = parseNumberFlag(flags.limit, '--limit', { min: 1, integer: true });
  if (limit !== undefined) spec.limit = limit;
  if (flags.out !== undefined) spec.out = flags.out;
  // Opened before the run file is touched: an unwritable folder is a message naming it, nothing written.
  const output = openBatchOutput(flags.output);
  let run;
  try {
    run = await openRun(spec);
  } catch (err) {
    discardBatchOutput(output);
    throw err;
  }
  try {
    const opened = run;
    const summary = await run.exportBatch({ out: flags.output, all: Boolean(flags.all), output }).catch((err: unknown) => {
      if (!(err instanceof NothingToJudgeError)) throw err;
      const report = opened.dataset();
      for (const line of report.problemLines) cli.warn(line);
      throw (report.stats && allRowsRejectedError(dataset, report.stats)) ?? err;
    });
    const report = run.dataset();
    if (flags.json) cli.json({ ...summary, dataset: { stats: report.stats } });
    else {
      for (const line of report.problemLines) cli.line(line);
      cli.line(`${summary.written} request line(s) written to ${summary.out} (${summary.skippedDone} already judged, skipped)`);
      cli.line(`run file: ${summary.storeFile}`);
      cli.line(`next: vllm run-batch -i ${summary.out} -o results.jsonl --model ${flags.model}`);
      cli.line(`then: pollux batch import ${summary.storeFile} results.jsonl`);
    }
    if (report.rejectsFile && !flags.json) cli.warn(`${report.stats?.problemCount ?? 0} problem(s) in the dataset; see above`);
    return EXIT.ok;
  } finally {
    await run.close();
  }
}
